"""Rules between one day's shift and the next: forbidden successions and minimum rest."""

from __future__ import annotations

from collections.abc import Sequence

from gridgov.duty.rules.base import RESOURCE, Cost, Out, Rule


class ForbiddenSuccession(Rule):
    """A shift type may not be followed on the next day by the types it forbids."""

    name = "forbidden_succession"
    scope = RESOURCE
    description = (
        "shift types that may not be worked the day after another (e.g. early after night)"
    )

    def resource_cost(self, r: int, shifts: Sequence[int], posts: Sequence[int], out: Out) -> Cost:
        forbidden = self.cp.forbidden_next
        amount = 0
        prev = -1
        for d, s in enumerate(shifts):
            if prev >= 0 and s >= 0 and s in forbidden[prev]:
                amount += 1
                if out is not None:
                    cp = self.cp
                    out.append(
                        self.violation(
                            1,
                            f"{cp.labels[r]} works the {cp.shift_label(s)} shift on {cp.date(d)} "
                            f"right after the {cp.shift_label(prev)} shift the day before",
                            r=r,
                            d=d,
                            s=s,
                            p=posts[d],
                        )
                    )
            prev = s
        return self.cost(amount)


class MinRest(Rule):
    """At least ``min_rest_minutes`` between the end of one shift and the next (across midnight).

    With no limit set, shifts still may not overlap (rest below zero).
    """

    name = "min_rest"
    scope = RESOURCE
    description = "minimum rest between consecutive shifts, also across midnight; no overlaps"

    def resource_cost(self, r: int, shifts: Sequence[int], posts: Sequence[int], out: Out) -> Cost:
        cp = self.cp
        need = cp.limits[r].min_rest_minutes or 0
        start, length = cp.start_minute, cp.minutes
        amount = 0
        prev = -1
        for d, s in enumerate(shifts):
            if prev >= 0 and s >= 0:
                rest = 1440 + start[s] - start[prev] - length[prev]
                if rest < need:
                    amount += 1
                    if out is not None:
                        h = max(rest, 0) / 60
                        out.append(
                            self.violation(
                                1,
                                f"{cp.labels[r]} gets {h:.1f} h rest before the "
                                f"{cp.shift_label(s)} shift on {cp.date(d)}; at least "
                                f"{need / 60:.1f} h needed"
                                + (" (the shifts overlap)" if rest < 0 else ""),
                                r=r,
                                d=d,
                                s=s,
                                p=posts[d],
                            )
                        )
            prev = s
        return self.cost(amount)
