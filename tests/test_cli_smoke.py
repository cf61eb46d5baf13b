from pathlib import Path

from gridgov.cli import main


def test_demo_writes_the_county(tmp_path: Path, capsys) -> None:
    assert main(["demo", "--out", str(tmp_path), "--scale", "0.1", "--duty-seconds", "0.5"]) == 0
    out = capsys.readouterr().out
    assert "community" in out
    assert (tmp_path / "county.csv").read_text().startswith("id,parent,level,name")
    assert (tmp_path / "county.mmd").read_text().startswith("flowchart TD")
