"""Rules on weekends: the maximum number of weekends worked."""

from __future__ import annotations

from collections.abc import Sequence

from gridgov.duty.rules.base import RESOURCE, Cost, Out, Rule


class MaxWeekends(Rule):
    """At most ``max_weekends`` weekends worked (a weekend counts if Saturday or Sunday is)."""

    name = "max_weekends"
    scope = RESOURCE
    description = "maximum number of weekends worked (either day counts)"

    def resource_cost(self, r: int, shifts: Sequence[int], posts: Sequence[int], out: Out) -> Cost:
        cp = self.cp
        limit = cp.limits[r].max_weekends
        if limit is None:
            return (0, 0)
        worked = 0
        for days in cp.weekends:
            for d in days:
                if shifts[d] >= 0:
                    worked += 1
                    break
        if worked <= limit:
            return (0, 0)
        if out is not None:
            out.append(
                self.violation(
                    worked - limit,
                    f"{cp.labels[r]} works {worked} weekends; at most {limit} allowed",
                    r=r,
                )
            )
        return self.cost(worked - limit)
