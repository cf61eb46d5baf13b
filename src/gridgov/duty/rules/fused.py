"""One pass over a row for the built-in resource rules (the solver's hot path).

Scoring a row rule by rule walks the row once per rule. ``FusedRowRules``
scores all of unavailability, shift requests, forbidden successions, minimum
rest, max and min consecutive working days, min days off, shifts per type,
total minutes and weekends together, each
by its own hardness and weight, and can score a *change* of a few days from a
window around them (:meth:`FusedRowRules.delta`): the stretches that contain
the changed days, the day pairs next to them, and cached totals. It is only
used to *score*; violations are always listed by the rules themselves, and
property tests check that all the ways agree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from gridgov.duty.rules.availability import ShiftRequests, Unavailable
from gridgov.duty.rules.base import Rule
from gridgov.duty.rules.consecutive import MaxConsecutive, MinConsecutive, MinDaysOff
from gridgov.duty.rules.succession import ForbiddenSuccession, MinRest
from gridgov.duty.rules.totals import MaxShiftsPerType, TotalMinutes
from gridgov.duty.rules.weekends import MaxWeekends

_FUSABLE = (
    ForbiddenSuccession,
    MinRest,
    MaxConsecutive,
    MinConsecutive,
    MinDaysOff,
    MaxShiftsPerType,
    TotalMinutes,
    Unavailable,
    ShiftRequests,
    MaxWeekends,
)


class FusedRowRules:
    """Scores the fusable built-in rules among ``rules``; ``rest`` holds the others."""

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
        self.counts: list[list[int]] = []
        self.totals: list[int] = []
        self.weekends_worked: list[int] = []
        self._pending: dict[int, tuple[list[int], int, int]] = {}
        first = next(iter(self.by_type.values()), None)
        if first is None:
            return
        cp = first.cp
        self.n = cp.D
        self.minutes = cp.minutes
        self.unit = min(cp.minutes) if cp.minutes else 60
        self.start = cp.start_minute
        self.forbidden = cp.forbidden_next
        self.limits = cp.limits
        self.max_per_type = cp.max_per_type
        self.S = cp.S

        def weight(t: type) -> tuple[int, int] | None:
            rule = self.by_type.get(t)
            if rule is None:
                return None
            return (1, 0) if rule.hard else (0, rule.weight)

        self.w_succ = weight(ForbiddenSuccession)
        self.w_rest = weight(MinRest)
        self.w_maxc = weight(MaxConsecutive)
        self.w_minc = weight(MinConsecutive)
        self.w_mino = weight(MinDaysOff)
        self.w_type = weight(MaxShiftsPerType)
        self.w_total = weight(TotalMinutes)
        self.w_unav = weight(Unavailable)
        self.w_wknd = weight(MaxWeekends)
        req = self.by_type.get(ShiftRequests)
        self.w_req = None if req is None else ((1, 0) if req.hard else (0, req.weight))
        self.unavailable = cp.unavailable
        self.weekends = cp.weekends
        self.weekend_of = [-1] * cp.D
        for i, days in enumerate(cp.weekends):
            for d in days:
                self.weekend_of[d] = i
        # requests by day: (shift or -1 for the whole day, weight, on)
        self.requests: list[dict[int, list[tuple[int, int, bool]]]] = []
        for r in range(cp.R):
            by_day: dict[int, list[tuple[int, int, bool]]] = {}
            for (d, s), w in cp.on_req[r].items():
                by_day.setdefault(d, []).append((s, w, True))
            for (d, s), w in cp.off_req[r].items():
                by_day.setdefault(d, []).append((s, w, False))
            self.requests.append(by_day)

    # -- pieces shared by the full and the windowed scoring ---------------------------
    def _pairs(self, r: int, row: Sequence[int], days: Sequence[int]) -> tuple[int, int]:
        """Forbidden successions and short rests between day d-1 and d, for d in ``days``."""
        forbidden, start, minutes = self.forbidden, self.start, self.minutes
        need = self.limits[r].min_rest_minutes or 0
        succ = rest = 0
        for d in days:
            a, b = row[d - 1], row[d]
            if a >= 0 and b >= 0:
                if b in forbidden[a]:
                    succ += 1
                if 1440 + start[b] - start[a] - minutes[a] < need:
                    rest += 1
        return succ, rest

    def _stretches(self, r: int, seg: Sequence[int], offset: int) -> tuple[int, int, int]:
        """(days over max, days short of min work, days short of min off) of whole stretches.

        ``seg`` is ``row[offset:offset+len(seg)]`` and starts and ends on stretch bounds.
        """
        lim = self.limits[r]
        max_c = lim.max_consecutive
        min_c = lim.min_consecutive or 0
        min_o = lim.min_days_off or 0
        n = self.n
        over = short_c = short_o = 0
        m = len(seg)
        i = 0
        while i < m:
            w = seg[i] >= 0
            j = i + 1
            while j < m and (seg[j] >= 0) == w:
                j += 1
            length = j - i
            first, end = offset + i, offset + j
            inner = first > 0 and end < n
            if w:
                if max_c is not None and length > max_c:
                    over += length - max_c
                if inner and min_c > 1 and length < min_c:
                    short_c += min_c - length
            elif inner and min_o > 1 and length < min_o:
                short_o += min_o - length
            i = j
        return over, short_c, short_o

    def _day_cost(self, r: int, d: int, s: int) -> tuple[int, int]:
        """Unavailability and requests of resource ``r`` on day ``d`` working ``s``."""
        h = so = 0
        if self.w_unav is not None and s >= 0 and self.unavailable[r][d]:
            h += self.w_unav[0]
            so += self.w_unav[1]
        if self.w_req is not None:
            reqs = self.requests[r].get(d)
            if reqs:
                amount = 0
                for t, w, on in reqs:
                    hit = s >= 0 if t < 0 else s == t
                    if hit != on:  # an on request missed, or an off request hit
                        amount += w
                h += amount * self.w_req[0]
                so += amount * self.w_req[1]
        return h, so

    def _weekend_cost(self, r: int, worked: int) -> tuple[int, int]:
        limit = self.limits[r].max_weekends
        if self.w_wknd is None or limit is None or worked <= limit:
            return 0, 0
        return (worked - limit) * self.w_wknd[0], (worked - limit) * self.w_wknd[1]

    def _totals_cost(self, r: int, counts: Sequence[int], total: int) -> tuple[int, int]:
        h = s = 0
        if self.w_type is not None:
            amount = 0
            for t, limit in enumerate(self.max_per_type[r]):
                if limit is not None and counts[t] > limit:
                    amount += counts[t] - limit
            h += amount * self.w_type[0]
            s += amount * self.w_type[1]
        if self.w_total is not None:
            lim = self.limits[r]
            amount = 0
            if lim.max_minutes is not None and total > lim.max_minutes:
                amount += -(-(total - lim.max_minutes) // self.unit)
            if lim.min_minutes is not None and total < lim.min_minutes:
                amount += -(-(lim.min_minutes - total) // self.unit)
            h += amount * self.w_total[0]
            s += amount * self.w_total[1]
        return h, s

    def _seq_cost(self, succ: int, rest: int, over: int, sc: int, so: int) -> tuple[int, int]:
        h = s = 0
        for w, amount in (
            (self.w_succ, succ),
            (self.w_rest, rest),
            (self.w_maxc, over),
            (self.w_minc, sc),
            (self.w_mino, so),
        ):
            if w is not None and amount:
                h += amount * w[0]
                s += amount * w[1]
        return h, s

    # -- full and windowed scoring ----------------------------------------------------
    def cost(self, r: int, row: Sequence[int]) -> tuple[int, int]:
        """(hard, soft) of the fused rules for resource ``r``'s whole row."""
        counts = [0] * self.S
        total = 0
        minutes = self.minutes
        for s in row:
            if s >= 0:
                counts[s] += 1
                total += minutes[s]
        succ, rest = self._pairs(r, row, range(1, len(row)))
        over, sc, so = self._stretches(r, row, 0)
        h1, s1 = self._seq_cost(succ, rest, over, sc, so)
        h2, s2 = self._totals_cost(r, counts, total)
        h3 = s3 = 0
        if self.w_unav is not None or self.w_req is not None:
            days = set(self.requests[r]) if self.w_req is not None else set()
            if self.w_unav is not None:
                days.update(d for d in range(len(row)) if self.unavailable[r][d])
            for d in days:
                a, b = self._day_cost(r, d, row[d])
                h3 += a
                s3 += b
        h4, s4 = self._weekend_cost(r, self._worked_weekends(row))
        return (h1 + h2 + h3 + h4, s1 + s2 + s3 + s4)

    def _worked_weekends(self, row: Sequence[int]) -> int:
        return sum(1 for days in self.weekends if any(row[d] >= 0 for d in days))

    def load(self, rows: Sequence[Sequence[int]]) -> None:
        """Cache every row's counts per shift type and total minutes."""
        self.counts, self.totals = [], []
        self.weekends_worked = [self._worked_weekends(row) for row in rows]
        for row in rows:
            counts = [0] * self.S
            total = 0
            for s in row:
                if s >= 0:
                    counts[s] += 1
                    total += self.minutes[s]
            self.counts.append(counts)
            self.totals.append(total)

    def delta(self, r: int, row: Sequence[int], old: Mapping[int, int]) -> tuple[int, int]:
        """(hard, soft) change of the fused rules when the days in ``old`` (day: old shift)
        changed to what ``row`` now holds. Call :meth:`commit` if the change is kept."""
        n = self.n
        counts = self.counts[r][:]
        total = self.totals[r]
        minutes = self.minutes
        for d, o in old.items():
            s = row[d]
            if o >= 0:
                counts[o] -= 1
                total -= minutes[o]
            if s >= 0:
                counts[s] += 1
                total += minutes[s]
        h0, s0 = self._totals_cost(r, self.counts[r], self.totals[r])
        h1, s1 = self._totals_cost(r, counts, total)
        dh, ds = h1 - h0, s1 - s0
        # the old row: only the changed days differ
        prev = list(row)
        for d, o in old.items():
            prev[d] = o
        # per-day rules and weekends
        wk = self.weekends_worked[r]
        seen: set[int] = set()
        for d, o in old.items():
            a, b = self._day_cost(r, d, row[d])
            c, e = self._day_cost(r, d, o)
            dh += a - c
            ds += b - e
            w = self.weekend_of[d]
            if w >= 0 and w not in seen:
                seen.add(w)
                days = self.weekends[w]
                wk += any(row[x] >= 0 for x in days) - any(prev[x] >= 0 for x in days)
        if wk != self.weekends_worked[r]:
            a, b = self._weekend_cost(r, wk)
            c, e = self._weekend_cost(r, self.weekends_worked[r])
            dh += a - c
            ds += b - e
        self._pending[r] = (counts, total, wk)
        pair_days = sorted({x for d in old for x in (d, d + 1) if 0 < x < n})
        so_, ro_ = self._pairs(r, prev, pair_days)
        sn_, rn_ = self._pairs(r, row, pair_days)
        # windows of whole stretches around the changed days, common to both rows
        windows: list[list[int]] = []
        for d in sorted(old):
            lo = d
            while lo > 0 and not (
                (prev[lo - 1] >= 0) != (prev[lo] >= 0) and (row[lo - 1] >= 0) != (row[lo] >= 0)
            ):
                lo -= 1
            hi = d
            while hi < n - 1 and not (
                (prev[hi + 1] >= 0) != (prev[hi] >= 0) and (row[hi + 1] >= 0) != (row[hi] >= 0)
            ):
                hi += 1
            if windows and lo <= windows[-1][1] + 1:
                windows[-1][1] = max(windows[-1][1], hi)
            else:
                windows.append([lo, hi])
        oo = osc = oso = no = nsc = nso = 0
        for lo, hi in windows:
            a, b, c = self._stretches(r, prev[lo : hi + 1], lo)
            oo, osc, oso = oo + a, osc + b, oso + c
            a, b, c = self._stretches(r, row[lo : hi + 1], lo)
            no, nsc, nso = no + a, nsc + b, nso + c
        h2, s2 = self._seq_cost(so_, ro_, oo, osc, oso)
        h3, s3 = self._seq_cost(sn_, rn_, no, nsc, nso)
        return (dh + h3 - h2, ds + s3 - s2)

    def commit(self) -> None:
        """Keep the cached totals of the last :meth:`delta` calls."""
        for r, (counts, total, wk) in self._pending.items():
            self.counts[r] = counts
            self.totals[r] = total
            self.weekends_worked[r] = wk
        self._pending.clear()

    def rollback(self) -> None:
        """Forget the last :meth:`delta` calls."""
        self._pending.clear()
