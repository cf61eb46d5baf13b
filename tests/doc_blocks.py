"""The one runner for the code blocks of README.md and docs/**/*.md (every example runs).

A Markdown file's fenced blocks run in order, in a fresh folder per file:

- ```` ```python ```` blocks are executed in one namespace per file (a later
  block sees what an earlier one defined);
- ```` ```sh ```` (``bash``, ``shell``) blocks run with ``bash`` in that folder,
  every command's status checked (:func:`checked_script`), with the venv's
  ``gridgov`` first on the ``PATH`` (through the fork server of
  :mod:`tests.cli_forkserver`, which spares each command the interpreter's
  start-up): every command must succeed;
- ```` ```toml ```` blocks that hold ``gridgov.toml`` sections are loaded as a
  workspace's configuration and must be accepted;
- other blocks (``text``, ``console`` output, untagged) are not run.

An HTML comment on the line before a fence steers it (GitHub and Sphinx both
hide it)::

    <!-- doc-test: skip REASON -->        not run (say why)
    <!-- doc-test: setup demo -->         first put there what `gridgov demo --scale 0.2` makes
                                          (made once a test run, copied to each page)
    <!-- doc-test: setup curtois -->      first copy the Curtois benchmark files there (once)
    <!-- doc-test: setup postgres -->     PG_URL = the test server with a schema of its own
                                          (dropped after the file), also the search path
                                          (PGOPTIONS) of a URL without ?schema=; skipped
                                          without a server unless GRIDGOV_REQUIRE_POSTGRES=1;
                                          implied by a block that names postgresql://

A failure names the file and the line of the block.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterator
from pathlib import Path

import attrs

from tests import cli_forkserver as forkserver

ROOT = Path(__file__).resolve().parents[1]
_FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`]*)$")
_DIRECTIVE = re.compile(r"^<!--\s*doc-test:\s*(?P<what>.*?)\s*-->\s*$")
RUN = {"python": "python", "py": "python", "sh": "sh", "bash": "sh", "shell": "sh", "toml": "toml"}
CONFIG_SECTIONS = {"store", "notify", "channels", "routes", "org"}
SHELL_TIMEOUT = 300
DEMO_SETUP = "gridgov demo --out . --scale 0.2 --duty-seconds 1 >/dev/null"
"""What ``setup demo`` runs (once a test run; each page gets a copy of what it made)."""
_DEMO: Path | None = None


@attrs.frozen
class Block:
    """One fenced block: where it is, its language, its text and its directive."""

    file: Path
    line: int
    """Line of the opening fence (1-based)."""
    lang: str
    text: str
    directive: str = ""

    @property
    def where(self) -> str:
        """``FILE:LINE`` relative to the repository."""
        try:
            name = self.file.relative_to(ROOT)
        except ValueError:
            name = self.file
        return f"{name}:{self.line}"


def blocks(path: Path) -> list[Block]:
    """The fenced blocks of a Markdown file, in order."""
    out: list[Block] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, info = m.group("fence"), m.group("info").strip()
        start = i
        body: list[str] = []
        i += 1
        while i < len(lines) and not (
            lines[i].startswith(fence[0] * len(fence)) and lines[i].strip(fence[0]) == ""
        ):
            body.append(lines[i])
            i += 1
        i += 1  # the closing fence
        j = start - 1
        while j >= 0 and not lines[j].strip():
            j -= 1
        d = _DIRECTIVE.match(lines[j]) if j >= 0 else None
        lang = info.split()[0].lower() if info else ""
        out.append(
            Block(path, start + 1, lang, "\n".join(body) + "\n", d.group("what") if d else "")
        )
    return out


def markdown_files() -> list[Path]:
    """README.md and every Markdown page of the docs."""
    docs = sorted(p for p in (ROOT / "docs").rglob("*.md") if "_build" not in p.parts)
    return [ROOT / "README.md", *docs]


def curtois_data() -> Path | None:
    """The shared Curtois benchmark folder, where this checkout can see it."""
    for candidate in (
        Path("/work/shared/data/curtois"),
        ROOT.parent / "shared" / "data" / "curtois",
    ):
        if candidate.is_dir():
            return candidate
    return None


_ALLOWED = re.compile(r"#\s*exit (?P<codes>\d+(?:\s*(?:,|or)\s*\d+)*)\b")
_COMPOUND = re.compile(r"<<|\b(?:do|then|done|fi|esac)\b|[{}]\s*$")


def checked_script(script: str) -> str:
    """``script`` with every command's exit status checked, one command a line.

    A command may end in a comment saying which other exit status it may have
    (``gridgov roster check ...   # exit 1 if a hard rule is broken``); any other
    non-zero status stops the script with that status and names the line. A
    script with compound commands (heredocs, loops, ``if``) runs under ``set -e``.
    """
    lines = script.splitlines()
    if any(_COMPOUND.search(line.split("#")[0]) for line in lines):
        return "set -e -o pipefail\n" + script
    out: list[str] = ["set -o pipefail"]
    pending = ""
    for n, line in enumerate(lines, start=1):
        if line.rstrip().endswith("\\"):
            pending += line + "\n"
            continue
        command, pending = pending + line, ""
        if not command.strip() or command.lstrip().startswith("#"):
            continue
        m = _ALLOWED.search(command)
        codes = re.findall(r"\d+", m.group("codes")) if m else []
        allowed = " ".join(["0", *codes])
        out += [
            command,
            f'__rc=$?; case " {allowed} " in *" $__rc "*) ;; '
            f'*) echo "line {n}: exit $__rc" >&2; exit $__rc;; esac',
        ]
    return "\n".join(out) + "\n"


class NoServer(LookupError):
    """A block needs a server (PostgreSQL) that does not answer here."""


class FileRun:
    """Runs the blocks of one file in ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.namespace: dict[str, object] = {"__name__": "__doc_example__"}
        self.done: set[str] = set()
        bindir = str(Path(sys.executable).parent)
        server = forkserver.shared()
        if server is not None:  # `gridgov` without the interpreter's start-up each time
            bindir = str(server.bin) + os.pathsep + bindir
        self.env = {**os.environ, "PATH": bindir + os.pathsep + os.environ.get("PATH", "")}
        self.env["COLUMNS"] = "100"
        self.schemas: list[str] = []

    def setup(self, what: str) -> None:
        """Prepare the folder once: ``demo`` or ``curtois``."""
        if what in self.done:
            return
        self.done.add(what)
        if what == "demo":
            shutil.copytree(self._demo(), self.folder, dirs_exist_ok=True)
        elif what == "curtois":
            data = curtois_data()
            if data is None:
                raise LookupError("the Curtois benchmark data (shared/data/curtois) is not here")
            for f in data.iterdir():
                if f.is_file():
                    shutil.copy(f, self.folder / f.name)
        elif what == "postgres":
            self.env["PG_URL"] = self._postgres_schema()
            # a block that opens the server's URL as written lands in the page's schema too
            self.env["PGOPTIONS"] = f"-c search_path={self.schemas[-1]}"
        else:
            raise ValueError(f"unknown doc-test setup {what!r}")

    def _demo(self) -> Path:
        """The folder of ``gridgov demo --scale 0.2``, made once for every page that needs it."""
        global _DEMO
        if _DEMO is None:
            folder = Path(tempfile.mkdtemp(prefix="gridgov-doc-demo-"))
            atexit.register(shutil.rmtree, folder, ignore_errors=True)
            FileRun(folder).shell(DEMO_SETUP, "setup demo")
            _DEMO = folder
        return _DEMO

    def _postgres_schema(self) -> str:
        import uuid

        import psycopg

        server = os.environ.get(
            "GRIDGOV_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
        )
        from psycopg import sql

        schema = f"gridgov_doc_{uuid.uuid4().hex[:12]}"
        try:
            with psycopg.connect(server, connect_timeout=3, autocommit=True) as conn:
                conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        except psycopg.Error as exc:
            raise NoServer(f"no PostgreSQL server answers at {server}: {exc}") from None
        self.schemas.append(schema)
        self._server = server
        return f"{server}{'&' if '?' in server else '?'}schema={schema}"

    def close(self) -> None:
        """Drop what the run made outside its folder (PostgreSQL schemas)."""
        if not self.schemas:
            return
        import psycopg
        from psycopg import sql

        with psycopg.connect(self._server, autocommit=True) as conn:
            for schema in self.schemas:
                conn.execute(
                    sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
                )

    def shell(self, script: str, where: str) -> None:
        """Run a shell script in the folder; raise with its output when it fails."""
        done = subprocess.run(
            ["bash", "-c", checked_script(script)],
            cwd=self.folder,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=SHELL_TIMEOUT,
            check=False,
        )
        if done.returncode != 0:
            raise AssertionError(
                f"{where}: the shell block exited {done.returncode}\n"
                f"--- stdout\n{done.stdout[-3000:]}\n--- stderr\n{done.stderr[-3000:]}"
            )

    def run(self, block: Block) -> str:
        """Run one block; returns what was done (``ran``, ``skipped: ...``, ``not run``)."""
        directive = block.directive
        if directive.startswith("skip"):
            return f"skipped: {directive[4:].strip() or 'no reason given'}"
        if directive.startswith("setup"):
            for what in directive[5:].split():
                self.setup(what)
        kind = RUN.get(block.lang)
        if kind in ("python", "sh") and "postgresql://" in block.text:
            self.setup("postgres")  # never the shared server's own tables
        if kind == "python":
            cwd = os.getcwd()
            os.chdir(self.folder)
            saved = os.environ.get("PGOPTIONS")
            if "PGOPTIONS" in self.env:
                os.environ["PGOPTIONS"] = self.env["PGOPTIONS"]
            try:
                # blank lines first so that tracebacks give the Markdown file's line numbers
                code = compile("\n" * block.line + block.text, block.where, "exec")
                exec(code, self.namespace)
            finally:
                os.chdir(cwd)
                if saved is None:
                    os.environ.pop("PGOPTIONS", None)
                else:
                    os.environ["PGOPTIONS"] = saved
            return "ran"
        if kind == "sh":
            self.shell(block.text, block.where)
            return "ran"
        if kind == "toml":
            return self._toml(block)
        return "not run"

    def _toml(self, block: Block) -> str:
        from gridgov.workspace import Workspace

        data = tomllib.loads(block.text)
        if not set(data) & CONFIG_SECTIONS or set(data) - CONFIG_SECTIONS:
            return "not run"  # not a gridgov.toml (a pyproject.toml fragment...)
        Workspace.from_data(self.folder, data, file=block.where)
        return "ran"


def every_block() -> Iterator[Block]:
    """Every block of every Markdown file."""
    for path in markdown_files():
        yield from blocks(path)
