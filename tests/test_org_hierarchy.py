"""Queries and changes on hand-built hierarchies."""

import pytest

from gridgov.errors import ChangeRefused, HierarchyError, UnknownUnit
from gridgov.org import Hierarchy, Levels, PartyOrg, Unit, diff, level_counts, rollup


def small() -> Hierarchy:
    return Hierarchy.from_units(
        [
            (Unit("g1", "grid", "Grid 1"), "c1"),
            (Unit("C", "county", "County"), None),
            (Unit("c1", "community", "Comm 1"), "C"),
            (Unit("c2", "community", "Comm 2"), "C"),
            (Unit("b1", "building", "B1", {"floors": 6}), "g1"),
            (Unit("b2", "building", "B2", {"floors": 9}), "g1"),
            (Unit("h1", "household", "1-101", {"residents": 3}), "b1"),
            (Unit("h2", "household", "1-102", {"residents": 2}), "b1"),
            (Unit("h3", "household", "2-101", {"residents": 4}), "b2"),
            # a village: households directly under a community (levels skipped)
            (Unit("h4", "household", "village 1", {"residents": 5}), "c2"),
        ]
    )


def test_queries_from_the_index() -> None:
    t = small()
    assert t.root == "C"
    assert t.parent("h1") == "b1"
    assert t.parent("C") is None
    assert t.children("g1") == ("b1", "b2")
    assert t.ancestors("h3") == ["b2", "g1", "c1", "C"]
    assert t.path("h3") == ["C", "c1", "g1", "b2", "h3"]
    assert t.descendants("g1") == ["b1", "h1", "h2", "b2", "h3"]
    assert t.depth("C") == 0 and t.depth("h4") == 2 and t.depth("h1") == 4
    assert t.subtree_size("c1") == 7
    assert t.is_ancestor("c1", "h2")
    assert not t.is_ancestor("h2", "c1")
    assert not t.is_ancestor("h2", "h2")
    assert t.lca("h1", "h3") == "g1"
    assert t.lca("h1", "h4") == "C"
    assert t.lca("h1", "b1") == "b1"
    assert t.at_level("household") == ["h1", "h2", "h3", "h4"]
    assert t.at_level("household", under="c2") == ["h4"]
    assert t.leaves() == ["h1", "h2", "h3", "h4"]
    assert t.level_of_ancestor("h1", "community") == "c1"
    assert t.level_of_ancestor("h4", "grid") is None
    with pytest.raises(UnknownUnit):
        t.parent("nope")
    with pytest.raises(UnknownUnit):
        t.descendants("nope")


def test_rollups_and_level_counts() -> None:
    t = small()
    assert rollup(t, "residents")["c1"] == 9
    assert rollup(t, "residents")["C"] == 14
    assert rollup(t, "residents", "count")["g1"] == 3
    assert rollup(t, "residents", "min")["C"] == 2
    assert rollup(t, "residents", "max")["c1"] == 4
    assert rollup(t, "residents", "mean")["b1"] == 2.5
    assert rollup(t, "residents", "mean")["c2"] == 5
    assert rollup(t, "floors", "mean")["c2"] is None
    counts = level_counts(t)
    assert counts["C"]["household"] == 4 and counts["C"]["building"] == 2
    assert counts["h1"] == {}
    with pytest.raises(ChangeRefused, match="unknown aggregate"):
        rollup(t, "residents", "median")  # type: ignore[arg-type]


def test_deep_chain_needs_no_recursion() -> None:
    n = 100_000
    levels = Levels(tuple(f"L{i}" for i in range(n)))
    pairs = [(Unit(f"u{i}", f"L{i}"), f"u{i - 1}" if i else None) for i in range(n)]
    t = Hierarchy.from_units(pairs, levels=levels)
    last = f"u{n - 1}"
    assert t.depth(last) == n - 1
    assert len(t.ancestors(last)) == n - 1
    assert len(t.descendants("u0")) == n - 1
    assert t.lca(last, "u50000") == "u50000"
    assert t.lca(last, f"u{n - 2}") == f"u{n - 2}"
    assert t.is_ancestor("u0", last)
    assert rollup(t, "x", "count")["u0"] == 0
    assert t.check() == []


def test_branching_lca_on_deep_tree() -> None:
    n = 5000
    levels = Levels(tuple(f"L{i}" for i in range(n + 2)))
    pairs = [(Unit(f"u{i}", f"L{i}"), f"u{i - 1}" if i else None) for i in range(n)]
    pairs += [(Unit("a", f"L{n + 1}"), "u4000"), (Unit("b", f"L{n + 1}"), "u1234")]
    t = Hierarchy.from_units(pairs, levels=levels)
    assert t.lca("a", "b") == "u1234"
    assert t.lca("a", f"u{n - 1}") == "u4000"


