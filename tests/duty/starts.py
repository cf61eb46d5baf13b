"""Constructed starting states for the solver's property tests (for tests only)."""

import random

from gridgov.duty.compiled import OFF, Compiled, compile_problem
from gridgov.duty.model import Problem
from gridgov.duty.rules import bind_rules
from gridgov.duty.solver.construct import construct
from gridgov.duty.state import RosterState


def start_state(
    problem: Problem, seed: int, frozen: int
) -> tuple[Compiled, RosterState, list[list[bool]]]:
    """The compiled problem, the slot-filling construction's state, and the fixed days
    (every resource's days before ``frozen``)."""
    cp = compile_problem(problem)
    shifts = [[OFF] * cp.D for _ in range(cp.R)]
    posts = [[OFF] * cp.D for _ in range(cp.R)]
    fixed = [[d < frozen for d in range(cp.D)] for _ in range(cp.R)]
    construct(cp, shifts, posts, fixed, random.Random(seed))
    return cp, RosterState(cp, bind_rules(cp), shifts, posts), fixed


def batch_score(cp: Compiled, state: RosterState) -> tuple[int, int]:
    """The (hard, soft) score of ``state``'s roster evaluated from scratch."""
    fresh = RosterState(
        cp, bind_rules(cp), [r[:] for r in state.shifts], [r[:] for r in state.posts]
    )
    return fresh.hard, fresh.soft
