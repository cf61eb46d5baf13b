"""The sweep in a workspace: the demo's own files in, the same coverage out; conflicts resolved."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from gridgov.cli import main
from gridgov.cli.sweep_demo import demo_sweep
from gridgov.examples import reference_county
from gridgov.org import write_csv
from gridgov.store import open_store
from gridgov.workspace import Workspace


def _rows(text: str) -> dict[str, dict[str, str]]:
    return {r["unit_id"]: r for r in csv.DictReader(io.StringIO(text))}


@pytest.fixture
def demo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, Path, str]:
    """The demo's sweep files and a fresh workspace they were imported into."""
    out = tmp_path / "demo"
    tree = reference_county(seed=4, scale=0.03)
    write_csv(tree, out / "county.csv")
    _, sweep, _ = demo_sweep(tree, out, seed=4)
    printed = capsys.readouterr().out
    ws = tmp_path / "ws"
    w = ["-w", str(ws)]
    assert main(["init", str(ws)]) == 0
    assert main(["org", "import", str(out / "county.csv"), *w]) == 0
    assert main(["sweep", "import-households", str(out / "households.csv"), *w]) == 0
    start, end = sweep.start.isoformat(), sweep.end.isoformat()
    assert main(["sweep", "create", sweep.id, "--scope", sweep.scope, "--start", start, "--end",
                 end, *w]) == 0  # fmt: skip
    assert main(["sweep", "import-visits", str(out / "visits.csv"), *w]) == 0
    capsys.readouterr()
    assert f"--start {start} --end {end}" in printed  # the demo says how to load its files
    return out, ws, printed


def test_the_demo_files_import_and_the_store_gives_the_demo_coverage(
    demo: tuple[Path, Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    out, ws, printed = demo
    store_args = ["sweep", "coverage", "--sweep", "S1", "-w", str(ws)]
    files = ["--org", str(out / "county.csv"), "--households", str(out / "households.csv")]
    files += ["--visits", str(out / "visits.csv"), "--sweep", "S1", "--tz", "+08:00"]
    files += ["--start", "2020-02-10T08:00:00", "--end", "2020-02-10T20:00:00"]
    for fmt in ("csv", "json", "table"):
        for by in ([], ["--by", "community"]):
            assert main([*store_args, *by, "--format", fmt]) == 0
            from_store = capsys.readouterr().out
            assert main(["sweep", "coverage", *files, *by, "--format", fmt]) == 0
            assert capsys.readouterr().out == from_store, (fmt, by)
    assert main([*store_args, "--format", "csv"]) == 0
    store_rows = _rows(capsys.readouterr().out)
    demo_rows = _rows((out / "coverage.csv").read_text(encoding="utf-8"))
    assert demo_rows
    for uid, row in demo_rows.items():
        got = store_rows[uid]
        assert (got["target"], got["reached"], got["coverage"]) == (
            row["target"],
            row["reached"],
            row["coverage"],
        )
    # the percentages the demo printed per community are the store's figures
    assert main([*store_args, "--by", "community", "--format", "csv"]) == 0
    for row in _rows(capsys.readouterr().out).values():
        share = int(row["reached"]) / int(row["target"])
        assert f"{int(row['reached']):>6,} / {int(row['target']):<6,} {share:>6.1%}" in printed


def test_households_import_is_idempotent_and_checks_buildings(
    demo: tuple[Path, Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, ws, _ = demo
    assert main(["sweep", "import-households", str(out / "households.csv"), "-w", str(ws)]) == 0
    n = len((out / "households.csv").read_text(encoding="utf-8").splitlines()) - 1
    assert f": 0 new, 0 changed, {n:,} unchanged" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("id,building,floor,occupancy\nh1,NOPE,1,Moved Out\n", encoding="utf-8")
    assert main(["sweep", "import-households", str(bad), "-w", str(ws)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:2: building: unknown building 'NOPE'" in err
    store = Workspace.load(ws).open_store()
    assert store.household("h1") is None
    store.close()


def test_conflicts_are_listed_masked_and_resolved_as_a_new_fact(
    demo: tuple[Path, Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, ws, _ = demo
    w = ["-w", str(ws)]
    first = next(csv.DictReader(io.StringIO((out / "visits.csv").read_text(encoding="utf-8"))))
    changed = {**first, "outcome": "Not at home", "note": "Zhang Wei was out"}
    path = tmp_path / "edited.csv"
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(first), lineterminator="\n")
    writer.writeheader()
    writer.writerow(changed)
    path.write_text(buf.getvalue(), encoding="utf-8")
    assert main(["sweep", "coverage", "--sweep", "S1", "--format", "csv", *w]) == 0
    before = _rows(capsys.readouterr().out)
    assert main(["sweep", "import-visits", str(path), *w]) == 1
    assert "both versions kept" in capsys.readouterr().err
    assert main(["sweep", "conflicts", "--sweep", "S1", "--format", "csv", *w]) == 0
    captured = capsys.readouterr()
    listed = list(csv.DictReader(io.StringIO(captured.out)))
    assert [(r["visit_id"], r["version"], r["kept"]) for r in listed] == [
        (first["id"], "1", ""),
        (first["id"], "2", ""),
    ]
    assert "Zhang Wei" not in captured.out  # personal data masked by default
    assert "1 unresolved" in captured.err
    assert main(["sweep", "coverage", "--sweep", "S1", "--format", "csv", *w]) == 0
    during = _rows(capsys.readouterr().out)
    root = next(iter(before))
    assert int(during[root]["reached"]) <= int(before[root]["reached"])
    assert main(["sweep", "resolve", first["id"], "--sweep", "S1", "--keep", "1", *w]) == 0
    assert "version 1 kept; it now counts" in capsys.readouterr().out
    assert main(["sweep", "coverage", "--sweep", "S1", "--format", "csv", *w]) == 0
    assert _rows(capsys.readouterr().out) == before
    assert main(["sweep", "resolve", first["id"], "--sweep", "S1", "--keep", "3", *w]) == 1
    assert "there is no version 3" in capsys.readouterr().err
    store = open_store(Workspace.load(ws).resolve_url())
    assert [c.kept for c in store.conflicts("S1")] == [1]
    store.close()
