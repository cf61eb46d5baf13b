"""The README's Python tour and its shell tour run as written."""

import os
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_blocks_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 4
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "readme"}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)
    assert os.path.exists("county.csv")


_ALLOWED = re.compile(r"#\s*exit (\d+(?:\s*(?:,|or)\s*\d+)*)\b")


def checked(script: str) -> str:
    """``script`` with each command's exit status checked (``# exit N`` allows N too).

    The same convention as the docs' block runner (tests/doc_blocks.py once it
    lands, which will take this test over): one command a line, any status not
    allowed stops the script and names the line.
    """
    out = ["set -o pipefail"]
    for n, line in enumerate(script.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = _ALLOWED.search(line)
        allowed = " ".join(["0", *re.findall(r"\d+", m.group(1) if m else "")])
        out += [
            line,
            f'__rc=$?; case " {allowed} " in *" $__rc "*) ;; '
            f'*) echo "README shell line {n}: exit $__rc" >&2; exit $__rc;; esac',
        ]
    return "\n".join(out) + "\n"


def test_readme_shell_block_runs_in_an_empty_folder(tmp_path: Path) -> None:
    import subprocess
    import sys

    blocks = re.findall(r"```sh\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    tour = [b for b in blocks if "gridgov demo --out demo" in b]
    assert len(tour) == 1
    assert not list(tmp_path.iterdir())
    env = {**os.environ, "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"]}
    done = subprocess.run(
        ["bash", "-c", checked(tour[0])],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert (tmp_path / "demo" / "county.relations.csv").exists()
    assert (tmp_path / "ws" / "gridgov.db").exists()
    assert "2020-02-10" in done.stdout
