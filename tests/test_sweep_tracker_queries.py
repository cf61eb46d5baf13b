"""The tracker defers its ancestors' counters until a query: every query is exact.

Visits arrive one by one and in batches, in any order, and at random moments a
query (``counts`` of a random unit, ``cols``, ``report``) must equal the batch
coverage of exactly the visits added so far.
"""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from gridgov.org.hierarchy import Hierarchy
from gridgov.strategies import households, sweep_trees, sweeps, visit_logs
from gridgov.sweep import Household, Sweep, Visit
from gridgov.sweep.coverage import coverage
from gridgov.sweep.tracker import CoverageTracker


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[Hierarchy, list[Household], Sweep, list[Visit]]:
    tree = draw(sweep_trees())
    hhs = draw(households(tree, max_size=12))
    sweep = draw(sweeps(tree))
    visits = draw(visit_logs(hhs, sweep, max_size=30))
    return tree, hhs, sweep, visits


@settings(max_examples=40)
@given(scenarios(), st.randoms(use_true_random=False))
def test_every_query_between_visits_is_exact(sc, rnd: random.Random) -> None:
    tree, hhs, sweep, visits = sc
    shuffled = list(visits)
    rnd.shuffle(shuffled)
    tracker = CoverageTracker(tree, hhs, sweep)
    done = 0
    while done < len(shuffled):
        step = rnd.choice((1, 1, 2, 5))
        chunk = shuffled[done : done + step]
        if len(chunk) == 1 and rnd.random() < 0.5:
            tracker.add(chunk[0])
        else:
            tracker.add_many(chunk)
        done += len(chunk)
        if rnd.random() < 0.4:
            continue  # no query: the next visits pile up behind the last one
        batch = coverage(tree, hhs, shuffled[:done], sweep)
        kind = rnd.randrange(3)
        if kind == 0:
            uid = rnd.choice(batch.units())
            assert tracker.counts(uid) == batch.counts(uid), uid
        elif kind == 1:
            assert tracker.cols == batch.columns
        else:
            snap = tracker.report()
            assert snap.columns == batch.columns
            assert snap.revisit_queue(sweep.end) == batch.revisit_queue(sweep.end)
    assert tracker.cols == coverage(tree, hhs, shuffled, sweep).columns
