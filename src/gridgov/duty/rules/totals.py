"""Rules on totals over the horizon: shifts of each type and total minutes worked."""

from __future__ import annotations

from collections.abc import Sequence

from gridgov.duty.rules.base import RESOURCE, Cost, Out, Rule


class MaxShiftsPerType(Rule):
    """At most ``max_shifts[type]`` shifts of each type (0: the type is not allowed)."""

    name = "max_shifts_per_type"
    scope = RESOURCE
    description = "maximum number of shifts of each type"

    def resource_cost(self, r: int, shifts: Sequence[int], posts: Sequence[int], out: Out) -> Cost:
        cp = self.cp
        counts = [0] * cp.S
        for s in shifts:
            if s >= 0:
                counts[s] += 1
        amount = 0
        for s, limit in enumerate(cp.max_per_type[r]):
            if limit is not None and counts[s] > limit:
                amount += counts[s] - limit
                if out is not None:
                    msg = (
                        f"{cp.labels[r]} may not work {cp.shift_label(s)} shifts but has "
                        f"{counts[s]}"
                        if limit == 0
                        else f"{cp.labels[r]} has {counts[s]} {cp.shift_label(s)} shifts; "
                        f"at most {limit} allowed"
                    )
                    out.append(self.violation(counts[s] - limit, msg, r=r, s=s))
        return self.cost(amount)


class TotalMinutes(Rule):
    """Total minutes worked within ``[min_minutes, max_minutes]``.

    The amount of a violation is the shortfall or excess in shortest shifts of
    the problem, rounded up (one missing shift weighs like one other broken rule).
    """

    name = "total_minutes"
    scope = RESOURCE
    description = "minimum and maximum total minutes worked over the horizon"

    def resource_cost(self, r: int, shifts: Sequence[int], posts: Sequence[int], out: Out) -> Cost:
        cp = self.cp
        lim = cp.limits[r]
        minutes = cp.minutes
        unit = min(minutes) if minutes else 60
        total = 0
        for s in shifts:
            if s >= 0:
                total += minutes[s]
        amount = 0
        if lim.max_minutes is not None and total > lim.max_minutes:
            excess = -(-(total - lim.max_minutes) // unit)
            amount += excess
            if out is not None:
                out.append(
                    self.violation(
                        excess,
                        f"{cp.labels[r]} works {total / 60:g} h; at most "
                        f"{lim.max_minutes / 60:g} h allowed",
                        r=r,
                    )
                )
        if lim.min_minutes is not None and total < lim.min_minutes:
            short = -(-(lim.min_minutes - total) // unit)
            amount += short
            if out is not None:
                out.append(
                    self.violation(
                        short,
                        f"{cp.labels[r]} works {total / 60:g} h; at least "
                        f"{lim.min_minutes / 60:g} h needed",
                        r=r,
                    )
                )
        return self.cost(amount)
