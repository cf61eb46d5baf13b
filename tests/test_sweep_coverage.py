"""Batch coverage, the CSV fast path and the tracker against a brute-force statement.

The reference (first half of this file) is written from the rules in docs/sweep.md
with plain datetimes and sets and shares no code with the engine.
"""

from __future__ import annotations

import datetime as dt
import random
import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridgov.errors import InvalidInput
from gridgov.org.hierarchy import Hierarchy
from gridgov.org.unit import Unit
from gridgov.strategies import households, sweep_trees, sweeps, visit_logs
from gridgov.sweep import Household, Occupancy, Outcome, Sweep, Visit
from gridgov.sweep.coverage import coverage
from gridgov.sweep.csv_coverage import coverage_from_csv
from gridgov.sweep.csv_io import households_csv_text, visits_csv_text
from gridgov.sweep.report import Counts
from gridgov.sweep.state import FIELDS
from gridgov.sweep.tracker import CoverageTracker

REACHING = (Outcome.VERIFIED, Outcome.PARTLY_VERIFIED)


def attach_of(tree: Hierarchy, h: Household) -> str:
    return h.id if h.id in tree else h.building


def accepted_visits(
    tree: Hierarchy, households: list[Household], visits: list[Visit], sweep: Sweep
) -> dict[str, tuple[Any, ...]]:
    zone = sweep.start.tzinfo
    scope = set(tree.subtree(sweep.scope))
    known = {h.id for h in households if attach_of(tree, h) in scope}
    groups: dict[str, set[tuple[Any, ...]]] = defaultdict(set)
    for v in visits:
        if v.sweep != sweep.id or v.household not in known:
            continue
        at = v.at
        if zone is None:
            if at.tzinfo is not None:
                continue
        elif at.tzinfo is None:
            at = at.replace(tzinfo=zone)
        if not (sweep.start <= at <= sweep.end):
            continue
        groups[v.id].add(
            (
                v.household,
                at,
                v.visitor,
                v.outcome,
                v.persons_seen,
                v.persons_registered,
                v.note,
                v.returnees,
                v.residents_seen,
            )
        )
    return {vid: next(iter(g)) for vid, g in groups.items() if len(g) == 1}


def household_facts(
    tree: Hierarchy, households: list[Household], visits: list[Visit], sweep: Sweep
) -> dict[str, dict[str, Any]]:
    """Per household of the scope: status, invalid, and what it adds to the counters."""
    scope = set(tree.subtree(sweep.scope))
    mine: dict[str, list[tuple[str, Any]]] = defaultdict(list)
    for vid, content in accepted_visits(tree, households, visits, sweep).items():
        mine[content[0]].append((vid, content))
    facts = {}
    for h in households:
        if attach_of(tree, h) not in scope:
            continue
        vs = mine.get(h.id, [])
        outcomes = [c[3] for _, c in vs]
        if Outcome.VERIFIED in outcomes:
            status = "verified"
        elif Outcome.PARTLY_VERIFIED in outcomes:
            status = "partly-verified"
        elif vs:
            others = [(c[1], vid, c[3]) for vid, c in vs]
            status = max(others)[2].value
        else:
            status = "not-visited"
        reached = status in ("verified", "partly-verified")
        invalid = status == "vacant-confirmed" or (
            not reached and h.occupancy in (Occupancy.MOVED_OUT, Occupancy.COMMERCIAL)
        )
        nah_times = [c[1] for _, c in vs if c[3] is Outcome.NOT_AT_HOME]
        ver_times = [c[1] for _, c in vs if c[3] is Outcome.VERIFIED]
        reaching = [c for _, c in vs if c[3] in REACHING]
        rel = tree.relations
        facts[h.id] = {
            "attach": attach_of(tree, h),
            "status": status,
            "invalid": invalid,
            "discovered": h.discovered,
            "visits": len(vs),
            "nah_ever": bool(nah_times) and not invalid,
            "converted": bool(nah_times and ver_times and min(nah_times) < max(ver_times)),
            "persons": max((c[4] for c in reaching), default=0),
            "returnees": max((c[7] for c in reaching), default=0),
            "no_central": not invalid and rel.central_of(h.id) is None and h.id not in rel.central,
            "first_visit": min((c[1] for _, c in vs), default=None),
        }
    return facts


