"""Cover: how many work each (day, shift, post) slot against the post's staff needs.

``min`` and ``max`` of a need are hard when the rule is hard; the ``target``
is always soft, with one weight per person missing and one per person too many.
A slot with no need at all is closed: anyone rostered there is a hard violation.
"""

from __future__ import annotations

from collections.abc import Collection

from gridgov.duty.compiled import SlotNeed
from gridgov.duty.rules.base import SLOT, Cost, Out, Rule
from gridgov.duty.violation import Violation


def cover_amounts(need: SlotNeed, n: int) -> tuple[int, int]:
    """For ``n`` people on a slot with ``need``: how far outside the hard min/max it
    is (people missing plus people too many), and the soft penalty against the target.
    The one formula of cover; solvers' fast models price with it too."""
    hard = max(need.min - n, 0)
    if need.max is not None and n > need.max:
        hard += n - need.max
    weight = need.weight_under if n < need.target else need.weight_over
    return hard, abs(need.target - n) * weight


class Cover(Rule):
    """Staff per post, shift and day within hard min/max, near the soft target."""

    name = "cover"
    scope = SLOT
    description = "people per post, shift and day: hard min/max, weighted under/over target"

    def slot_cost(self, d: int, s: int, p: int, members: Collection[int], out: Out) -> Cost:
        cp = self.cp
        need = cp.need[d][s][p]
        n = len(members)
        if need is None:
            if n == 0:
                return (0, 0)
            if out is not None:
                out.append(
                    self.violation(
                        n,
                        f"{cp.post_label(p)} is not open on the {cp.shift_label(s)} shift of "
                        f"{cp.date(d)} but {n} {'is' if n == 1 else 'are'} rostered there",
                        d=d,
                        s=s,
                        p=p,
                    )
                )
            return self.cost(n)
        hard, soft = cover_amounts(need, n)
        if out is not None:
            self._explain(need, n, soft, d, s, p, out)
        if self.hard:
            return (hard, soft)
        return (0, soft + hard * self.weight)

    def _explain(
        self, need: SlotNeed, n: int, soft: int, d: int, s: int, p: int, out: list[Violation]
    ) -> None:
        """The violations behind one slot's cost, worded for a coordinator."""
        cp = self.cp
        where = f"{cp.post_label(p)} on the {cp.shift_label(s)} shift of {cp.date(d)}"
        if n < need.min:
            out.append(
                self.violation(
                    need.min - n, f"{where} needs at least {need.min}, has {n}", d=d, s=s, p=p
                )
            )
        if need.max is not None and n > need.max:
            out.append(
                self.violation(
                    n - need.max, f"{where} takes at most {need.max}, has {n}", d=d, s=s, p=p
                )
            )
        if soft:
            out.append(
                Violation(
                    self.name,
                    False,
                    soft,
                    f"{where} should have {need.target}, has {n}",
                    day=d,
                    shift=cp.shift_ids[s],
                    post=cp.post_ids[p],
                )
            )
