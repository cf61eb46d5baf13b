"""Leadership: a party member or cadre on every staffed shift of a post that asks for one."""

from __future__ import annotations

from collections.abc import Collection

from gridgov.duty.rules.base import SLOT, Cost, Out, Rule


class Leadership(Rule):
    """Every staffed shift at a post whose need says ``leader`` has a party member or cadre."""

    name = "leadership"
    scope = SLOT
    description = "a party member or cadre leads every staffed shift (where the post asks)"

    def slot_cost(self, d: int, s: int, p: int, members: Collection[int], out: Out) -> Cost:
        cp = self.cp
        need = cp.need[d][s][p]
        if need is None or not need.leader or not members:
            return (0, 0)
        leader = cp.leader
        for m in members:
            if leader[m]:
                return (0, 0)
        if out is not None:
            out.append(
                self.violation(
                    1,
                    f"{cp.post_label(p)} on the {cp.shift_label(s)} shift of {cp.date(d)} has no "
                    "party member or cadre to lead it",
                    d=d,
                    s=s,
                    p=p,
                )
            )
        return self.cost(1)
