"""Rules on stretches of days: max and min consecutive working days, min days off.

A stretch that starts on the first day of the horizon or reaches its last day
is exempt from the minimums (what happens outside the horizon is unknown).
"""

from __future__ import annotations

from collections.abc import Sequence

from gridgov.duty.rules.base import RESOURCE, Cost, Out, Rule, plural
from gridgov.duty.violation import Violation


class MaxConsecutive(Rule):
    """At most ``max_consecutive`` working days in a row."""

    name = "max_consecutive"
    scope = RESOURCE
    description = "maximum number of working days in a row"

    def resource_cost(self, r: int, shifts: Sequence[int], posts: Sequence[int], out: Out) -> Cost:
        limit = self.cp.limits[r].max_consecutive
        if limit is None:
            return (0, 0)
        amount = 0
        run = 0
        n = len(shifts)
        for d in range(n + 1):
            if d < n and shifts[d] >= 0:
                run += 1
                continue
            if run > limit:
                amount += run - limit
                if out is not None:
                    cp = self.cp
                    first = d - run
                    out.append(
                        self.violation(
                            run - limit,
                            f"{cp.labels[r]} works {run} days in a row from {cp.date(first)} to "
                            f"{cp.date(d - 1)}; at most {limit} allowed",
                            r=r,
                            d=first,
                        )
                    )
            run = 0
        return self.cost(amount)


class _MinStretch(Rule):
    working = True
    word = "working days"

    def limit(self, r: int) -> int | None:
        raise NotImplementedError

    def resource_cost(self, r: int, shifts: Sequence[int], posts: Sequence[int], out: Out) -> Cost:
        limit = self.limit(r)
        if not limit or limit <= 1:
            return (0, 0)
        n = len(shifts)
        working = self.working
        amount = 0
        first = 0
        state = shifts[0] >= 0 if n else False
        for d in range(1, n + 1):
            here = shifts[d] >= 0 if d < n else not state
            if here == state:
                continue
            length = d - first
            # a finished stretch [first, d): only inner stretches of the right kind count
            if state == working and length < limit and first > 0 and d < n:
                amount += limit - length
                if out is not None:
                    self._report(r, first, length, limit, out)
            first, state = d, here
        return self.cost(amount)

    def _report(self, r: int, first: int, length: int, limit: int, out: list[Violation]) -> None:
        cp = self.cp
        out.append(
            self.violation(
                limit - length,
                f"{cp.labels[r]} has only {plural(length, 'day')} "
                f"{'on' if self.working else 'off'} from {cp.date(first)}; at least "
                f"{limit} {self.word} in a row needed",
                r=r,
                d=first,
            )
        )


class MinConsecutive(_MinStretch):
    """A stretch of work lasts at least ``min_consecutive`` days."""

    name = "min_consecutive"
    scope = RESOURCE
    description = "minimum number of working days in a row"

    def limit(self, r: int) -> int | None:
        return self.cp.limits[r].min_consecutive


class MinDaysOff(_MinStretch):
    """A stretch of days off lasts at least ``min_days_off`` days."""

    name = "min_days_off"
    scope = RESOURCE
    description = "minimum number of days off in a row"
    working = False
    word = "days off"

    def limit(self, r: int) -> int | None:
        return self.cp.limits[r].min_days_off
