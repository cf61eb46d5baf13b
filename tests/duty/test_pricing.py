"""The priced start: never worse than where it starts, never touches what is fixed."""

import datetime as dt
import itertools
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from gridgov.duty.compiled import compile_problem
from gridgov.duty.model import Horizon, Post, Problem, Resource, ShiftType, StaffNeed
from gridgov.duty.rules import bind_rules
from gridgov.duty.solver.pricing import priced_start
from gridgov.duty.state import RosterState
from gridgov.strategies import duty_problems

from .starts import start_state

HARD = 1000.0


@settings(max_examples=40, deadline=None)
@given(
    duty_problems(max_resources=5, max_days=7),
    st.integers(0, 100),
    st.integers(0, 3),
    st.sampled_from([0, 200]),
)
def test_priced_start_never_worsens_and_keeps_fixed_days(problem, seed, frozen, moves) -> None:
    cp, st_, fixed = start_state(problem, seed, frozen)
    before = HARD * st_.hard + st_.soft
    frozen_cells = [
        (r, d, st_.shifts[r][d], st_.posts[r][d])
        for r in range(cp.R)
        for d in range(cp.D)
        if fixed[r][d]
    ]
    movable = [r for r in range(cp.R) if not all(fixed[r])]
    rng = random.Random(seed)
    priced_start(st_, fixed, movable, HARD, lambda: 0.0, float("inf"), 15, rng=rng, moves=moves)
    assert HARD * st_.hard + st_.soft <= before
    for r, d, s, p in frozen_cells:
        assert (st_.shifts[r][d], st_.posts[r][d]) == (s, p)
    # the cached score is the state's true score
    fresh = RosterState(cp, bind_rules(cp), [x[:] for x in st_.shifts], [x[:] for x in st_.posts])
    assert (fresh.hard, fresh.soft) == (st_.hard, st_.soft)


def test_priced_start_finds_the_optimum_of_a_pure_cover_problem() -> None:
    """Two people, two shift types, cover that only one assignment meets: the prices find it."""
    shifts = (ShiftType("E", 480, dt.time(6)), ShiftType("L", 480, dt.time(14)))
    post = Post(
        "K1",
        needs=(
            StaffNeed("E", min=0, target=1, weight_under=100, weight_over=1),
            StaffNeed("L", min=0, target=1, weight_under=100, weight_over=1),
        ),
    )
    res = (Resource("A"), Resource("B"))
    problem = Problem(Horizon(dt.date(2026, 12, 1), 4), shifts, (post,), res)
    cp = compile_problem(problem)
    state = RosterState(cp, bind_rules(cp))
    priced_start(
        state, [[False] * cp.D for _ in range(cp.R)], [0, 1], HARD, lambda: 0.0, float("inf"), 30
    )
    assert (state.hard, state.soft) == (0, 0)
    for d in range(cp.D):
        assert sorted(state.shifts[r][d] for r in range(cp.R)) == [0, 1]


def test_deadline_stops_the_rounds() -> None:
    ticks = itertools.count()
    shifts = (ShiftType("E", 480, dt.time(6)),)
    post = Post("K1", needs=(StaffNeed("E", min=0, target=2, weight_under=10, weight_over=1),))
    problem = Problem(
        Horizon(dt.date(2026, 12, 1), 5), shifts, (post,), (Resource("A"), Resource("B"))
    )
    cp = compile_problem(problem)
    state = RosterState(cp, bind_rules(cp))
    fixed = [[False] * 5 for _ in range(2)]
    # a clock that says the deadline has passed before the first round
    assert priced_start(state, fixed, [0, 1], HARD, lambda: float(next(ticks)) + 100, 50.0, 10) == 0
