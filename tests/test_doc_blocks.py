"""Every example in README.md and docs/**/*.md runs as written (tests/doc_blocks.py runs them)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.doc_blocks import (
    ROOT,
    FileRun,
    NoServer,
    blocks,
    checked_script,
    every_block,
    markdown_files,
)

PAGES = [p for p in markdown_files() if p.name != "README.md"]


def _run_file(path: Path, folder: Path) -> list[str]:
    run = FileRun(folder)
    try:
        return [run.run(b) for b in blocks(path)]
    except NoServer as exc:
        if os.environ.get("GRIDGOV_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"{path.name}: {exc} (GRIDGOV_REQUIRE_POSTGRES=1)")
        pytest.skip(f"{path.name}: {exc}")
    finally:
        run.close()


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_block_of_the_docs_runs(page: Path, tmp_path: Path) -> None:
    _run_file(page, tmp_path)


def test_the_readme_tour_runs(tmp_path: Path) -> None:
    readme = ROOT / "README.md"
    python = [b for b in blocks(readme) if b.lang == "python"]
    assert len(python) >= 4
    done = _run_file(readme, tmp_path)
    assert done.count("ran") >= len(python)
    assert (tmp_path / "county.csv").exists()


def test_every_skipped_block_says_why() -> None:
    for block in every_block():
        if block.directive.startswith("skip"):
            assert block.directive[4:].strip(), f"{block.where}: doc-test: skip needs a reason"


def test_the_runner_finds_blocks_and_fails_on_errors(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "# t\n\n```python\nx = 41\n```\n\ntext\n\n````sh\necho hi > out.txt\n````\n\n"
        "<!-- doc-test: skip it is only a picture -->\n```python\nraise SystemExit(3)\n```\n"
        "```python\nassert x + 1 == 42\nraise ValueError('boom')\n```\n",
        encoding="utf-8",
    )
    found = blocks(page)
    assert [(b.line, b.lang, b.directive) for b in found] == [
        (3, "python", ""),
        (9, "sh", ""),
        (14, "python", "skip it is only a picture"),
        (17, "python", ""),
    ]
    folder = tmp_path / "run"
    folder.mkdir()
    run = FileRun(folder)
    assert [run.run(b) for b in found[:3]] == ["ran", "ran", "skipped: it is only a picture"]
    assert (folder / "out.txt").read_text() == "hi\n"
    with pytest.raises(ValueError, match="boom") as info:
        run.run(found[3])
    assert info.traceback[-1].lineno + 1 == 19  # the Markdown file's own line


@pytest.mark.parametrize(
    ("script", "ok"),
    [
        ("true\nfalse\ntrue\n", False),
        ("false  # exit 1 when nothing matches\n", True),
        ("exit 2  # exit 1 if bad\n", False),
        ('cd /\ntest "$PWD" = /\n', True),
        ("echo a \\\n  b | grep -q 'a b'\n", True),
        ("false | true\n", False),
    ],
)
def test_shell_blocks_check_every_command(tmp_path: Path, script: str, ok: bool) -> None:
    import subprocess

    done = subprocess.run(["bash", "-c", checked_script(script)], cwd=tmp_path, check=False)
    assert (done.returncode == 0) == ok


FORKED_COMMANDS = [
    "gridgov --help",
    "gridgov org validate nope.csv",  # exit 1, error on stderr
    "gridgov org bogus",  # exit 2, usage on stderr
    "printf 'id,parent,level,name\\nC,,county,Co\\n' > c.csv && gridgov org show c.csv",
    "printf 'id,parent,level,name\\nC,,county,Co\\n' | gridgov org validate /dev/stdin",
    "GRIDGOV_ENGINE=bogus gridgov org validate c.csv",  # the command's own environment
    "mkdir -p sub && cd sub && gridgov init ws >/dev/null && ls ws",  # its own folder
]


@pytest.mark.parametrize("command", FORKED_COMMANDS)
def test_the_fork_server_runs_a_command_as_the_console_script_does(
    command: str, tmp_path: Path
) -> None:
    """Same stdout, stderr and status through tests/cli_forkserver.py as through the real
    ``gridgov`` of the venv (what the doc blocks' shell lines see)."""
    import subprocess
    import sys

    from tests import cli_forkserver

    server = cli_forkserver.shared()
    if server is None:
        pytest.skip("the fork server is off (GRIDGOV_DOC_FORKSERVER=0)")
    venv = str(Path(sys.executable).parent)
    outcomes = []
    for name, path in (("console", venv), ("forked", f"{server.bin}{os.pathsep}{venv}")):
        folder = tmp_path / name
        folder.mkdir()
        env = {**os.environ, "PATH": path + os.pathsep + os.environ["PATH"], "COLUMNS": "100"}
        done = subprocess.run(
            ["bash", "-c", command], cwd=folder, env=env, capture_output=True, text=True
        )
        outcomes.append((done.returncode, done.stdout, done.stderr.replace(str(folder), "")))
    assert outcomes[0] == outcomes[1]


def test_the_fork_server_kills_a_command_whose_shell_is_gone(tmp_path: Path) -> None:
    """A timeout that kills the shell kills its command too (it is not the shell's child)."""
    import select
    import subprocess
    import time

    from tests import cli_forkserver

    server = cli_forkserver.shared()
    if server is None:
        pytest.skip("the fork server is off (GRIDGOV_DOC_FORKSERVER=0)")
    client = subprocess.Popen(
        [str(server.bin / "gridgov"), "demo", "--out", "d", "--duty-seconds", "120"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1.0)
    client.kill()
    client.wait()
    assert client.stdout is not None
    # the command writes to this pipe too: it closes when the command is gone
    deadline = time.monotonic() + 60
    while True:
        assert time.monotonic() < deadline, "the command outlived its client"
        ready, _, _ = select.select([client.stdout], [], [], 1.0)
        if ready and not client.stdout.read1(65536):
            break
    client.stdout.close()
