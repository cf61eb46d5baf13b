"""Continuity: keep a resource at the same post from one worked shift to the next."""

from __future__ import annotations

from collections.abc import Sequence

from gridgov.duty.rules.base import RESOURCE, Cost, Out, Rule


class Continuity(Rule):
    """One unit of penalty each time a resource's next worked shift is at another post."""

    name = "continuity"
    scope = RESOURCE
    description = "keep a team at the same post (penalty per change of post)"

    def resource_cost(self, r: int, shifts: Sequence[int], posts: Sequence[int], out: Out) -> Cost:
        amount = 0
        last = -1
        for d, p in enumerate(posts):
            if shifts[d] < 0:
                continue
            if last >= 0 and p != last:
                amount += 1
                if out is not None:
                    cp = self.cp
                    out.append(
                        self.violation(
                            1,
                            f"{cp.labels[r]} moves from {cp.post_label(last)} to "
                            f"{cp.post_label(p)} on {cp.date(d)}",
                            r=r,
                            d=d,
                            p=p,
                        )
                    )
            last = p
        return self.cost(amount)