def test_add_move_remove_rename_update() -> None:
    t = small()
    v = t.version
    t.add(Unit("b3", "building", "B3"), "g1")
    assert t.version == v + 1
    assert t.children("g1") == ("b1", "b2", "b3")
    t.move("h3", "b3")
    assert t.parent("h3") == "b3" and t.descendants("b2") == []
    t.rename("b3", "Building three")
    assert t["b3"].name == "Building three"
    t.update("b3", {"floors": 12}, party=PartyOrg("group", "B3 group", "Li Na"))
    assert t["b3"].attributes == {"floors": 12} and t["b3"].party is not None
    assert t.remove("h3") == ["h3"]
    with pytest.raises(ChangeRefused, match="children"):
        t.remove("g1")
    removed = t.remove("g1", subtree=True)
    assert set(removed) == {"g1", "b1", "b2", "b3", "h1", "h2"}
    assert "h1" not in t and t.check() == []


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (lambda t: t.move("c1", "h1"), "cycle"),
        (lambda t: t.move("c1", "c1"), "cycle"),
        (lambda t: t.move("C", "c1"), "cycle"),
        (lambda t: t.move("b1", "h4"), "not deeper"),
        (lambda t: t.add(Unit("x", "county"), "c1"), "not deeper"),
        (lambda t: t.add(Unit("x", "hamlet"), "c1"), "unknown level"),
        (lambda t: t.add(Unit("h1", "household"), "b1"), "duplicate id"),
        (lambda t: t.add(Unit(" ", "household"), "b1"), "empty id"),
        (lambda t: t.add(Unit("r2", "county"), None), "several roots"),
        (lambda t: t.replace(Unit("g1", "household")), "no longer be deeper"),
    ],
)
def test_refused_changes_leave_the_tree_unchanged(action, message) -> None:
    t = small()
    before = t.copy()
    with pytest.raises(ChangeRefused, match=message):
        action(t)
    assert t == before
    assert t.check() == []


def test_move_to_unknown_parent() -> None:
    t = small()
    with pytest.raises(UnknownUnit):
        t.move("b1", "zzz")
    with pytest.raises(UnknownUnit):
        t.add(Unit("x", "household"), "zzz")


def test_diff_between_versions() -> None:
    old = small()
    new = old.copy()
    new.add(Unit("b9", "building"), "g1")
    new.move("h2", "b9")
    new.rename("c2", "Village")
    new.update("h1", {"residents": 7})
    new.remove("h3")
    d = diff(old, new)
    assert d.added == ("b9",)
    assert d.removed == ("h3",)
    assert [(m.id, m.old_parent, m.new_parent) for m in d.moved] == [("h2", "b1", "b9")]
    assert {(c.id, c.fields) for c in d.changed} == {("c2", ("name",)), ("h1", ("attributes",))}
    assert not diff(old, old.copy())


def test_relations_validate_their_endpoints() -> None:
    t = small()
    t.relations.link_central_household("h1", ["h2", "h3"])
    assert t.relations.central_of("h3") == "h1"
    with pytest.raises(ChangeRefused, match="already looked after"):
        t.relations.link_central_household("h4", ["h2"])
    with pytest.raises(ChangeRefused, match="not 'household'"):
        t.relations.link_central_household("b1", ["h2"])
    with pytest.raises(ChangeRefused, match="not a unit"):
        t.relations.link_central_household("h1", ["ghost"])
    with pytest.raises(ChangeRefused, match="itself"):
        t.relations.link_central_household("h1", ["h1"])
    from gridgov.org import GovUnit

    t.relations.pair(GovUnit("gov1", "Health Bureau", 7), ["c1", "c2"])
    assert [g.id for g in t.relations.paired_with("c2")] == ["gov1"]
    with pytest.raises(ChangeRefused, match="not 'community'"):
        t.relations.pair(GovUnit("gov2"), ["g1"])
    t.remove("h3")
    assert t.relations.central["h1"] == ("h2",)
    t.remove("c2", subtree=True)
    assert t.relations.pairings["gov1"] == ("c1",)
    assert t.relations.check() == []


def test_from_units_collects_every_error() -> None:
    with pytest.raises(HierarchyError) as info:
        Hierarchy.from_units(
            [
                (Unit("C", "county"), None),
                (Unit("D", "county"), None),
                (Unit("x", "grid"), "nowhere"),
                (Unit("a", "grid"), "b"),
                (Unit("b", "grid"), "a"),
                (Unit("", "grid"), "C"),
                (Unit("C", "grid"), "C"),
                (Unit("k", "hamlet"), "C"),
                (Unit("z", "county"), "C"),
            ]
        )
    text = "\n".join(str(e) for e in info.value.errors)
    for expected in (
        "several roots",
        "unknown parent 'nowhere'",
        "cycle: ",
        "empty id",
        "duplicate id 'C'",
        "unknown level 'hamlet'",
        "not deeper",
    ):
        assert expected in text, expected


def test_graph_view_is_a_networkx_tree() -> None:
    import networkx as nx

    t = small()
    g = t.graph
    assert nx.is_arborescence(g)
    assert g.nodes["h1"]["unit"].name == "1-101"
    assert t.graph is g
    t.rename("h1", "x")
    assert t.graph is not g
