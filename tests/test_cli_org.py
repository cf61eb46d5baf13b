"""The `gridgov org` commands: outputs, exit codes and one-line errors."""

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from gridgov.cli import main
from gridgov.examples import reference_county
from gridgov.org import read_csv, rollup, write_csv


@pytest.fixture(scope="module")
def county_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("org") / "county.csv"
    write_csv(reference_county(seed=1, scale=0.1), path, mask=False)
    return path


def test_validate_ok(county_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["org", "validate", str(county_csv)]) == 0
    out = capsys.readouterr().out
    assert "valid" in out
    assert "community: 1" in out


def test_validate_lists_every_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("id,parent,level,name,residents\nC,,county,C,\nx,C,grid,X,lots\ny,q,grid,Y,\n")
    assert main(["org", "validate", str(bad)]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert lines == [
        f"gridgov: error: {bad}:3: residents: not a number: 'lots'",
        f"gridgov: error: {bad}:4: parent: unknown parent 'q'",
        "gridgov: 2 error(s)",
    ]


def test_rollup_csv_at_a_level(county_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["org", "rollup", str(county_csv), "--sum", "residents", "--level", "community"]
    assert main([*args, "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == ["id", "name", "level", "residents"]
    tree = read_csv(county_csv)
    sums = rollup(tree, "residents")
    assert rows[1:] == [
        [c, tree[c].name, "community", str(sums[c])] for c in tree.at_level("community")
    ]
    assert main([*args, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data[0]["residents"] == sums[data[0]["id"]]


def test_rollup_errors(county_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["org", "rollup", str(county_csv), "--sum", "nothing"]) == 1
    assert "no unit has a numeric value for 'nothing'" in capsys.readouterr().err
    assert main(["org", "rollup", str(county_csv), "--sum", "residents", "--level", "x"]) == 2


def test_show_with_depth(county_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["org", "show", str(county_csv), "--depth", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 + len(read_csv(county_csv).at_level("township"))
    assert "household" in lines[0]
    assert lines[1].startswith("  ")


@pytest.mark.parametrize("fmt", ["csv", "json", "graphml", "mermaid", "dot"])
def test_export_formats(county_csv: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"x.{fmt}"
    assert (
        main(["org", "export", str(county_csv), "--to", fmt, "--out", str(out), "--depth", "2"])
        == 0
    )
    text = out.read_text()
    assert text
    if fmt in ("csv", "json", "graphml"):
        back = out.with_suffix({"csv": ".csv", "json": ".json", "graphml": ".graphml"}[fmt])
        assert main(["org", "validate", str(back)]) == 0


def test_export_masks_personal_data_unless_asked(county_csv: Path, tmp_path: Path) -> None:
    tree = read_csv(county_csv)
    secretary = next(u.party.secretary for u in tree if u.party and u.party.secretary)
    masked, clear = tmp_path / "m.json", tmp_path / "c.json"
    assert main(["org", "export", str(county_csv), "--to", "json", "--out", str(masked)]) == 0
    assert secretary not in masked.read_text()
    args = ["org", "export", str(county_csv), "--to", "json", "--out", str(clear)]
    assert main([*args, "--reveal-personal"]) == 0
    assert secretary in clear.read_text()


def test_missing_file_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["org", "show", "/nonexistent/org.csv"]) == 1
    err = capsys.readouterr().err
    assert err == "gridgov: error: /nonexistent/org.csv: no such file\n"


def test_console_script_usage_and_no_traceback(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("gridgov")
    usage = subprocess.run([exe, "org", "rollup"], capture_output=True, text=True)
    assert usage.returncode == 2
    bad = tmp_path / "b.csv"
    bad.write_bytes(b"\xff\xfe")
    run = subprocess.run([exe, "org", "show", str(bad)], capture_output=True, text=True)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert run.stderr.startswith("gridgov: error: ")


def test_custom_level_scheme(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "p.csv"
    f.write_text("id,parent,level,name\nP,,province,P\nc,P,city,C\nd,c,district,D\n")
    assert main(["org", "validate", str(f)]) == 1
    assert "unknown level 'province'" in capsys.readouterr().err
    assert main(["org", "validate", str(f), "--levels", "province,city,district"]) == 0
    assert "district: 1" in capsys.readouterr().out
    assert main(["org", "validate", str(f), "--levels", "a,a"]) == 2
    assert "--levels: level names repeat" in capsys.readouterr().err
