"""The household level is the scheme's declared one, never simply the deepest level.

Relations (central households) sit at :attr:`gridgov.org.Levels.household`: the level
named ``household`` unless the scheme names another (``[org] household_level``,
``Levels(names, household=...)``), and every file format and store keeps it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridgov.cli import main
from gridgov.errors import ChangeRefused
from gridgov.org import Hierarchy, Levels, Unit, from_graph, graphml_text, loads, to_graph
from gridgov.org.json_io import dumps
from gridgov.store import open_store
from gridgov.strategies import hierarchies

# households are not the deepest level here: residents sit below them
WITH_RESIDENTS = Levels(("county", "grid", "household", "resident"))
# no level is called household: the scheme says which one is
TOWNSHIPS = Levels(("country", "province", "township"), household="township")


def _tree(levels: Levels, house: str) -> Hierarchy:
    units = [(Unit("C", levels.names[0], "C"), None), (Unit("G", levels.names[1], "G"), "C")]
    units += [(Unit(f"H{i}", house, f"H{i}"), "G") for i in range(3)]
    if "resident" in levels:
        units.append((Unit("R1", "resident", "R1"), "H0"))
    return Hierarchy.from_units(units, levels=levels)


def test_central_households_sit_at_the_household_level_not_the_deepest() -> None:
    tree = _tree(WITH_RESIDENTS, "household")
    assert WITH_RESIDENTS.household == "household"
    tree.relations.link_central_household("H0", ["H1", "H2"])  # refused before: not 'resident'
    assert tree.relations.central_of("H2") == "H0"
    assert tree.relations.check() == []
    with pytest.raises(ChangeRefused, match="not 'household'"):
        tree.relations.link_central_household("R1", ["H1"])


def test_a_scheme_declares_its_household_level() -> None:
    tree = _tree(TOWNSHIPS, "township")
    tree.relations.link_central_household("H0", ["H1"])
    assert tree.relations.household_level == "township"
    plain = _tree(Levels(("country", "province", "township")), "township")
    assert plain.levels.household is None
    with pytest.raises(ChangeRefused, match="no household level"):
        plain.relations.link_central_household("H0", ["H1"])  # accepted before (the deepest)
    with pytest.raises(ValueError, match="not one of the levels"):
        Levels(("a", "b"), household="c")


@pytest.mark.parametrize(
    "levels", [WITH_RESIDENTS, TOWNSHIPS, Levels(("a", "b", "household"), household=None)]
)
def test_every_format_and_store_keeps_the_household_level(levels: Levels, tmp_path: Path) -> None:
    house = levels.household or levels.names[-1]
    tree = _tree(levels, house)
    if levels.household is not None:
        tree.relations.link_central_household("H0", ["H1"])
    assert loads(dumps(tree)).levels == levels
    assert from_graph(to_graph(tree)).levels == levels
    from gridgov.org import read_graphml

    (tmp_path / "t.graphml").write_text(graphml_text(tree), encoding="utf-8")
    assert read_graphml(tmp_path / "t.graphml").levels == levels
    for url in ("memory://", f"sqlite:///{tmp_path}/s.db"):
        store = open_store(url)
        try:
            store.save_hierarchy(tree)
            back = store.hierarchy()
            assert back is not None and back.levels == levels
            assert back.relations.central == tree.relations.central
        finally:
            store.close()


def test_files_of_the_default_scheme_are_unchanged() -> None:
    tree = _tree(Levels(("county", "grid", "household")), "household")
    assert "household_level" not in dumps(tree)
    assert "household_level" not in graphml_text(tree)


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_drawn_relations_sit_at_the_household_level(data: st.DataObject) -> None:
    names = ("a", "b", "c", "d")
    household = data.draw(st.sampled_from((None, "b", "c")))
    levels = Levels(names, household=household)
    tree = data.draw(hierarchies(levels=levels, max_units=20, relations=True))
    rel = tree.relations
    ends = set(rel.central) | set(rel.looked_after)
    assert all(tree[u].level == household for u in ends)
    assert rel.check() == []


def test_the_workspace_household_level_reaches_the_relations_reader(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "gridgov.toml").write_text(
        '[org]\nlevels = ["country", "province", "township", "street"]\n'
        'household_level = "township"\n',
        encoding="utf-8",
    )
    county = tmp_path / "k.csv"
    county.write_text(
        "id,parent,level,name\nK,,country,K\nP,K,province,P\n"
        "T1,P,township,T1\nT2,P,township,T2\nS1,T1,street,S1\n",
        encoding="utf-8",
    )
    (tmp_path / "k.relations.csv").write_text(
        "relation,from,to,name,cadres\ncentral,T1,T2,,\n", encoding="utf-8"
    )
    monkeypatch.chdir(ws)
    code = main(["org", "validate", str(county)])
    err = capsys.readouterr().err
    assert code == 0, err  # before: "central household 'T1' is at level 'township', not 'street'"
    monkeypatch.chdir(tmp_path)  # no workspace: the scheme names no household level
    code = main(["org", "validate", str(county), "--levels", "country,province,township,street"])
    err = capsys.readouterr().err
    assert code == 1
    assert "no household level" in err
