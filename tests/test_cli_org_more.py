"""``org find``, ``org diff``, ``org export --root`` and level schemes on the command line."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from gridgov.cli import main
from gridgov.examples import reference_county
from gridgov.org import Hierarchy, Levels, Unit, read_csv, read_json, write_csv
from gridgov.store import open_store

FIVE = Levels(("country", "province", "city", "county", "township"))


def five_level_tree(
    provinces: int = 4, cities: int = 5, counties: int = 6, towns: int = 20
) -> Hierarchy:
    """country > province > city > county > township; names repeat across provinces."""
    tree = Hierarchy(FIVE)
    tree.add(Unit("CN", "country", "Country", {"postcode": "000000"}), None)
    for p in range(provinces):
        pid = f"P{p:02d}"
        tree.add(Unit(pid, "province", f"Province {p}"), "CN")
        for c in range(cities):
            cid = f"{pid}-C{c:02d}"
            tree.add(Unit(cid, "city", f"City {c}"), pid)
            for k in range(counties):
                kid = f"{cid}-K{k:02d}"
                tree.add(Unit(kid, "county", f"County {k}"), cid)
                for t in range(towns):
                    tid = f"{kid}-T{t:02d}"
                    tree.add(Unit(tid, "township", f"Town {t}", {"residents": 100 + t}), kid)
    return tree


@pytest.fixture
def five_csv(tmp_path: Path) -> Path:
    path = tmp_path / "country.csv"
    write_csv(five_level_tree(), path)
    return path


def _csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_unknown_level_says_how_to_declare_a_scheme(
    five_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["org", "validate", str(five_csv)]) == 1
    out = capsys.readouterr().err.splitlines()
    assert "unknown level 'country'" in out[0]
    assert "--levels" in out[0] and "[org] in gridgov.toml" in out[0]
    assert "--levels" not in out[1]  # said once, not on every row
    assert main(["org", "validate", str(five_csv), "--levels", ",".join(FIVE)]) == 0
    assert "township: 2400" in capsys.readouterr().out


def test_five_levels_through_org_import_with_the_workspace_scheme(
    tmp_path: Path, five_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = tmp_path / "ws"
    assert main(["init", str(ws)]) == 0
    text = (ws / "gridgov.toml").read_text(encoding="utf-8")
    (ws / "gridgov.toml").write_text(
        text + '\n[org]\nlevels = ["country", "province", "city", "county", "township"]\n',
        encoding="utf-8",
    )
    capsys.readouterr()
    assert main(["org", "import", str(five_csv), "-w", str(ws)]) == 0
    cap = capsys.readouterr()
    assert "stored 2,545 units and 0 households" in cap.out
    assert "no level 'household' in the scheme" in cap.err
    store = open_store(f"sqlite:///{ws / 'gridgov.db'}")
    try:
        assert store.hierarchy() == read_csv(five_csv, levels=FIVE)
        assert list(store.households()) == []
    finally:
        store.close()
    # the township level named as the household level: 2,400 households, nothing deeper guessed
    assert (
        main(["org", "import", str(five_csv), "-w", str(ws), "--household-level", "township"]) == 0
    )
    assert "2,400 households" in capsys.readouterr().out


def test_workspace_levels_apply_to_commands_run_in_it(
    tmp_path: Path,
    five_csv: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (tmp_path / "gridgov.toml").write_text(
        '[org]\nlevels = ["country", "province", "city", "county", "township"]\n'
        'household_level = "township"\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    assert main(["org", "rollup", str(five_csv), "--sum", "residents", "--level", "province"]) == 0
    out = capsys.readouterr().out
    assert "Province 0" in out


def test_bad_org_section_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "gridgov.toml").write_text(
        '[org]\nlevels = ["a", "a"]\nhousehold_level = 3\ncolour = "red"\n', encoding="utf-8"
    )
    assert main(["org", "import", "x.csv", "-w", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "org.levels: level names repeat" in err
    assert "org.household_level" in err and "org.colour: unknown key" in err


def test_find_shows_the_path_of_every_match(
    five_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["org", "find", str(five_csv), "County 3", "--levels", ",".join(FIVE), "--format", "csv"]
    assert main(args) == 0
    rows = _csv_rows(capsys.readouterr().out)
    assert len(rows) == 4 * 5  # the same name in every city
    assert rows[0]["path"] == "Country > Province 0 > City 0 > County 3"
    assert len({r["path"] for r in rows}) == len(rows)
    assert (
        main(["org", "find", str(five_csv), "Town 1", "--levels", ",".join(FIVE), "--exact"]) == 0
    )
    assert capsys.readouterr().out.count("Town 1 ") == 4 * 5 * 6
    assert main(["org", "find", str(five_csv), "Atlantis", "--levels", ",".join(FIVE)]) == 1


def test_diff_lists_units_and_relations(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = reference_county(seed=0, scale=0.2)
    new = old.copy()
    grids = new.at_level("grid")
    building = new.children(grids[0])[0]
    new.move(building, grids[1])
    new.rename(grids[0], "Renamed grid")
    new.add(Unit("NEW", "building", "Building new"), grids[0])
    central, hhs = next(iter(new.relations.central.items()))
    gone = new.remove(new.at_level("household")[-1])
    write_csv(old, tmp_path / "a.csv", mask=False)
    write_csv(new, tmp_path / "b.csv", mask=False)
    assert (
        main(["org", "diff", str(tmp_path / "a.csv"), str(tmp_path / "b.csv"), "--format", "json"])
        == 1
    )
    rows = json.loads(capsys.readouterr().out)
    kinds = {(r["change"], r["id"]) for r in rows}
    assert ("moved", building) in kinds
    assert ("changed", grids[0]) in kinds
    assert ("added", "NEW") in kinds
    assert ("removed", gone[0]) in kinds
    assert all(r["name"] or r["change"] == "removed" for r in rows)
    del central, hhs
    assert main(["org", "diff", str(tmp_path / "a.csv"), str(tmp_path / "a.csv")]) == 0


def test_diff_sees_relation_changes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = reference_county(seed=0, scale=0.2)
    new = old.copy()
    central = next(iter(new.relations.central))
    new.remove(central)  # its links go with it
    write_csv(old, tmp_path / "a.csv", mask=False)
    write_csv(new, tmp_path / "b.csv", mask=False)
    assert (
        main(["org", "diff", str(tmp_path / "a.csv"), str(tmp_path / "b.csv"), "--format", "csv"])
        == 1
    )
    rows = _csv_rows(capsys.readouterr().out)
    lost = [r for r in rows if r["change"] == "central-removed"]
    assert len(lost) == len(old.relations.central[central])


@pytest.mark.parametrize("fmt", ["csv", "json", "mermaid", "dot"])
def test_export_root_gives_the_subtree(
    tmp_path: Path, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    tree = reference_county(seed=0, scale=0.2)
    write_csv(tree, tmp_path / "c.csv", mask=False)
    community = tree.at_level("community")[0]
    out = tmp_path / f"sub.{fmt}"
    args = ["org", "export", str(tmp_path / "c.csv"), "--to", fmt, "--root", community]
    assert main([*args, "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    other = tree.at_level("community")[1]
    assert other not in text and tree[other].name not in text
    if fmt == "csv":
        sub = read_csv(out)
    elif fmt == "json":
        sub = read_json(out)
    else:
        assert tree[community].name in text
        return
    assert sub.root == community
    assert set(sub.unit_map()) == set(tree.subtree(community))
    inside = {c for c in tree.relations.central if c in sub}
    assert set(sub.relations.central) == inside
    assert main(["org", "export", str(tmp_path / "c.csv"), "--to", fmt, "--root", "nope"]) == 2


def test_leading_zeros_survive_every_format_and_the_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from gridgov.org import read_graphml, write_graphml, write_json

    tree = five_level_tree(provinces=1, cities=1, counties=2, towns=3)
    town = tree.at_level("township")[0]
    tree.update(town, {"postcode": "030100"})
    write_csv(tree, tmp_path / "t.csv")
    write_json(tree, tmp_path / "t.json")
    write_graphml(tree, tmp_path / "t.graphml")
    backs = [
        read_csv(tmp_path / "t.csv", levels=FIVE),
        read_json(tmp_path / "t.json"),
        read_graphml(tmp_path / "t.graphml"),
    ]
    levels = ",".join(FIVE)
    assert main(["init", str(tmp_path / "ws")]) == 0
    args = [
        "org",
        "import",
        str(tmp_path / "t.csv"),
        "--levels",
        levels,
        "-w",
        str(tmp_path / "ws"),
    ]
    assert main(args) == 0
    store = open_store(f"sqlite:///{tmp_path / 'ws' / 'gridgov.db'}")
    try:
        stored = store.hierarchy()
    finally:
        store.close()
    assert stored is not None
    backs.append(stored)
    out = tmp_path / "again.json"
    export = ["org", "export", str(tmp_path / "t.csv"), "--levels", levels, "--to", "json"]
    assert main([*export, "--out", str(out)]) == 0
    backs.append(read_json(out))
    for back in backs:
        assert back == tree
        assert back[town].attributes["postcode"] == "030100"
        assert back["CN"].attributes["postcode"] == "000000"
