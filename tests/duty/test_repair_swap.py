import datetime as dt
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridgov.duty.compiled import compile_problem
from gridgov.duty.grid import from_grid
from gridgov.duty.model import (
    Assignment,
    Horizon,
    Limits,
    Post,
    Problem,
    Resource,
    Roster,
    ShiftType,
    StaffNeed,
)
from gridgov.duty.repair import Dropout, apply_dropout, repair
from gridgov.duty.solver.local import solve
from gridgov.duty.swap import swap
from gridgov.duty.validate import evaluate
from gridgov.errors import InvalidInput
from gridgov.strategies import duty_problems


def _diff(a: Roster, b: Roster) -> int:
    cells_a = {(x.resource, x.day): (x.shift, x.post) for x in a.assignments}
    cells_b = {(x.resource, x.day): (x.shift, x.post) for x in b.assignments}
    return sum(1 for k in cells_a.keys() | cells_b.keys() if cells_a.get(k) != cells_b.get(k))


@settings(max_examples=20)
@given(
    duty_problems(max_resources=3, max_days=3, max_shifts=1, max_posts=1, feasible=True),
    st.data(),
)
def test_repair_changes_no_more_than_needed(problem, data) -> None:
    roster = solve(problem, max_iterations=3000, time_limit=3600, seed=1).roster
    victim = data.draw(st.sampled_from([r.id for r in problem.resources]))
    change = Dropout(victim, 0)
    fixed_problem = apply_dropout(problem, change)
    base = Roster(tuple(a for a in roster.assignments if a.resource != victim))
    # brute force: the fewest changed cells (vs the roster without the victim) of any
    # roster that breaks no hard rule
    cp = compile_problem(fixed_problem)
    best = None
    for bits in itertools.product((-1, 0), repeat=cp.R * cp.D):
        grid = [list(bits[r * cp.D : (r + 1) * cp.D]) for r in range(cp.R)]
        cand = from_grid(cp, grid, [[0] * cp.D for _ in range(cp.R)])
        if evaluate(cp, cand).score.hard == 0:
            n = _diff(cand, base)
            best = n if best is None else min(best, n)
    result = repair(problem, roster, change, max_iterations=4000, time_limit=3600)
    if best is None:
        assert result.score.hard > 0
    else:
        assert result.score.hard == 0
        assert all(a.resource != victim for a in result.roster.assignments)
        assert _diff(result.roster, base) == best


def _line(people: int = 5) -> Problem:
    return Problem(
        Horizon(dt.date(2026, 12, 1), 7),
        (
            ShiftType("D", 480, dt.time(8, 0)),
            ShiftType("N", 600, dt.time(22, 0), night=True, forbidden_next=("D",)),
        ),
        (Post("K3", needs=(StaffNeed("D", min=1, max=1), StaffNeed("N", min=1, max=1))),),
        tuple(Resource(f"T{i}", name=f"Team {i}") for i in range(people)),
        defaults=Limits(max_consecutive=4),
    )


def test_repair_keeps_published_days_and_pins() -> None:
    problem = _line()
    roster = solve(problem, max_iterations=6000, time_limit=3600, seed=2).roster
    assert evaluate(problem, roster).score.hard == 0
    victim = roster.sorted().assignments[0].resource
    pin = next(a for a in roster.assignments if a.resource != victim and a.day >= 3)
    result = repair(
        problem, roster, Dropout(victim, 2), frozen_before=3, pinned=[pin], max_iterations=6000
    )
    assert result.score.hard == 0
    assert pin in result.roster.assignments
    before = {a for a in roster.assignments if a.day < 3}
    after = {a for a in result.roster.assignments if a.day < 3}
    assert before == after  # published days untouched (even the victim's)
    assert not any(a.resource == victim and a.day >= 3 for a in result.roster.assignments)
    assert result.changes >= len(
        [a for a in roster.assignments if a.resource == victim and a.day >= 3]
    )


def test_swap_says_yes_or_why_not() -> None:
    problem = _line()
    roster = Roster(
        (
            Assignment("T0", 0, "N", "K3"),
            Assignment("T0", 2, "N", "K3"),
            Assignment("T1", 1, "D", "K3"),
            Assignment("T2", 0, "D", "K3"),
        )
    )
    # T0 would take T1's day shift on day 1, right after T0's own night on day 0
    verdict = swap(problem, roster, Assignment("T0", 2, "N", "K3"), Assignment("T1", 1, "D", "K3"))
    assert not verdict.ok
    assert {v.rule for v in verdict.reasons} == {"forbidden_succession"}
    assert str(verdict).startswith("no: Team 0 works the D shift on Wed 2026-12-02 right after")
    ok = swap(problem, roster, Assignment("T2", 0, "D", "K3"), Assignment("T1", 1, "D", "K3"))
    assert ok.ok, str(ok)
    assert Assignment("T2", 1, "D", "K3") in ok.roster.assignments
    with pytest.raises(InvalidInput, match="does not work"):
        swap(problem, roster, Assignment("T4", 0, "N", "K3"), Assignment("T1", 1, "D", "K3"))


def test_repair_never_gives_the_dropped_resource_its_own_shift_back() -> None:
    # T0 must still work 8 h, two short shifts' worth: taking its own shift back
    # would break less (one unavailable day) but it cannot work in the dropped days
    problem = Problem(
        Horizon(dt.date(2026, 11, 30), 3),
        (ShiftType("D", 480, dt.time(6, 0)), ShiftType("H", 240, dt.time(14, 0))),
        (Post("P0", needs=(StaffNeed("D", min=0),)),),
        (Resource("T0", limits=Limits(min_minutes=480)), Resource("T1")),
    )
    roster = Roster((Assignment("T0", 2, "D", "P0"),))
    result = repair(problem, roster, Dropout("T0", 0), max_iterations=500)
    assert not any(a.resource == "T0" for a in result.roster.assignments)
    assert {v.rule for v in result.violations if v.hard} == {"total_minutes"}
    assert result.removed == roster.assignments and result.added == ()


def test_swap_of_two_assignments_of_one_resource_answers_yes_unchanged() -> None:
    import datetime as dt

    from gridgov.duty.model import (
        Assignment,
        Horizon,
        Post,
        Problem,
        Resource,
        Roster,
        ShiftType,
        StaffNeed,
    )
    from gridgov.duty.swap import swap

    problem = Problem(
        Horizon(dt.date(2026, 12, 1), 3),
        (ShiftType("D", 480, dt.time(8)),),
        (Post("K", needs=(StaffNeed("D"),)),),
        (Resource("A"), Resource("B")),
    )
    a, b = Assignment("A", 0, "D", "K"), Assignment("A", 2, "D", "K")
    roster = Roster((a, b, Assignment("B", 1, "D", "K")))
    verdict = swap(problem, roster, a, b)
    assert verdict.ok and verdict.roster == roster and verdict.soft_delta == 0


def test_the_same_rule_twice_is_refused() -> None:
    import datetime as dt

    import pytest

    from gridgov.duty.model import Horizon, Post, Problem, Resource, RuleConfig, ShiftType

    with pytest.raises(ValueError, match="configured twice"):
        Problem(
            Horizon(dt.date(2026, 12, 1), 3),
            (ShiftType("D", 480, dt.time(8)),),
            (Post("K"),),
            (Resource("A"),),
            rules=(RuleConfig("cover"), RuleConfig("cover", weight=5)),
        )
