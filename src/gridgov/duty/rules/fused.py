"""One pass over a row for the built-in sequence and total rules (the solver's hot path).

Scoring a row rule by rule walks the row once per rule. ``FusedRowRules``
walks it once for all of: forbidden successions, minimum rest, max and min
consecutive working days, min days off, shifts per type and total minutes,
and gives each its own (hard, soft) by the rule's own hardness and weight. It
is only used to *score*; violations are always listed by the rules themselves,
and a property test checks that both give the same costs.
"""

from __future__ import annotations

from collections.abc import Sequence

from gridgov.duty.rules.base import Rule
from gridgov.duty.rules.consecutive import MaxConsecutive, MinConsecutive, MinDaysOff
from gridgov.duty.rules.succession import ForbiddenSuccession, MinRest
from gridgov.duty.rules.totals import MaxShiftsPerType, TotalMinutes

_FUSABLE = (
    ForbiddenSuccession,
    MinRest,
    MaxConsecutive,
    MinConsecutive,
    MinDaysOff,
    MaxShiftsPerType,
    TotalMinutes,
)


class FusedRowRules:
    """Scores the fusable built-in rules among ``rules`` in one pass; ``rest`` holds the others."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.by_type: dict[type, Rule] = {}
        self.rest: list[Rule] = []
        for rule in rules:
            t = type(rule)
            if t in _FUSABLE and t not in self.by_type:
                self.by_type[t] = rule
            else:
                self.rest.append(rule)
        self.active = bool(self.by_type)
        first = next(iter(self.by_type.values()), None)
        if first is not None:
            cp = first.cp
            self.minutes = cp.minutes
            self.unit = min(cp.minutes) if cp.minutes else 60
            self.start = cp.start_minute
            self.forbidden = cp.forbidden_next
            self.limits = cp.limits
            self.max_per_type = cp.max_per_type
            self.S = cp.S

    def cost(self, r: int, row: Sequence[int]) -> tuple[int, int]:
        """(hard, soft) of the fused rules for resource ``r``'s row."""
        bt = self.by_type
        lim = self.limits[r]
        minutes, start, forbidden = self.minutes, self.start, self.forbidden
        rest_need = lim.min_rest_minutes or 0
        max_c = lim.max_consecutive
        min_c = lim.min_consecutive or 0
        min_o = lim.min_days_off or 0
        counts = [0] * self.S
        total = succ = rest = over_c = short_c = short_o = 0
        n = len(row)
        prev = -1
        run = 0  # length of the current stretch
        run_start = 0
        for d in range(n):
            s = row[d]
            if s >= 0:
                counts[s] += 1
                total += minutes[s]
                if prev >= 0:
                    if s in forbidden[prev]:
                        succ += 1
                    if 1440 + start[s] - start[prev] - minutes[prev] < rest_need:
                        rest += 1
                    run += 1
                else:
                    # an off stretch [run_start, d) ends here
                    if d > 0 and run_start > 0 and run < min_o:
                        short_o += min_o - run
                    run, run_start = 1, d
            elif prev >= 0 or d == 0:
                if d > 0:
                    # a work stretch [run_start, d) ends here
                    if max_c is not None and run > max_c:
                        over_c += run - max_c
                    if run_start > 0 and run < min_c:
                        short_c += min_c - run
                run, run_start = 1, d
            else:
                run += 1
            prev = s
        # the last stretch reaches the end: exempt from the minimums
        if prev >= 0 and max_c is not None and run > max_c:
            over_c += run - max_c
        h = so = 0
        for t, amount in (
            (ForbiddenSuccession, succ),
            (MinRest, rest),
            (MaxConsecutive, over_c),
            (MinConsecutive, short_c if min_c > 1 else 0),
            (MinDaysOff, short_o if min_o > 1 else 0),
        ):
            rule = bt.get(t)
            if rule is not None and amount:
                if rule.hard:
                    h += amount
                else:
                    so += amount * rule.weight
        rule = bt.get(MaxShiftsPerType)
        if rule is not None:
            amount = 0
            for s, limit in enumerate(self.max_per_type[r]):
                if limit is not None and counts[s] > limit:
                    amount += counts[s] - limit
            if amount:
                if rule.hard:
                    h += amount
                else:
                    so += amount * rule.weight
        rule = bt.get(TotalMinutes)
        if rule is not None:
            amount = 0
            if lim.max_minutes is not None and total > lim.max_minutes:
                amount += -(-(total - lim.max_minutes) // self.unit)
            if lim.min_minutes is not None and total < lim.min_minutes:
                amount += -(-(lim.min_minutes - total) // self.unit)
            if amount:
                if rule.hard:
                    h += amount
                else:
                    so += amount * rule.weight
        return (h, so)
