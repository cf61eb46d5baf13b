"""LQAS sampling plans and emergency reinforcement."""

from __future__ import annotations

import itertools
import random
from math import isclose

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gridgov.examples import reference_county
from gridgov.org.hierarchy import Hierarchy
from gridgov.org.relations import GovUnit
from gridgov.org.unit import Unit
from gridgov.sweep.lqas import (
    accept_probability,
    choose_plan,
    decide,
    decision_value,
    draw_samples,
    operating_characteristic,
)
from gridgov.sweep.reinforce import households_per_community, plan_reinforcement


@given(st.integers(1, 12), st.data(), st.floats(0, 1))
def test_accept_probability_equals_enumeration(n, data, p) -> None:
    d = data.draw(st.integers(0, n))
    # brute force: every pattern of covered / not covered households
    total = 0.0
    for pattern in itertools.product((True, False), repeat=n):
        fails = pattern.count(False)
        if fails <= d:
            total += p ** (n - fails) * (1 - p) ** fails
    assert isclose(accept_probability(n, d, p), total, abs_tol=1e-9)


@given(st.integers(1, 30), st.data())
def test_operating_characteristic_rises_with_coverage(n, data) -> None:
    d = data.draw(st.integers(0, n))
    curve = operating_characteristic(n, d)
    probs = [pr for _, pr in curve]
    assert all(a <= b + 1e-12 for a, b in itertools.pairwise(probs))
    assert isclose(probs[-1], 1.0)


def test_classic_plan_and_decisions() -> None:
    plan = choose_plan(0.8, 0.5, alpha=0.1, beta=0.1)
    assert (plan.n, plan.d) == (19, 6)
    assert plan.alpha <= 0.1
    assert plan.beta <= 0.1
    with pytest.raises(ValueError, match="no plan"):
        choose_plan(0.8, 0.75, alpha=0.01, beta=0.01, max_n=20)
    lots = {"G1": [f"a{i}" for i in range(40)], "G2": ["b1", "b2"]}
    s1 = draw_samples(lots, 19, seed=3)
    assert s1 == draw_samples(lots, 19, seed=3)
    assert len(s1["G1"]) == 19
    assert len(set(s1["G1"])) == 19
    assert sorted(s1["G2"]) == ["b1", "b2"]
    verdict = decide({"G1": [True] * 13 + [False] * 6, "G2": [False] * 7 + [True] * 12}, 6, n=19)
    assert [(v.lot, v.failures, v.accepted) for v in verdict] == [("G1", 6, True), ("G2", 7, False)]


def test_lqas_small_lot_is_judged_by_its_sample_size() -> None:
    # issue 12: a 3-household lot with 3 failures used to be accepted under d = 6
    verdict = decide(
        {"tiny": [False] * 3, "ok": [True] * 19, "half": [True] * 9 + [False]}, 6, n=19
    )
    assert {v.lot: v.accepted for v in verdict} == {"half": True, "ok": True, "tiny": False}
    assert decision_value(6, 19, 3) == 0 and decision_value(6, 19, 19) == 6
    with pytest.raises(ValueError, match="more than the plan"):
        decide({"big": [True] * 20}, 6, n=19)


def test_lqas_catches_a_badly_swept_lot_more_often_than_a_good_one() -> None:
    rng = random.Random(0)
    plan = choose_plan(0.8, 0.5)
    accepted = {0.9: 0, 0.4: 0}
    for cov in accepted:
        for _ in range(300):
            sample = [rng.random() < cov for _ in range(plan.n)]
            accepted[cov] += decide({"L": sample}, plan.d, n=plan.n)[0].accepted
    assert accepted[0.9] > 250
    assert accepted[0.4] < 50


def test_reinforcement_on_the_reference_county() -> None:
    tree = reference_county(seed=0, scale=0.3)
    hh = households_per_community(tree)
    plan = plan_reinforcement(tree, hh)
    rel = tree.relations
    sent: dict[str, int] = {}
    for d in plan.dispatches:
        assert d.community in rel.pairings[d.gov_unit]
        sent[d.gov_unit] = sent.get(d.gov_unit, 0) + d.cadres
    for g, gov in rel.gov_units.items():
        assert sent.get(g, 0) + plan.unsent.get(g, 0) == gov.cadres
    assert sum(n.received for n in plan.needs) == sum(sent.values())
    worst_before = max(n.before for n in plan.needs)
    worst_after = max(n.after for n in plan.needs)
    assert worst_after < worst_before


@given(
    st.lists(st.integers(0, 200), min_size=2, max_size=5),
    st.lists(st.integers(0, 6), min_size=2, max_size=5),
    st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4), st.integers(0, 9)), max_size=4),
)
def test_reinforcement_is_water_filling(households, workers, govs) -> None:
    tree = Hierarchy()
    tree.add(Unit("C", "county"), None)
    n = min(len(households), len(workers))
    for i in range(n):
        tree.add(Unit(f"M{i}", "community", attributes={"cadres": workers[i]}), "C")
    for j, (a, b, cadres) in enumerate(govs):
        tree.relations.pair(GovUnit(f"G{j}", "", cadres), {f"M{a % n}", f"M{b % n}"})
    hh = {f"M{i}": households[i] for i in range(n)}
    plan = plan_reinforcement(tree, hh)
    after = {x.community: x for x in plan.needs}
    for d in plan.dispatches:
        # no cadre of this unit could go to another of its communities and do better:
        # the receiving community, before its last cadre, needed it at least as much
        give = after[d.community]
        w_before_last = give.workers + give.received - 1
        need_last = give.households / w_before_last if w_before_last else float("inf")
        for other in tree.relations.pairings[d.gov_unit]:
            o = after[other]
            if o.households:
                assert need_last >= o.after - 1e-9


def test_gov_unit_cadres_must_not_be_negative() -> None:
    with pytest.raises(ValueError):
        GovUnit("g", "Bureau", cadres=-5)
