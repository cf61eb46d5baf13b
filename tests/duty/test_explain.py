"""Infeasibility explained in the coordinator's terms: hours that only some may give."""

import datetime as dt

from gridgov.duty.compiled import compile_problem
from gridgov.duty.model import Horizon, Limits, Post, Problem, Resource, ShiftType, StaffNeed
from gridgov.duty.solver.explain import capacity_shortfalls
from gridgov.duty.solver.local import solve

SHIFTS = (
    ShiftType("D", 480, dt.time(8, 0), name="Day"),
    ShiftType("N", 480, dt.time(22, 0), night=True, name="Night"),
)


def _week(resources: tuple[Resource, ...], night: StaffNeed) -> Problem:
    post = Post("K3", needs=(StaffNeed("D", min=1, max=2), night))
    return Problem(Horizon(dt.date(2026, 12, 7), 7), SHIFTS, (post,), resources)


def test_the_issue_example_a_team_that_alone_has_the_skill_a_shift_needs() -> None:
    # every night at K3 needs a medic; only team T3 is one, and may work 32 h
    night = StaffNeed("N", min=1, max=2, skills={"medic": 1})
    res = (
        Resource("T1"),
        Resource("T2"),
        Resource("T3", skills=("medic",), limits=Limits(max_minutes=32 * 60)),
    )
    problem = _week(res, night)
    lines = capacity_shortfalls(compile_problem(problem))
    assert lines == [
        "team T3's maximum of 32 h cannot cover the 56 h of Night shifts at K3 that need "
        "skill 'medic', which only T3 has"
    ]
    result = solve(problem, max_iterations=2000, time_limit=3600)
    assert result.score.hard > 0
    assert lines[0] in result.explanation


def test_no_shortfall_when_the_skilled_have_the_hours() -> None:
    night = StaffNeed("N", min=1, max=2, skills={"medic": 1})
    res = (
        Resource("T1", skills=("medic",), limits=Limits(max_minutes=32 * 60)),
        Resource("T2", skills=("medic",), limits=Limits(max_minutes=32 * 60)),
        Resource("T3"),
    )
    assert capacity_shortfalls(compile_problem(_week(res, night))) == []


def test_several_people_short_of_hours_are_named_with_their_kind() -> None:
    night = StaffNeed("N", min=2, max=2)
    people = [
        Resource(f"P{i}", kind="person", limits=Limits(max_shifts={"N": 2})) for i in range(5)
    ]
    res = (*people, Resource("T9", limits=Limits(max_shifts={"N": 0})))
    lines = capacity_shortfalls(compile_problem(_week(res, night)))
    assert lines == [
        "the maxima of people P0, P1, P2 and 2 more (80 h in all) cannot cover the 112 h of "
        "Night shifts at K3 that only P0, P1, P2 and 2 more may work"
    ]


def test_nobody_with_the_skill() -> None:
    night = StaffNeed("N", min=1, max=1, skills={"driver": 1})
    lines = capacity_shortfalls(compile_problem(_week((Resource("T1"),), night)))
    assert (
        "nobody with that skill may work the 56 h of Night shifts at K3 that need skill "
        "'driver'" in lines
    )
