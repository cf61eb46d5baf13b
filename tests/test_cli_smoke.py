from pathlib import Path

from gridgov.cli import main


def test_demo_writes_the_county(tmp_path: Path, capsys) -> None:
    assert main(["demo", "--out", str(tmp_path), "--scale", "0.1", "--duty-seconds", "0.5"]) == 0
    out = capsys.readouterr().out
    assert "community" in out
    assert "the store's coverage (computed in SQL) equals the coverage above for all" in out
    assert (tmp_path / "county.csv").read_text().startswith("id,parent,level,name")
    assert (tmp_path / "county.mmd").read_text().startswith("flowchart TD")


def test_demo_names_no_cadre_in_full(tmp_path: Path, capsys) -> None:
    from gridgov.cli.roster_demo import duty_demo
    from gridgov.examples import reference_duty

    duty_demo(tmp_path, seed=1, scale=0.1, time_limit=0.2)
    out = capsys.readouterr().out
    html = (tmp_path / "roster.html").read_text(encoding="utf-8")
    people = [r for r in reference_duty(seed=1, scale=0.1).resources if r.kind == "person"]
    assert people
    for person in people:
        assert person.name not in out and person.name not in html
        assert f"({person.id})" in html