def expected_counts(tree: Hierarchy, facts: dict[str, dict[str, Any]], unit: str) -> dict[str, int]:
    """The counters of ``unit``, summed over the households below it."""
    below = set(tree.subtree(unit))
    out: dict[str, int] = defaultdict(int)
    for f in facts.values():
        if f["attach"] not in below:
            continue
        out["households"] += 1
        out["discovered"] += f["discovered"]
        out["visits"] += f["visits"]
        if f["invalid"]:
            out["invalid"] += 1
            continue
        field = {"partly-verified": "partly_verified"}.get(f["status"], f["status"])
        out[field.replace("-", "_")] += 1
        out["visited"] += f["status"] != "not-visited"
        out["not_at_home_ever"] += f["nah_ever"]
        out["converted"] += f["converted"]
        out["persons"] += f["persons"]
        out["returnees"] += f["returnees"]
        out["no_central"] += f["no_central"]
    return dict(out)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[Hierarchy, list[Household], Sweep, list[Visit]]:
    tree = draw(sweep_trees())
    hhs = draw(households(tree, max_size=12))
    sweep = draw(sweeps(tree))
    visits = draw(visit_logs(hhs, sweep, max_size=30))
    return tree, hhs, sweep, visits


def _counts_dict(c: Counts) -> dict[str, int]:
    return {f: getattr(c, f) for f in FIELDS if getattr(c, f)}


@given(scenarios())
def test_batch_equals_brute_force_for_every_unit(sc) -> None:
    tree, hhs, sweep, visits = sc
    report = coverage(tree, hhs, visits, sweep)
    facts = household_facts(tree, hhs, visits, sweep)
    for uid in report.units():
        assert _counts_dict(report.counts(uid)) == {
            k: v for k, v in expected_counts(tree, facts, uid).items() if v
        }, uid
    for hid, f in facts.items():
        assert report.status(hid) == f["status"]


@given(scenarios(), st.randoms(use_true_random=False))
def test_incremental_equals_batch_in_any_order(sc, rnd: random.Random) -> None:
    tree, hhs, sweep, visits = sc
    batch = coverage(tree, hhs, visits, sweep)
    shuffled = list(visits)
    rnd.shuffle(shuffled)
    tracker = CoverageTracker(tree, hhs, sweep)
    for v in shuffled:
        tracker.add(v)
        uid = rnd.choice(batch.units())
        c = tracker.counts(uid)  # queries between visits stay consistent
        assert 0 <= c.coverage <= 1
    assert tracker.cols == batch.columns
    bulk = CoverageTracker(tree, hhs, sweep)
    cut = rnd.randrange(len(shuffled) + 1)
    bulk.add_many(shuffled[:cut])
    bulk.add_many(shuffled[cut:])
    assert bulk.cols == batch.columns
    snap = tracker.report()
    assert snap.columns == batch.columns
    assert snap.duplicates == batch.duplicates
    assert [c.visit_id for c in snap.conflicts] == [c.visit_id for c in batch.conflicts]
    assert Counter(map(str, snap.rejects)) == Counter(map(str, batch.rejects))
    now = sweep.end
    assert snap.revisit_queue(now) == batch.revisit_queue(now)


@given(scenarios())
def test_duplicates_change_nothing(sc) -> None:
    tree, hhs, sweep, visits = sc
    once = coverage(tree, hhs, visits, sweep)
    twice = coverage(tree, hhs, visits + visits[::-1], sweep)
    assert twice.columns == once.columns
    assert [c.visit_id for c in twice.conflicts] == [c.visit_id for c in once.conflicts]


