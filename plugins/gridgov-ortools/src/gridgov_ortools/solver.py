"""The ``cpsat`` solver: the same ``Problem`` in, the same ``SolveResult`` out, proved when it can.

``solve`` builds the exact model (:mod:`gridgov_ortools.model`), hints it with
``start`` when given, and lets CP-SAT search with ``workers`` threads (default:
every core), ``seed`` and the time limit (the model's build counts against it).
The roster it returns is re-scored by gridgov's own validator, and the result
says whether CP-SAT proved it optimal and the proven lower bound on the soft
score (``optimal``, ``bound``).

When the hard rules cannot all hold, CP-SAT proves it, and a second model with
one assumption per group of constraints (a rule and a resource, or a rule and
a shift at a post) yields an unsatisfiable core, shrunk while time allows; the
explanation names those rules and resources in the coordinator's words. The
roster returned is then the best of a model where hard rules are penalties
weighing more than any soft one.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from typing import Any

from ortools.sat.python import cp_model

from gridgov.duty.compiled import OFF, Compiled, RuleTable, as_compiled
from gridgov.duty.grid import from_grid, to_grid
from gridgov.duty.model import Assignment, Problem, Roster
from gridgov.duty.rules import bind_rules
from gridgov.duty.rules.base import Rule
from gridgov.duty.solver.explain import explain
from gridgov.duty.solver.local import SolveResult
from gridgov.duty.solver.portfolio import cores
from gridgov.duty.state import RosterState
from gridgov.duty.violation import Score
from gridgov_ortools.cores import describe, unsat_core
from gridgov_ortools.model import RosterModel

Progress = Callable[[int, Score], None]

TAIL_FACTOR = 0.5
"""Time kept after the search for the roster's re-scoring, in builds of the model (the
model's build and the final scoring both grow with the problem's size)."""

CORE_SHARE = 0.3
"""Share of the time left that the search for an unsatisfiable core may use."""


class _Reporter(cp_model.CpSolverSolutionCallback):
    """Calls ``progress(solutions, Score(hard, objective))`` on each improving solution."""

    def __init__(self, progress: Progress, hard: int) -> None:
        super().__init__()
        self.progress, self.hard, self.count = progress, hard, 0

    def on_solution_callback(self) -> None:
        self.count += 1
        self.progress(self.count, Score(self.hard, round(self.objective_value)))


def _fixed_cells(
    cp: Compiled, start: Roster | None, frozen_before: int, pinned: Iterable[Assignment]
) -> tuple[dict[tuple[int, int], tuple[int, int]], list[list[int]] | None, list[list[int]] | None]:
    """The cells that cannot change (days before ``frozen_before`` as ``start`` has them,
    off days included; pinned assignments), and the start's grid (None without one)."""
    fixed: dict[tuple[int, int], tuple[int, int]] = {}
    shifts = posts = None
    if start is not None:
        shifts, posts, _extra = to_grid(cp, start)
    for r in range(cp.R):
        for d in range(min(frozen_before, cp.D)):
            fixed[(r, d)] = (shifts[r][d], posts[r][d]) if shifts and posts else (OFF, OFF)
    pshifts, pposts, _ = to_grid(cp, Roster(tuple(pinned)))
    for r in range(cp.R):
        for d in range(cp.D):
            if pshifts[r][d] >= 0:
                fixed[(r, d)] = (pshifts[r][d], pposts[r][d])
    return fixed, shifts, posts


def _hint(model: RosterModel, shifts: list[list[int]], posts: list[list[int]]) -> None:
    for (r, d, s, p), v in model.x.items():
        model.m.add_hint(v, shifts[r][d] == s and posts[r][d] == p)


def _run(
    model: RosterModel,
    *,
    seconds: float,
    seed: int,
    workers: int,
    progress: Progress | None = None,
    hard: int = 0,
) -> tuple[cp_model.CpSolver, Any]:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(seconds, 0.05)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    if progress is not None:
        status = solver.solve(model.m, _Reporter(progress, hard))
    else:
        status = solver.solve(model.m)
    return solver, status


