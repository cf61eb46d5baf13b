"""What the roster commands print as JSON, as records the library's converter writes.

``roster solve`` and ``roster repair`` print one line, ``roster check --json`` and
``roster swap --json`` one object; each is a record here, printed by
:func:`print_answer` through :func:`gridgov.serialize.unstructure`, so that a new
field is a change in one place and violations and assignments are written as
everywhere else. Imported by the commands when they run (not at start-up).
"""

from __future__ import annotations

import json
from typing import Any

import attrs

from gridgov.duty.model import Assignment
from gridgov.duty.violation import Violation
from gridgov.serialize import unstructure


@attrs.frozen
class SolveAnswer:
    """``roster solve``: the soft objective, hard violations left, whether proven
    optimal, the solver's lower bound (``None``: none) and the wall seconds."""

    objective: int
    hard_violations: int
    optimal: bool
    bound: int | None
    wall_s: float


@attrs.frozen
class CheckAnswer:
    """``roster check --json``: the score and every violation."""

    objective: int
    hard: int
    hard_violations: int
    violations: tuple[Violation, ...]


@attrs.frozen
class RepairAnswer:
    """``roster repair``: the new score and what changed (``changes`` = removed + added)."""

    objective: int
    hard: int
    hard_violations: int
    feasible: bool
    changes: int
    removed: int
    added: int


@attrs.frozen
class SwapAnswer:
    """``roster swap --json``: yes or no, the two assignments, the soft penalty change and
    the reasons of a no."""

    ok: bool
    a: Assignment
    b: Assignment
    soft_delta: int
    reasons: tuple[Violation, ...]


def answer_text(answer: Any) -> str:
    """The JSON line of ``answer`` (one of this module's records)."""
    return json.dumps(unstructure(answer), ensure_ascii=False)


def print_answer(answer: Any) -> None:
    """Print the JSON line of ``answer``."""
    print(answer_text(answer))