@given(scenarios())
def test_coverage_in_unit_interval_and_counts_partition(sc) -> None:
    tree, hhs, sweep, visits = sc
    report = coverage(tree, hhs, visits, sweep)
    for uid in report.units():
        c = report.counts(uid)
        assert 0.0 <= c.coverage <= 1.0
        assert 0.0 <= c.refusal_rate <= 1.0
        assert 0.0 <= c.conversion <= 1.0
        assert c.households == c.target + c.invalid
        assert c.target == (c.reached + c.not_at_home + c.refused + c.no_access + c.not_visited)
        assert c.visited == c.target - c.not_visited
        assert c.revisits == c.target - c.verified
    for row in report.table():
        assert 0.0 <= float(row[4]) <= 1.0


@settings(max_examples=25)
@given(scenarios())
def test_csv_fast_path_equals_batch(sc) -> None:
    tree, hhs, sweep, visits = sc
    visits = [v for v in visits if v.household.strip() == v.household]
    batch = coverage(tree, hhs, visits, sweep)
    with tempfile.TemporaryDirectory() as tmp:
        hp, vp = Path(tmp, "hh.csv"), Path(tmp, "visits.csv")
        hp.write_text(households_csv_text(hhs), encoding="utf-8")
        vp.write_text(visits_csv_text(visits), encoding="utf-8")
        fast = coverage_from_csv(tree, hp, vp, sweep)
    assert fast.columns == batch.columns
    assert fast.duplicates == batch.duplicates
    assert [c.visit_id for c in fast.conflicts] == [c.visit_id for c in batch.conflicts]
    assert sorted((r.visit_id, r.reason) for r in fast.rejects) == sorted(
        (r.visit_id, r.reason) for r in batch.rejects
    )


