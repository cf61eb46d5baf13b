"""Property-based tests of the hierarchy's invariants."""

import math

from hypothesis import given
from hypothesis import strategies as st

from gridgov.errors import ChangeRefused, HierarchyError
from gridgov.org import (
    AGGREGATES,
    Hierarchy,
    Row,
    Unit,
    level_counts,
    loads,
    read_csv_text,
    rollup,
    write_csv_text,
)
from gridgov.org.json_io import dumps
from gridgov.strategies import hierarchies


def brute_descendants(t: Hierarchy, uid: str) -> set[str]:
    kids: dict[str, list[str]] = {}
    for u in t:
        p = t.parent(u.id)
        if p is not None:
            kids.setdefault(p, []).append(u.id)
    out: set[str] = set()
    stack = [uid]
    while stack:
        for k in kids.get(stack.pop(), []):
            out.add(k)
            stack.append(k)
    return out


@given(hierarchies(max_units=40))
def test_csv_round_trip(t: Hierarchy) -> None:
    assert read_csv_text(write_csv_text(t, mask=False, raw=True)) == t


@given(hierarchies(max_units=40))
def test_json_round_trip(t: Hierarchy) -> None:
    back = loads(dumps(t, mask=False))
    assert back == t
    for u in t:
        for k, v in u.attributes.items():
            assert type(back[u.id].attributes[k]) is type(v)


@given(hierarchies(max_units=40), st.sampled_from(AGGREGATES))
def test_rollups_equal_brute_force(t: Hierarchy, how: str) -> None:
    got = rollup(t, "residents", how)  # type: ignore[arg-type]
    for u in t:
        vals = [
            x
            for x in (t[d].number("residents") for d in [u.id, *brute_descendants(t, u.id)])
            if x is not None
        ]
        want: float | int | None
        if how == "sum":
            want = sum(vals)
        elif how == "count":
            want = len(vals)
        elif how == "min":
            want = min(vals) if vals else None
        elif how == "max":
            want = max(vals) if vals else None
        else:
            want = sum(vals) / len(vals) if vals else None
        if want is None or got[u.id] is None:
            assert want == got[u.id]
        else:
            assert math.isclose(got[u.id], want, rel_tol=1e-9, abs_tol=1e-6)


@given(hierarchies(max_units=40))
def test_queries_equal_brute_force(t: Hierarchy) -> None:
    counts = level_counts(t)
    for u in t:
        desc = brute_descendants(t, u.id)
        assert set(t.descendants(u.id)) == desc
        assert t.subtree_size(u.id) == len(desc) + 1
        assert sum(counts[u.id].values()) == len(desc)
        chain = []
        p = t.parent(u.id)
        while p is not None:
            chain.append(p)
            p = t.parent(p)
        assert t.ancestors(u.id) == chain
        assert t.depth(u.id) == len(chain)
    ids = [u.id for u in t]
    for a in ids[:8]:
        for b in ids[-8:]:
            common = [x for x in [a, *t.ancestors(a)] if x in {b, *t.ancestors(b)}]
            assert t.lca(a, b) == common[0]
            assert t.is_ancestor(a, b) == (b in brute_descendants(t, a))


@given(hierarchies(min_units=2, max_units=30), st.data())
def test_move_keeps_the_tree_valid(t: Hierarchy, data: st.DataObject) -> None:
    ids = [u.id for u in t]
    for _ in range(5):
        a = data.draw(st.sampled_from(ids))
        b = data.draw(st.sampled_from(ids))
        before = t.copy()
        try:
            t.move(a, b)
        except ChangeRefused:
            assert t == before
        else:
            assert t.parent(a) == b
        assert t.check() == []
        assert len(t.index.order) == len(t)


@given(hierarchies(min_units=2, max_units=30), st.data())
def test_remove_keeps_the_tree_valid(t: Hierarchy, data: st.DataObject) -> None:
    uid = data.draw(st.sampled_from([u.id for u in t][1:]))
    expected = {uid, *brute_descendants(t, uid)}
    gone = t.remove(uid, subtree=True)
    assert set(gone) == expected
    assert t.check() == []
    assert all(g not in t for g in gone)


@given(hierarchies(min_units=3, max_units=25), st.data())
def test_validation_reports_every_injected_error(t: Hierarchy, data: st.DataObject) -> None:
    rows = [Row(u, t.parent(u.id), row=i + 2, file="f.csv") for i, u in enumerate(t)]
    n = len(rows)
    victims = data.draw(st.lists(st.integers(1, n - 1), min_size=1, max_size=3, unique=True))
    expected: dict[int, str] = {}
    for v in victims:
        kind = data.draw(st.sampled_from(["parent", "level", "id"]))
        r = rows[v]
        if kind == "parent":
            rows[v] = Row(r.unit, "\x01missing", r.row, r.file)
            expected[r.row or 0] = "unknown parent"
        elif kind == "level":
            rows[v] = Row(Unit(r.unit.id, "\x01nolevel"), r.parent, r.row, r.file)
            expected[r.row or 0] = "unknown level"
        else:
            rows[v] = Row(Unit("", r.unit.level), r.parent, r.row, r.file)
            expected[r.row or 0] = "empty id"
    try:
        Hierarchy.from_rows(rows)
    except HierarchyError as exc:
        for row, text in expected.items():
            assert any(e.row == row and text in e.message for e in exc.errors), (row, text)
    else:
        raise AssertionError("invalid rows were accepted")
