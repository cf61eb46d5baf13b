"""Re-plan after a team drops out, changing as few assignments as possible.

The repaired roster keeps every pinned assignment and everything before
``frozen_before`` (e.g. what is already published) exactly as it was. Among
rosters that meet the hard rules, the search prefers fewer changed
resource-days over any soft improvement.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import attrs

from gridgov.duty.compiled import Compiled, RuleTable, compile_problem
from gridgov.duty.grid import from_grid, to_grid
from gridgov.duty.model import Assignment, Problem, Roster
from gridgov.duty.rules import bind_rules
from gridgov.duty.rules.base import RESOURCE, Cost, Out, Rule
from gridgov.duty.solver.explain import explain
from gridgov.duty.solver.local import SolveResult, solve
from gridgov.duty.state import RosterState
from gridgov.duty.violation import Score, Violation
from gridgov.errors import InvalidInput, SourceProblem

Solver = Callable[..., SolveResult]
"""A roster solver: ``solver(problem, *, time_limit, seed, pinned, start, ...)``."""

CHANGE_WEIGHT = 10_000
"""Soft penalty of one changed resource-day during repair (above any ordinary soft weight)."""

REPAIR_TEMPERATURE = 5.0
"""Starting temperature of the repair search: low, so it stays close to the old roster."""


@attrs.frozen
class Dropout:
    """``resource`` cannot work from ``first_day`` to ``last_day`` (inclusive; None: to the end)."""

    resource: str
    first_day: int = 0
    last_day: int | None = None


@attrs.frozen
class RepairResult:
    """The repaired roster, the problem it answers, and what changed."""

    problem: Problem
    roster: Roster
    score: Score
    removed: tuple[Assignment, ...]
    added: tuple[Assignment, ...]
    violations: tuple[Violation, ...]
    explanation: tuple[str, ...]

    @property
    def changes(self) -> int:
        """Assignments removed plus assignments added."""
        return len(self.removed) + len(self.added)


class Stability(Rule):
    """One unit per resource-day that differs from a base roster (used by repair)."""

    name = "stability"
    scope = RESOURCE
    description = "keep the roster as it was: penalty per changed resource-day"

    def __init__(
        self, cp: Compiled, base: tuple[list[list[int]], list[list[int]]], weight: int
    ) -> None:
        super().__init__(cp, hard=False, weight=weight)
        self.base_shifts, self.base_posts = base

    def resource_cost(self, r: int, shifts: Sequence[int], posts: Sequence[int], out: Out) -> Cost:
        bs, bp = self.base_shifts[r], self.base_posts[r]
        amount = 0
        for d, s in enumerate(shifts):
            if s != bs[d] or (s >= 0 and posts[d] != bp[d]):
                amount += 1
        if amount and out is not None:
            out.append(self.violation(amount, f"{self.cp.labels[r]}: {amount} day(s) changed", r=r))
        return self.cost(amount)


def _fill_holes(
    cp: Compiled, state: RosterState, dropped: Sequence[Assignment], fixed: list[list[bool]]
) -> None:
    """Give each dropped assignment to whoever takes it with one changed cell and the most gain.

    That is a resource off that day, or one working a less needed slot that day; never
    one unavailable that day (the dropped resource itself may look cheapest when it
    still has minimum minutes to work).
    """
    for a in sorted(dropped, key=lambda x: (x.day, x.shift, x.post)):
        d, s, p = a.day, cp.s_index[a.shift], cp.p_index[a.post]
        best: tuple[int, int] | None = None
        best_r = -1
        for r in range(cp.R):
            if fixed[r][d] or cp.unavailable[r][d]:
                continue
            if state.shifts[r][d] == s and state.posts[r][d] == p:
                continue
            dh, ds = state.try_cells([(r, d, s, p)])
            state.rollback()
            if dh < 0 and (best is None or (dh, ds) < best):
                best, best_r = (dh, ds), r
        if best_r >= 0:
            state.try_cells([(best_r, d, s, p)])
            state.commit()


def _revert_unneeded(
    cp: Compiled,
    state: RosterState,
    base: tuple[list[list[int]], list[list[int]]],
    fixed: list[list[bool]],
) -> None:
    """Put back, one by one, every changed cell whose old value breaks no more hard rules."""
    bs, bp = base
    changed = True
    while changed:
        changed = False
        for r in range(cp.R):
            for d in range(cp.D):
                if fixed[r][d]:
                    continue
                s, p = state.shifts[r][d], state.posts[r][d]
                if s == bs[r][d] and (s < 0 or p == bp[r][d]):
                    continue
                if bs[r][d] >= 0 and cp.unavailable[r][d]:
                    continue
                dh, _ds = state.try_cells([(r, d, bs[r][d], bp[r][d])])
                if dh <= 0:
                    state.commit()
                    changed = True
                else:
                    state.rollback()


def apply_dropout(problem: Problem, change: Dropout) -> Problem:
    """``problem`` with the dropped resource unavailable on the dropped days."""
    days = problem.horizon.days
    last = days - 1 if change.last_day is None else min(change.last_day, days - 1)
    found = False
    resources = []
    for r in problem.resources:
        if r.id == change.resource:
            found = True
            off = set(r.unavailable) | set(range(max(change.first_day, 0), last + 1))
            r = attrs.evolve(r, unavailable=tuple(sorted(off)))
        resources.append(r)
    if not found:
        raise InvalidInput([SourceProblem(f"unknown resource {change.resource!r}", "resource")])
    return attrs.evolve(problem, resources=tuple(resources))


def repair(
    problem: Problem,
    roster: Roster,
    change: Dropout,
    *,
    pinned: Iterable[Assignment] = (),
    frozen_before: int = 0,
    time_limit: float = 5.0,
    seed: int = 0,
    max_iterations: int | None = None,
    solver: Solver | None = None,
    workers: int | None = None,
    rules: RuleTable | None = None,
) -> RepairResult:
    """Re-plan ``roster`` after ``change`` with the fewest changed assignments.

    The dropped resource's assignments in the dropped days are removed (unless
    before ``frozen_before``); the gaps are filled by changing as few other
    assignments as possible. ``pinned`` assignments and every day before
    ``frozen_before`` stay as they are.

    ``solver`` is the search used when one-change fixes are not enough (default:
    the built-in :func:`~gridgov.duty.solver.local.solve`; any registered solver
    taking the same arguments, e.g. ``cpsat``); ``workers`` is passed on when given.
    ``rules`` is the rule table the problem's rule names are looked up in (default:
    the built-in rules); the solver gets the compiled problem, table included.
    """
    new_problem = apply_dropout(problem, change)
    cp = compile_problem(new_problem, rules=rules)
    last = cp.D - 1 if change.last_day is None else change.last_day
    dropped = tuple(
        a
        for a in roster.assignments
        if a.resource == change.resource and max(change.first_day, frozen_before) <= a.day <= last
    )
    gone = set(dropped)
    start = Roster(tuple(a for a in roster.assignments if a not in gone))
    shifts, posts, _ = to_grid(cp, start)
    base = ([r[:] for r in shifts], [r[:] for r in posts])
    fixed = [[d < frozen_before for d in range(cp.D)] for _ in range(cp.R)]
    for a in pinned:
        fixed[cp.r_index[a.resource]][a.day] = True
    # 1. fill each hole with one change where one change does it
    state = RosterState(cp, bind_rules(cp), shifts, posts)
    _fill_holes(cp, state, dropped, fixed)
    # 2. if hard rules still fail, search (changes weigh more than soft penalties)
    if state.hard > 0:
        stability = Stability(cp, base, CHANGE_WEIGHT)
        search = solver if solver is not None else solve
        more: dict[str, Any] = {} if workers is None else {"workers": workers}
        result = search(
            cp,
            time_limit=time_limit,
            seed=seed,
            pinned=pinned,
            start=from_grid(cp, state.shifts, state.posts),
            frozen_before=frozen_before,
            max_iterations=max_iterations,
            extra_rules=[stability],
            temperature=REPAIR_TEMPERATURE,
            **more,
        )
        shifts, posts, _ = to_grid(cp, result.roster)
        state = RosterState(cp, bind_rules(cp), shifts, posts)
    # 3. undo every change that is not needed
    _revert_unneeded(cp, state, base, fixed)
    violations = state.violations()
    result = SolveResult(
        roster=from_grid(cp, state.shifts, state.posts),
        score=state.score,
        violations=tuple(violations),
        explanation=explain(cp, violations) if state.hard else (),
        iterations=0,
        seconds=0.0,
    )
    before, after = set(start.assignments), set(result.roster.assignments)
    removed = tuple(sorted((before - after) | gone))
    added = tuple(sorted(after - before))
    return RepairResult(
        problem=new_problem,
        roster=result.roster,
        score=result.score,
        removed=removed,
        added=added,
        violations=result.violations,
        explanation=result.explanation,
    )
