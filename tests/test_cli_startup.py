"""Start-up of the ``gridgov`` command: building the parser loads no engine.

Every command's parser is defined cheaply; the engines a command needs (the org
readers with networkx, the duty solver, the sweep engine, the store, the notifier,
pyarrow, numpy, psycopg, icalendar) are imported only when that command runs.
Each case runs in a fresh interpreter, so what this test process already imported
does not count.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("pyarrow", "numpy", "networkx", "psycopg", "icalendar")
"""Third-party packages no parser may load."""

ENGINES = (
    "gridgov.org",
    "gridgov.duty",
    "gridgov.sweep",
    "gridgov.store",
    "gridgov.notify",
    "gridgov.workspace",
    "gridgov.examples",
)
"""gridgov's own engines, loaded by a command's handler, never by its parser."""

_PROBE = """
import json, sys
import gridgov.cli
argv = json.loads(sys.argv[1])
if argv is not None:
    gridgov.cli.build_parser()
    if argv:
        try:
            gridgov.cli.main(argv)
        except SystemExit:
            pass
print(json.dumps(sorted(sys.modules)))
"""


def _loaded(argv: list[str] | None) -> list[str]:
    """Modules loaded by importing the CLI (and building its parser, and running ``argv``)."""
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(argv)],
        capture_output=True,
        text=True,
        check=True,
    )
    names: list[str] = json.loads(out.stdout.splitlines()[-1])
    return names


def _heavy(names: list[str]) -> list[str]:
    return sorted(
        n
        for n in names
        if n.split(".")[0] in HEAVY or any(n == e or n.startswith(e + ".") for e in ENGINES)
    )


@pytest.mark.parametrize(
    "argv",
    [
        None,
        [],
        ["--help"],
        ["sweep", "coverage", "--help"],
        ["roster", "solve", "--help"],
        ["org", "validate", "--help"],
        ["org"],
    ],
    ids=[
        "import",
        "parser",
        "help",
        "sweep-coverage-help",
        "roster-solve-help",
        "org-validate-help",
        "usage-error",
    ],
)
def test_parser_loads_no_engine(argv: list[str] | None) -> None:
    assert _heavy(_loaded(argv)) == []


def test_running_a_command_loads_its_engine(tmp_path: object) -> None:
    """The guard above can fail: a command that runs does load its engine."""
    from pathlib import Path

    org = Path(str(tmp_path)) / "org.csv"
    org.write_text("id,parent,level,name\nC,,county,Cty\n", encoding="utf-8")
    names = _loaded(["org", "validate", str(org)])
    assert "gridgov.org" in names
    assert "networkx" in names