def solve(
    problem: Problem | Compiled,
    *,
    time_limit: float = 10.0,
    seed: int = 0,
    pinned: Iterable[Assignment] = (),
    start: Roster | None = None,
    frozen_before: int = 0,
    max_iterations: int | None = None,
    progress: Progress | None = None,
    clock: Callable[[], float] = time.perf_counter,
    extra_rules: Iterable[Rule] = (),
    temperature: float | None = None,
    workers: int | None = None,
    rules: RuleTable | None = None,
) -> SolveResult:
    """Plan a roster with CP-SAT; the arguments are those of the built-in solver.

    ``pinned`` cells and the days before ``frozen_before`` (as ``start`` has them)
    are fixed; ``start`` also hints the search. ``workers`` CP-SAT threads
    (default: every core; with one, CP-SAT is deterministic for a seed only when
    it ends by proof, not by the clock). ``max_iterations`` and ``temperature``
    belong to the local search and are not used. ``rules`` is the rule table
    (default: a compiled problem's own, else the built-in rules). A rule the model cannot express
    exactly raises :class:`~gridgov_ortools.model.Unsupported` naming it.
    """
    del max_iterations, temperature
    t0 = clock()
    n = workers if workers is not None else cores()
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"workers must be a whole number >= 1, got {workers!r}")
    cp = as_compiled(problem, rules)
    bound_rules = bind_rules(cp) + list(extra_rules)
    fixed, s0, p0 = _fixed_cells(cp, start, frozen_before, pinned)
    model = RosterModel(cp, bound_rules, fixed=fixed)
    if s0 is not None and p0 is not None:
        _hint(model, s0, p0)

    # what comes after the search (re-scoring the roster, reading it out) is kept from
    # it: half as long as the model's build took, at most a tenth of the limit
    tail = min(TAIL_FACTOR * (clock() - t0), 0.1 * time_limit)

    def left() -> float:
        return time_limit - tail - (clock() - t0)

    solver, status = _run(model, seconds=left(), seed=seed, workers=n, progress=progress)
    why: list[str] = []
    optimal, bound = False, None
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        shifts, posts = model.grid(solver.boolean_value)
        optimal = status == cp_model.OPTIMAL
        bound = math.ceil(solver.best_objective_bound - 1e-6)
    elif status == cp_model.INFEASIBLE:
        core = unsat_core(cp, bound_rules, fixed, seconds=left() * CORE_SHARE, seed=seed, workers=n)
        why.append(describe(cp, bound_rules, core))
        shifts, posts = _relaxed(cp, bound_rules, fixed, s0, p0, left(), seed, n)
    else:
        why.append(
            f"CP-SAT found no roster within the time limit ({time_limit:g} s; "
            f"status {solver.status_name(status)})"
        )
        shifts = s0 if s0 is not None else [[OFF] * cp.D for _ in range(cp.R)]
        posts = p0 if p0 is not None else [[OFF] * cp.D for _ in range(cp.R)]
    final = RosterState(cp, bind_rules(cp), shifts, posts)
    violations = final.violations()
    if final.hard:
        why.extend(explain(cp, violations))
    return SolveResult(
        roster=from_grid(cp, final.shifts, final.posts),
        score=final.score,
        violations=tuple(violations),
        explanation=tuple(why),
        iterations=int(solver.num_branches),
        seconds=clock() - t0,
        optimal=optimal and final.hard == 0,
        bound=bound,
    )


def _relaxed(
    cp: Compiled,
    rules: list[Rule],
    fixed: dict[tuple[int, int], tuple[int, int]],
    s0: list[list[int]] | None,
    p0: list[list[int]] | None,
    seconds: float,
    seed: int,
    workers: int,
) -> tuple[list[list[int]], list[list[int]]]:
    """The best roster when hard rules are penalties weighing more than any soft one
    (fixed cells still hold; without them if even those cannot)."""
    off = RosterState(cp, bind_rules(cp))
    weight = (
        off.soft
        + 1
        + sum(
            (n.weight_over if n is not None else 0) * cp.R
            for day in cp.need
            for row in day
            for n in row
        )
    )
    for cells in (fixed, {}):
        model = RosterModel(cp, rules, fixed=cells, strict=False, hard_weight=weight)
        if s0 is not None and p0 is not None:
            _hint(model, s0, p0)
        solver, status = _run(model, seconds=seconds, seed=seed, workers=workers)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return model.grid(solver.boolean_value)
    return (
        s0 if s0 is not None else [[OFF] * cp.D for _ in range(cp.R)],
        p0 if p0 is not None else [[OFF] * cp.D for _ in range(cp.R)],
    )
