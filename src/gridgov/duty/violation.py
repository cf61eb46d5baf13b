"""What validation finds: violations a duty coordinator can read, and the score."""

from __future__ import annotations

import attrs


@attrs.frozen
class Violation:
    """One broken rule: which rule, who, when, which shift and post, and how much.

    ``penalty`` is the violation's share of the score: for a hard rule the amount
    by which it is broken (e.g. people missing), for a soft rule weight x amount.
    """

    rule: str
    hard: bool
    penalty: int
    message: str
    resource: str | None = None
    day: int | None = None
    shift: str | None = None
    post: str | None = None

    def __str__(self) -> str:
        kind = "hard" if self.hard else f"soft {self.penalty}"
        return f"[{self.rule}, {kind}] {self.message}"


@attrs.frozen(order=True)
class Score:
    """``hard`` (0 when every hard rule holds) and ``soft`` (the weighted penalties).

    Scores order lexicographically: fewer hard violations first, then less soft.
    """

    hard: int = 0
    soft: int = 0

    @property
    def feasible(self) -> bool:
        """True when no hard rule is broken."""
        return self.hard == 0

    def __add__(self, other: Score) -> Score:
        return Score(self.hard + other.hard, self.soft + other.soft)