def _small() -> tuple[Hierarchy, list[Household], Sweep]:
    tree = Hierarchy()
    tree.add(Unit("C", "county"), None)
    tree.add(Unit("G", "grid"), "C")
    tree.add(Unit("B1", "building"), "G")
    tree.add(Unit("B2", "building"), "G")
    hhs = [
        Household("h1", "B1", 1),
        Household("h2", "B1", 2, occupancy=Occupancy.VACANT),
        Household("h3", "B2", 1, occupancy=Occupancy.MOVED_OUT),
        Household("h4", "B2", 3, discovered=True),
    ]
    start = dt.datetime(2020, 2, 10, 8, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    return tree, hhs, Sweep("S", "C", start, start + dt.timedelta(hours=12))


def test_rules_on_a_hand_example() -> None:
    tree, hhs, sweep = _small()
    t = sweep.start
    h = dt.timedelta(hours=1)
    visits = [
        Visit("v1", "S", "h1", t + h, "w", Outcome.NOT_AT_HOME),
        Visit("v2", "S", "h1", t + 3 * h, "w", Outcome.VERIFIED, 3, 3, returnees=1),
        Visit("v3", "S", "h2", t + h, "w", Outcome.VACANT_CONFIRMED),
        Visit("v4", "S", "h4", t + 2 * h, "w", Outcome.REFUSED),
        Visit("v5", "S", "h4", t + 4 * h, "w", Outcome.NOT_AT_HOME),
        Visit("v6", "S", "nobody", t + h, "w", Outcome.VERIFIED),
        Visit("v7", "S", "h4", t - h, "w", Outcome.VERIFIED),
        # naive time: read in the sweep's zone (09:00+08:00), inside the window
        Visit("v8", "S", "h3", dt.datetime(2020, 2, 10, 9), "w", Outcome.NOT_AT_HOME),
    ]
    r = coverage(tree, hhs, visits, sweep)
    c = r.counts("C")
    assert (c.households, c.planned, c.discovered, c.invalid, c.target) == (4, 3, 1, 2, 2)
    assert (c.verified, c.not_at_home, c.refused, c.coverage) == (1, 1, 0, 0.5)
    assert (c.not_at_home_ever, c.converted, c.conversion) == (2, 1, 0.5)
    assert (c.persons, c.returnees, c.visits) == (3, 1, 6)
    assert r.status("h4") == "not-at-home"  # the latest outcome wins
    assert sorted((x.visit_id, x.reason) for x in r.rejects) == [
        ("v6", "unknown household"),
        ("v7", "before the sweep's window"),
    ]
    assert r.table("building") == [
        ("B1", "building", 1, 1, "1.0000", 0, 0, 1, 0),
        ("B2", "building", 1, 0, "0.0000", 1, 0, 1, 0),
    ]
    queue = r.revisit_queue(t + 6 * h)
    assert [(q.household, q.reason, q.age) for q in queue] == [("h4", "not-at-home", 4 * h)]
    points = r.progress(h, start=t, end=t + 4 * h)
    assert [p.reached for p in points] == [0, 0, 0, 1, 1]


def test_naive_sweep_rejects_aware_times_and_conflicts_withdraw_every_version() -> None:
    tree, hhs, _ = _small()
    start = dt.datetime(2020, 2, 10, 8)
    sweep = Sweep("S", "C", start, start + dt.timedelta(hours=12))
    v = Visit("v1", "S", "h1", start + dt.timedelta(hours=1), "w", Outcome.VERIFIED)
    aware = Visit("v2", "S", "h1", start.replace(tzinfo=dt.UTC), "w", Outcome.VERIFIED)
    r = coverage(tree, hhs, [v, attrs.evolve(v, note="other"), v, aware], sweep)
    assert [x.reason for x in r.rejects] == [
        "time has a UTC offset but the sweep's window is naive"
    ]
    assert [x.visit_id for x in r.conflicts] == ["v1"]
    assert len(r.conflicts[0].versions) == 2
    assert r.counts().reached == 0
    assert r.duplicates == 1
    tracker = CoverageTracker(tree, hhs, sweep)
    assert tracker.add(v) == "accepted"
    assert tracker.counts().reached == 1
    assert tracker.add(attrs.evolve(v, note="other")) == "conflict"
    assert tracker.counts().reached == 0
    assert tracker.add(v) == "conflict"
    assert tracker.add(aware) == "time has a UTC offset but the sweep's window is naive"
    assert tracker.cols == r.columns
    assert tracker.report().duplicates == 1


def test_bad_households_name_each_problem() -> None:
    tree, hhs, sweep = _small()
    bad = [*hhs, Household("h1", "B1"), Household("h9", "nowhere"), Household(" ", "B1")]
    with pytest.raises(InvalidInput) as info:
        coverage(tree, bad, [], sweep)
    messages = [str(e) for e in info.value.errors]
    assert any("appears twice" in m for m in messages)
    assert any("unknown building 'nowhere'" in m for m in messages)
    assert any("empty id" in m for m in messages)


def test_mixed_naive_aware_window_is_refused() -> None:
    tree, hhs, sweep = _small()
    bad = attrs.evolve(sweep, end=sweep.end.replace(tzinfo=None))
    with pytest.raises(InvalidInput, match="both be naive"):
        coverage(tree, hhs, [], bad)


def test_csv_fast_path_with_quoted_fields_and_conflicts(tmp_path) -> None:
    tree, hhs, sweep = _small()
    t = sweep.start + dt.timedelta(hours=1)
    visits = [
        Visit("v1", "S", "h1", t, "w", Outcome.NOT_AT_HOME, note="knocked, twice"),
        Visit("v2", "S", "h1", t + dt.timedelta(hours=1), "w", Outcome.VERIFIED, 2, 2),
        Visit("v2", "S", "h1", t + dt.timedelta(hours=1), "w", Outcome.VERIFIED, 3, 3),
        Visit("v3", "S", "h4", t, "w", Outcome.REFUSED, note='said "no"'),
        Visit("v3", "S", "h4", t, "w", Outcome.REFUSED, note='said "no"'),
    ]
    hp, vp = tmp_path / "hh.csv", tmp_path / "v.csv"
    hp.write_text(households_csv_text(hhs))
    vp.write_text(visits_csv_text(visits).replace("\n", "\r\n"))
    fast = coverage_from_csv(tree, hp, vp, sweep)
    batch = coverage(tree, hhs, visits, sweep)
    assert fast.columns == batch.columns
    assert [(c.visit_id, c.rows) for c in fast.conflicts] == [("v2", (3, 4))]
    assert fast.duplicates == batch.duplicates == 1
    assert fast.status("h1") == "not-at-home"
