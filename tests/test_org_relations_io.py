"""Relations (central households, pairings) survive every file format and the store."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings

from gridgov.cli import main
from gridgov.errors import InvalidInput
from gridgov.examples import reference_county
from gridgov.org import (
    Hierarchy,
    from_graph,
    graphml_text,
    loads,
    read_csv,
    read_csv_text,
    read_graphml,
    to_graph,
    write_csv,
    write_csv_text,
    write_graphml,
)
from gridgov.org.json_io import dumps
from gridgov.org.relations_csv import companion_path, relations_csv_text
from gridgov.store import open_store
from gridgov.strategies import hierarchies

FILES = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


def _no_central(tree: Hierarchy) -> set[str]:
    """Deepest-level units with no central household (the sweep's ``no_central`` flag)."""
    rel = tree.relations
    level = tree.levels.names[-1]
    return {u for u in tree.at_level(level) if u not in rel.looked_after and u not in rel.central}


@given(hierarchies(max_units=30, relations=True))
def test_csv_text_round_trip_keeps_relations(t: Hierarchy) -> None:
    back = read_csv_text(
        write_csv_text(t, mask=False, raw=True), relations=relations_csv_text(t, raw=True)
    )
    assert back == t
    assert back.relations.central == t.relations.central
    assert back.relations.gov_units == t.relations.gov_units
    assert _no_central(back) == _no_central(t)


@FILES
@given(hierarchies(max_units=30, relations=True))
def test_csv_file_round_trip_through_the_companion(tmp_path: Path, t: Hierarchy) -> None:
    path = tmp_path / "tree.csv"
    write_csv(t, path, mask=False, raw=True)
    assert read_csv(path) == t


def _clean(text: str) -> str:
    return "".join(c for c in text if c >= " " or c in "\t\n")


def _xml_clean(tree: Hierarchy) -> Hierarchy:
    """``tree`` without the control characters XML 1.0 cannot hold (GraphML's limit, not ours)."""
    out = tree.copy()
    for u in tree:
        party = u.party and attrs.evolve(
            u.party, name=_clean(u.party.name), secretary=_clean(u.party.secretary)
        )
        values = {k: _clean(v) if isinstance(v, str) else v for k, v in u.attributes.items()}
        out.replace(attrs.evolve(u, name=_clean(u.name), attributes=values, party=party))
    return out


@given(hierarchies(max_units=30, relations=True))
def test_graphml_round_trip_keeps_relations(t: Hierarchy) -> None:
    import networkx as nx

    assert from_graph(to_graph(t, mask=False)) == t
    t = _xml_clean(t)
    text = graphml_text(t, mask=False)
    back = from_graph(nx.parse_graphml(text))
    assert back == t


@given(hierarchies(max_units=30, relations=True))
def test_json_round_trip_keeps_relations(t: Hierarchy) -> None:
    assert loads(dumps(t, mask=False)) == t


@given(hierarchies(max_units=30, relations=True))
def test_memory_store_round_trip_keeps_relations(t: Hierarchy) -> None:
    store = open_store("memory://")
    store.save_hierarchy(t)
    assert store.hierarchy() == t


def test_reference_county_keeps_its_central_households_through_every_file(
    tmp_path: Path,
) -> None:
    tree = reference_county(seed=0, scale=0.1)
    want = _no_central(tree)
    assert tree.relations.central and tree.relations.gov_units
    write_csv(tree, tmp_path / "county.csv", mask=False)
    assert companion_path(tmp_path / "county.csv").exists()
    write_graphml(tree, tmp_path / "county.graphml", mask=False)
    for back in (read_csv(tmp_path / "county.csv"), read_graphml(tmp_path / "county.graphml")):
        assert back == tree
        assert _no_central(back) == want
    store = open_store(f"sqlite:///{tmp_path / 'g.db'}")
    store.save_hierarchy(read_csv(tmp_path / "county.csv"))
    stored = store.hierarchy()
    store.close()
    assert stored == tree and _no_central(stored) == want


def test_a_stale_companion_is_emptied_when_the_tree_has_no_relations(tmp_path: Path) -> None:
    tree = reference_county(seed=0, scale=0.1)
    write_csv(tree, tmp_path / "c.csv")
    plain = tree.copy()
    plain.relations = type(tree.relations)(plain)
    write_csv(plain, tmp_path / "c.csv", mask=False)
    assert read_csv(tmp_path / "c.csv").relations == plain.relations


def test_bad_relation_rows_are_all_reported_and_nothing_is_added(tmp_path: Path) -> None:
    tree = reference_county(seed=0, scale=0.1)
    write_csv(tree, tmp_path / "c.csv")
    rel = companion_path(tmp_path / "c.csv")
    rel.write_text(
        "relation,from,to,name,cadres\n"
        "central,ghost,also-ghost,,\n"
        "pairing,G1,T01-C01,Health,seven\n"
        "pairing,G2,T01-C01,Health,3\n"
        "pairing,G2,T01-C01,Water,3\n"
        "friendship,a,b,,\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidInput) as info:
        read_csv(tmp_path / "c.csv")
    lines = [str(e) for e in info.value.errors]
    assert len(lines) == 4, lines
    assert lines[0].startswith(f"{rel}:2: from:")
    assert f"{rel}:3: cadres:" in lines[1]
    assert f"{rel}:5: name:" in lines[2] and "row 4" in lines[2]
    assert f"{rel}:6: relation:" in lines[3]


def test_a_relations_file_is_read_by_the_readers_rules(tmp_path: Path) -> None:
    """The one located decoder (gridgov.utf8) and csv errors kept with the rows before."""
    tree = reference_county(seed=0, scale=0.1)
    write_csv(tree, tmp_path / "c.csv")
    rel = companion_path(tmp_path / "c.csv")
    rel.write_bytes(b"relation,from,to,name,cadres\npairing,G1,T01-C01,Sant\xe9,3\n")
    with pytest.raises(InvalidInput) as info:
        read_csv(tmp_path / "c.csv")
    assert [str(e) for e in info.value.errors] == [f"{rel}: not UTF-8 text (line 2, byte 52)"]
    rel.write_text(
        'relation,from,to,name,cadres\nfriendship,a,b,,\npairing,G1,T01-C01,"Health,3\n',
        encoding="utf-8",
    )
    with pytest.raises(InvalidInput) as info:
        read_csv(tmp_path / "c.csv")
    lines = [str(e) for e in info.value.errors]
    assert len(lines) == 2 and lines[0].startswith(f"{rel}:2: relation:")
    assert lines[1] == f"{rel}:3: unterminated quoted field starting at row 3"


def test_org_import_keeps_the_relations_in_the_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tree = reference_county(seed=0, scale=0.1)
    write_csv(tree, tmp_path / "county.csv", mask=False)
    assert main(["init", str(tmp_path / "ws")]) == 0
    assert main(["org", "import", str(tmp_path / "county.csv"), "-w", str(tmp_path / "ws")]) == 0
    store = open_store(f"sqlite:///{tmp_path / 'ws' / 'gridgov.db'}")
    stored = store.hierarchy()
    store.close()
    assert stored is not None
    assert stored.relations == tree.relations
    assert _no_central(stored) == _no_central(tree)
    capsys.readouterr()
    out = tmp_path / "again.csv"
    assert (
        main(["org", "export", str(tmp_path / "county.csv"), "--to", "csv", "--out", str(out)]) == 0
    )
    assert read_csv(out).relations == tree.relations
