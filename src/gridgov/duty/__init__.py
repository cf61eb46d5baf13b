"""Duty rosters: checkpoints staffed around the clock under readable rules.

The model (:mod:`gridgov.duty.model`), the rules (:mod:`gridgov.duty.rules`,
one module per family), :func:`validate`/:func:`score`, the built-in solver
(:func:`solve`), :func:`repair` after a dropout and :func:`swap` checks, and
:func:`masked`, the view of a problem that names people masked. See
``docs/duty.md``.
"""

from gridgov.duty.model import (
    DEFAULT_RULES,
    Assignment,
    Horizon,
    Limits,
    Places,
    PlaceUnit,
    Post,
    Problem,
    Resource,
    Roster,
    RuleConfig,
    ShiftRequest,
    ShiftType,
    StaffNeed,
)
from gridgov.duty.places import on_tree
from gridgov.duty.privacy import masked
from gridgov.duty.repair import Dropout, RepairResult, repair
from gridgov.duty.rules import Rule
from gridgov.duty.solver.local import SolveResult, solve
from gridgov.duty.swap import SwapVerdict, swap
from gridgov.duty.validate import Evaluation, evaluate, score, validate
from gridgov.duty.violation import Score, Violation

__all__ = [
    "DEFAULT_RULES",
    "Assignment",
    "Dropout",
    "Evaluation",
    "Horizon",
    "Limits",
    "PlaceUnit",
    "Places",
    "Post",
    "Problem",
    "RepairResult",
    "Resource",
    "Roster",
    "Rule",
    "RuleConfig",
    "Score",
    "ShiftRequest",
    "ShiftType",
    "SolveResult",
    "StaffNeed",
    "SwapVerdict",
    "Violation",
    "evaluate",
    "masked",
    "on_tree",
    "repair",
    "score",
    "solve",
    "swap",
    "validate",
]
