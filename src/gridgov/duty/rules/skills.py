"""Skills: enough people with each needed skill on a shift (e.g. a medic at sampling posts)."""

from __future__ import annotations

from collections.abc import Collection

from gridgov.duty.rules.base import SLOT, Cost, Out, Rule


class Skills(Rule):
    """For each skill a post's need names, at least that many rostered people have it."""

    name = "skills"
    scope = SLOT
    description = "the skills each post needs on each shift (counts of people with the skill)"

    def slot_cost(self, d: int, s: int, p: int, members: Collection[int], out: Out) -> Cost:
        cp = self.cp
        need = cp.need[d][s][p]
        if need is None or not need.skills:
            return (0, 0)
        amount = 0
        skills = cp.skills
        for skill, count in need.skills:
            have = sum(1 for m in members if skill in skills[m])
            if have < count:
                amount += count - have
                if out is not None:
                    out.append(
                        self.violation(
                            count - have,
                            f"{cp.post_label(p)} on the {cp.shift_label(s)} shift of "
                            f"{cp.date(d)} needs {count} with skill {skill!r}, has {have}",
                            d=d,
                            s=s,
                            p=p,
                        )
                    )
        return self.cost(amount)
