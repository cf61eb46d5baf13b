"""Cover: how many work each (day, shift, post) slot against the post's staff needs.

``min`` and ``max`` of a need are hard when the rule is hard; the ``target``
is always soft, with one weight per person missing and one per person too many.
A slot with no need at all is closed: anyone rostered there is a hard violation.
"""

from __future__ import annotations

from collections.abc import Collection

from gridgov.duty.rules.base import SLOT, Cost, Out, Rule
from gridgov.duty.violation import Violation


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
        hard = soft = 0
        where = (
            f"{cp.post_label(p)} on the {cp.shift_label(s)} shift of {cp.date(d)}"
            if out is not None
            else ""
        )
        if n < need.min:
            hard += need.min - n
            if out is not None:
                out.append(
                    self.violation(
                        need.min - n, f"{where} needs at least {need.min}, has {n}", d=d, s=s, p=p
                    )
                )
        if need.max is not None and n > need.max:
            hard += n - need.max
            if out is not None:
                out.append(
                    self.violation(
                        n - need.max, f"{where} takes at most {need.max}, has {n}", d=d, s=s, p=p
                    )
                )
        weight = need.weight_under if n < need.target else need.weight_over
        if n != need.target and weight:
            pen = abs(need.target - n) * weight
            soft += pen
            if out is not None:
                out.append(
                    Violation(
                        self.name,
                        False,
                        pen,
                        f"{where} should have {need.target}, has {n}",
                        day=d,
                        shift=cp.shift_ids[s],
                        post=cp.post_ids[p],
                    )
                )
        if self.hard:
            return (hard, soft)
        return (0, soft + hard * self.weight)
