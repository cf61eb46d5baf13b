"""The :class:`Rule` interface every built-in and user rule implements.

A rule is bound to a compiled problem and declares its *scope*, which tells the
solver what a change must re-score:

- ``"resource"``: the cost depends only on one resource's row of days
  (``resource_cost``); a move re-scores the rows it touches.
- ``"slot"``: the cost depends only on who works one (day, shift, post) slot
  (``slot_cost``); a move re-scores the slots it touches.
- ``"roster"``: anything else (``roster_cost``); re-scored after every move,
  so keep such rules cheap.

Each method returns ``(hard, soft)``. When ``out`` is a list, the rule appends
one :class:`~gridgov.duty.violation.Violation` per problem found; the penalties
of those violations must add up to the returned costs (a property test checks
the built-ins). Write your own by subclassing :class:`Rule` and registering the
class under a name through the ``gridgov_rules`` hook.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import ClassVar

from gridgov.duty.compiled import Compiled
from gridgov.duty.violation import Violation
from gridgov.values import AttrValue

Cost = tuple[int, int]
Out = list[Violation] | None
RESOURCE, SLOT, ROSTER = "resource", "slot", "roster"


class Rule:
    """Base class of rules; subclasses set ``name``, ``scope`` and override one cost method."""

    name: ClassVar[str] = ""
    scope: ClassVar[str] = RESOURCE
    description: ClassVar[str] = ""

    pair_amounts: list[list[int]] | None = None
    """For a slot rule whose cost is a sum over the slot's people of an amount that
    depends only on (resource, post): ``pair_amounts[r][p]``. Solvers read it (see
    :func:`pair_table`) to choose a resource's post; ``None`` for every other rule."""

    def __init__(
        self,
        cp: Compiled,
        *,
        hard: bool = True,
        weight: int = 1,
        params: Mapping[str, AttrValue] | None = None,
    ) -> None:
        self.cp = cp
        self.hard = hard
        self.weight = weight
        self.params: Mapping[str, AttrValue] = params or {}

    def cost(self, amount: int) -> Cost:
        """``amount`` units of violation as (hard, soft) for this rule's hardness and weight."""
        return (amount, 0) if self.hard else (0, amount * self.weight)

    def penalty(self, amount: int) -> int:
        """The penalty a violation of ``amount`` units carries (the non-zero part of cost)."""
        return amount if self.hard else amount * self.weight

    def violation(
        self,
        amount: int,
        message: str,
        *,
        r: int | None = None,
        d: int | None = None,
        s: int | None = None,
        p: int | None = None,
    ) -> Violation:
        """A violation of this rule located by indexes (turned back into ids)."""
        cp = self.cp
        return Violation(
            rule=self.name,
            hard=self.hard,
            penalty=self.penalty(amount),
            message=message,
            resource=None if r is None else cp.res_ids[r],
            day=d,
            shift=None if s is None or s < 0 else cp.shift_ids[s],
            post=None if p is None or p < 0 else cp.post_ids[p],
        )

    def resource_cost(self, r: int, shifts: Sequence[int], posts: Sequence[int], out: Out) -> Cost:
        """Cost of resource ``r``'s row (``shifts[d]`` is -1 when off). Resource scope."""
        raise NotImplementedError

    def slot_cost(self, d: int, s: int, p: int, members: Collection[int], out: Out) -> Cost:
        """Cost of the (day, shift, post) slot worked by ``members``. Slot scope."""
        raise NotImplementedError

    def roster_cost(
        self, shifts: Sequence[Sequence[int]], posts: Sequence[Sequence[int]], out: Out
    ) -> Cost:
        """Cost of the whole grid. Roster scope."""
        raise NotImplementedError


def pair_table(rules: Sequence[Rule]) -> tuple[list[list[int]], list[list[int]]] | None:
    """``(hard[r][p], soft[r][p])``: what resource ``r`` costs at post ``p`` under the
    rules with :attr:`Rule.pair_amounts` (soft amounts times each rule's weight),
    or ``None`` when no rule has them. The solver adds it to its post choices."""
    tables = [rule for rule in rules if rule.pair_amounts is not None]
    if not tables:
        return None
    cp = tables[0].cp
    hard = [[0] * cp.P for _ in range(cp.R)]
    soft = [[0] * cp.P for _ in range(cp.R)]
    for rule in tables:
        amounts = rule.pair_amounts
        assert amounts is not None
        target, w = (hard, 1) if rule.hard else (soft, rule.weight)
        for r, row in enumerate(amounts):
            out = target[r]
            for p, a in enumerate(row):
                if a:
                    out[p] += a * w
    return hard, soft


def runs(row: Sequence[int]) -> list[tuple[int, int, bool]]:
    """Maximal stretches of ``row`` as ``(first_day, length, working)``."""
    out: list[tuple[int, int, bool]] = []
    n = len(row)
    i = 0
    while i < n:
        w = row[i] >= 0
        j = i + 1
        while j < n and (row[j] >= 0) == w:
            j += 1
        out.append((i, j - i, w))
        i = j
    return out


def plural(n: int, word: str) -> str:
    """``1 day``, ``2 days``."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
