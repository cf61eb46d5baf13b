"""One resource's row built greedily to keep the row's own hard rules: fast at any size.

The row program (:mod:`~gridgov.duty.solver.rowdp`) is exact but its states
grow with the shift types, the weekends and the minutes window: at a year of
days and dozens of shift types one row takes minutes. This builder takes a few
milliseconds. It chooses the row's *stretches* of work first, then their shift
types:

1. every day gets the price of its cheapest allowed shift type;
2. stretches of ``min..max`` working days are taken, the cheapest (most
   negative total price) first, each only when the row stays within its rules:
   the days are free (not unavailable, not fixed), the days off around it stay
   at least the minimum long (or reach an end of the horizon), a stretch it
   touches stays within the maximum run, the weekends worked within their
   maximum and the minutes within the maximum;
3. while the row works less than its minimum minutes, more stretches (and then
   single days that lengthen a stretch) are taken, whatever they cost;
4. each stretch's shift types come from a small program over the day's
   cheapest types that keeps the forbidden successions, the minimum rest and
   the per-type maxima.

What the builder keeps are the limits the built-in rules read from the
compiled problem, for the rules the problem makes hard; the rules themselves
judge the result (:func:`row_hard_cost`), so a row the builder gets wrong is
seen as such, never trusted.
"""

from __future__ import annotations

from collections.abc import Sequence

from gridgov.duty.compiled import OFF, Compiled
from gridgov.duty.model import DEFAULT_RULES
from gridgov.duty.rules.base import RESOURCE, Rule

INF = float("inf")

TOP_TYPES = 4
"""Cheapest shift types a day offers the stretch program (all of them when those
cannot chain)."""


def hard_rule_names(cp: Compiled) -> frozenset[str]:
    """Names of the rules the problem makes hard (its own list, or the defaults)."""
    return frozenset(c.name for c in (cp.problem.rules or DEFAULT_RULES) if c.hard)


def rule_weight(cp: Compiled, name: str, hard_weight: float) -> float:
    """The weight of one unit of rule ``name`` (``hard_weight`` when hard, 0 when absent)."""
    for c in cp.problem.rules or DEFAULT_RULES:
        if c.name == name:
            return hard_weight if c.hard else float(c.weight)
    return 0.0


class RowLimits:
    """What the builder keeps for resource ``r``: the limits of the hard row rules."""

    def __init__(self, cp: Compiled, r: int, hard: frozenset[str]) -> None:
        lim = cp.limits[r]
        self.r = r
        self.allowed = list(cp.allowed_shifts[r])
        caps = cp.max_per_type[r]
        self.caps = [caps[s] if "max_shifts_per_type" in hard else None for s in range(cp.S)]
        mc = lim.max_consecutive
        self.max_w = mc if "max_consecutive" in hard and mc else cp.D
        mw = lim.min_consecutive or 1
        self.min_w = max(mw, 1) if "min_consecutive" in hard else 1
        mo = lim.min_days_off or 1
        self.min_o = max(mo, 1) if "min_days_off" in hard else 1
        self.max_wk = lim.max_weekends if "max_weekends" in hard else None
        total = "total_minutes" in hard
        self.lo = (lim.min_minutes or 0) if total else 0
        self.hi = lim.max_minutes if total and lim.max_minutes is not None else None
        self.blocked = cp.unavailable[r] if "unavailable" in hard else [False] * cp.D
        succ = "forbidden_succession" in hard
        rest = lim.min_rest_minutes or 0
        check_rest = "min_rest" in hard
        start, length = cp.start_minute, cp.minutes
        # follows[x][y]: type y may be worked the day after type x
        self.follows = [
            [
                not (succ and y in cp.forbidden_next[x])
                and not (check_rest and 1440 + start[y] - start[x] - length[x] < rest)
                for y in range(cp.S)
            ]
            for x in range(cp.S)
        ]


def build_row(
    cp: Compiled,
    lim: RowLimits,
    price: Sequence[Sequence[float]],
    forced: Sequence[int | None],
    *,
    pack: bool = False,
) -> list[int]:
    """A row for ``lim.r`` (shift index or OFF per day) under ``price[d][s]`` (lower is
    better; INF: not that type that day), keeping ``forced`` days as they are.

    ``pack``: instead of the cheapest stretches first, stretches as long and as close
    as the limits allow from the first day on, then the dearest days taken off down to
    the maximum minutes: for rows whose minimum leaves little room (the cheapest
    stretches first can leave gaps too short to use)."""
    D = cp.D
    minutes = cp.minutes
    allowed = lim.allowed
    row = [OFF] * D
    work = [False] * D
    free = [False] * D
    best = [0.0] * D
    best_min = [0] * D
    for d in range(D):
        f = forced[d]
        if f is not None:
            if f >= 0:
                row[d] = f
                work[d] = True
            continue
        if lim.blocked[d]:
            continue
        pd = price[d]
        b, m = INF, 0
        for s in allowed:
            v = pd[s]
            if v < b:
                b, m = v, minutes[s]
        if b < INF:
            free[d], best[d], best_min[d] = True, b, m
    wk_of = [-1] * D
    for g, days in enumerate(cp.weekends):
        for x in days:
            wk_of[x] = g
    wk_count = [0] * len(cp.weekends)  # working days of each weekend
    for d in range(D):
        if work[d] and wk_of[d] >= 0:
            wk_count[wk_of[d]] += 1
    weekends = sum(1 for c in wk_count if c)
    total = sum(minutes[row[d]] for d in range(D) if work[d])
    state = _Row(lim, D, work, free, wk_of, wk_count, weekends, total)
    prefix = [0.0] * (D + 1)
    pmin = [0] * (D + 1)
    shut = [0] * (D + 1)  # days before d that cannot be worked
    for d in range(D):
        prefix[d + 1] = prefix[d] + (best[d] if free[d] else 0.0)
        pmin[d + 1] = pmin[d] + best_min[d]
        shut[d + 1] = shut[d] + (not free[d])
    lengths = range(lim.min_w, min(lim.max_w, D) + 1)
    cands: list[tuple[float, int, int]] = []
    for a in range(D):
        for n in lengths:
            b = a + n
            if b > D or shut[b] != shut[a]:
                break
            cands.append((prefix[b] - prefix[a], a, n))
        # stretches at the ends of the horizon may be shorter than the minimum
        if a == 0 or a + lim.min_w > D:
            for n in range(1, min(lim.min_w, D - a + 1)):
                if (a == 0 or a + n == D) and shut[a + n] == shut[a]:
                    cands.append((prefix[a + n] - prefix[a], a, n))
    cands.sort()
    if pack:
        state.ignore_hi = True
        d = 0
        while d < D:
            took = 0
            if free[d] and not work[d]:
                for n in range(min(lim.max_w, D - d), 0, -1):
                    if state.take(d, n, pmin[d + n] - pmin[d]):
                        took = n
                        break
            d += took + lim.min_o if took else 1
        state.ignore_hi = False
    # the cheap stretches first, then whatever reaches the minimum minutes
    for v, a, n in cands:
        if v >= 0:
            break
        state.take(a, n, pmin[a + n] - pmin[a])
    if state.total < lim.lo:
        for _v, a, n in cands:
            if state.total >= lim.lo:
                break
            state.take(a, n, pmin[a + n] - pmin[a])
    if state.total < lim.lo:
        # single days that lengthen a stretch, the cheapest first
        singles = sorted((best[d], d) for d in range(D) if free[d])
        grown = True
        while grown and state.total < lim.lo:
            grown = False
            for _v, d in singles:
                if state.total >= lim.lo:
                    break
                if not work[d] and state.take(d, 1, best_min[d]):
                    grown = True
    _assign_types(cp, lim, price, forced, work, row)
    if lim.hi is not None or lim.lo:
        _fit_window(cp, lim, price, forced, row, wk_of)
    return row


class _Row:
    """The days a row works, with the checks for adding a run of days."""

    def __init__(
        self,
        lim: RowLimits,
        n: int,
        work: list[bool],
        free: list[bool],
        wk_of: list[int],
        wk_count: list[int],
        weekends: int,
        total: int,
    ) -> None:
        self.lim, self.n, self.work, self.free = lim, n, work, free
        self.wk_of, self.wk_count, self.weekends, self.total = wk_of, wk_count, weekends, total
        self.ignore_hi = False

    def take(self, a: int, k: int, mins: int) -> bool:
        """Work days ``a..a+k-1`` if the row stays within its limits; whether it did."""
        lim, work, free, n = self.lim, self.work, self.free, self.n
        b = a + k  # first day after
        for d in range(a, b):
            if work[d] or not free[d]:
                return False
        if lim.hi is not None and self.total + mins > lim.hi and not self.ignore_hi:
            return False
        # the stretch this run joins: work on either side merges with it
        left = a
        while left > 0 and work[left - 1]:
            left -= 1
        right = b
        while right < n and work[right]:
            right += 1
        length = right - left
        if length > lim.max_w:
            return False
        if length < lim.min_w and left > 0 and right < n:
            return False
        # the days off on either side stay long enough (or reach an end of the horizon)
        if left > 0:
            g = left - 1
            while g > 0 and not work[g - 1]:
                g -= 1
            if g > 0 and left - g < lim.min_o:
                return False
        if right < n:
            g = right + 1
            while g < n and not work[g]:
                g += 1
            if g < n and g - right < lim.min_o:
                return False
        if lim.max_wk is not None:
            new = {self.wk_of[d] for d in range(a, b) if self.wk_of[d] >= 0}
            new = {w for w in new if not self.wk_count[w]}
            if self.weekends + len(new) > lim.max_wk:
                return False
        for d in range(a, b):
            work[d] = True
            w = self.wk_of[d]
            if w >= 0:
                if not self.wk_count[w]:
                    self.weekends += 1
                self.wk_count[w] += 1
        self.total += mins
        return True


def _assign_types(
    cp: Compiled,
    lim: RowLimits,
    price: Sequence[Sequence[float]],
    forced: Sequence[int | None],
    work: list[bool],
    row: list[int],
) -> None:
    """Shift types for the worked days, stretch by stretch (cheapest stretch first), by a
    program over each day's cheapest types keeping successions, rest and per-type maxima;
    a stretch no types can chain is left off (the rules then say so)."""
    D = cp.D
    # each day's types, cheapest first
    ranked = [
        sorted((s for s in lim.allowed if pd[s] < INF), key=pd.__getitem__) if work[d] else []
        for d, pd in enumerate(price)
    ]
    used = [0] * cp.S
    for d in range(D):
        if forced[d] is not None and row[d] >= 0:
            used[row[d]] += 1
    stretches: list[tuple[float, int, int]] = []
    d = 0
    while d < D:
        if not work[d]:
            d += 1
            continue
        e = d
        while e < D and work[e]:
            e += 1
        v = sum(price[x][ranked[x][0]] if ranked[x] else 0.0 for x in range(d, e))
        stretches.append((v, d, e))
        d = e
    stretches.sort()
    for _v, a, b in stretches:
        types = _chain(cp, lim, price, ranked, forced, row, used, a, b, TOP_TYPES)
        if types is None:
            types = _chain(cp, lim, price, ranked, forced, row, used, a, b, cp.S)
        if types is None:
            for x in range(a, b):
                if forced[x] is None:
                    row[x] = OFF
                    work[x] = False
            continue
        for x, y in zip(range(a, b), types, strict=True):
            if forced[x] is None:
                row[x] = y
                used[y] += 1


def _chain(
    cp: Compiled,
    lim: RowLimits,
    price: Sequence[Sequence[float]],
    ranked: Sequence[Sequence[int]],
    forced: Sequence[int | None],
    row: list[int],
    used: list[int],
    a: int,
    b: int,
    top: int,
) -> list[int] | None:
    """The cheapest types for days ``a..b-1`` (each day among its ``top`` cheapest types
    with room under their maxima) that follow one another, or None. A type the chain
    would take past its maximum is left out and the chain made again."""
    caps = lim.caps
    room = [INF if caps[s] is None else float(caps[s] - used[s]) for s in range(cp.S)]  # type: ignore[operator]
    while True:
        out = _chain_once(lim, price, ranked, forced, row, room, a, b, top)
        if out is None:
            return None
        count: dict[int, int] = {}
        for x, y in zip(range(a, b), out, strict=True):
            if forced[x] is None:
                count[y] = count.get(y, 0) + 1
        over = [y for y, k in count.items() if room[y] < k]
        if not over:
            return out
        for y in over:
            room[y] = 0.0


def _chain_once(
    lim: RowLimits,
    price: Sequence[Sequence[float]],
    ranked: Sequence[Sequence[int]],
    forced: Sequence[int | None],
    row: list[int],
    room: list[float],
    a: int,
    b: int,
    top: int,
) -> list[int] | None:
    follows = lim.follows
    prev_type = row[a - 1] if a > 0 and row[a - 1] >= 0 else OFF
    layers: list[list[tuple[int, float, int]]] = []  # (type, cost, index into previous)
    for x in range(a, b):
        f = forced[x]
        opts = [f] if f is not None else [s for s in ranked[x] if room[s] > 0][:top]
        layer: list[tuple[int, float, int]] = []
        for y in opts:
            c = price[x][y] if f is None else 0.0
            if not layers:
                if prev_type < 0 or follows[prev_type][y]:
                    layer.append((y, c, -1))
                continue
            bi, bc = -1, INF
            for i, (t, ct, _j) in enumerate(layers[-1]):
                if ct < bc and follows[t][y]:
                    bi, bc = i, ct
            if bi >= 0:
                layer.append((y, bc + c, bi))
        if not layer:
            return None
        layers.append(layer)
    last = layers[-1]
    i = min(range(len(last)), key=lambda k: last[k][1])
    out: list[int] = []
    for layer in reversed(layers):
        t, _c, j = layer[i]
        out.append(t)
        i = j
    out.reverse()
    return out


FIT_STEPS = 64
"""Most single-day changes that bring a row's minutes into its window."""


def _day_ok(lim: RowLimits, row: list[int], d: int) -> bool:
    """Whether the stretches around day ``d`` and its successions keep the limits."""
    n = len(row)
    follows = lim.follows
    y = row[d]
    if y >= 0:
        if d > 0 and row[d - 1] >= 0 and not follows[row[d - 1]][y]:
            return False
        if d + 1 < n and row[d + 1] >= 0 and not follows[y][row[d + 1]]:
            return False
    for x in (d - 1, d, d + 1):
        if not 0 <= x < n:
            continue
        w = row[x] >= 0
        a = x
        while a > 0 and (row[a - 1] >= 0) == w:
            a -= 1
        b = x + 1
        while b < n and (row[b] >= 0) == w:
            b += 1
        length = b - a
        inner = a > 0 and b < n
        if w and (length > lim.max_w or (inner and length < lim.min_w)):
            return False
        if not w and inner and length < lim.min_o:
            return False
    return True


def _fit_window(
    cp: Compiled,
    lim: RowLimits,
    price: Sequence[Sequence[float]],
    forced: Sequence[int | None],
    row: list[int],
    wk_of: list[int],
) -> None:
    """Bring the row's minutes into its window, one day at a time: another type on a
    worked day, a day more at a stretch's end or a day less, the cheapest change
    that moves the total the right way and keeps the other limits."""
    D = cp.D
    minutes = cp.minutes
    lo, hi = lim.lo, lim.hi
    total = sum(minutes[y] for y in row if y >= 0)
    used = [0] * cp.S
    for y in row:
        if y >= 0:
            used[y] += 1
    wk_count = [0] * len(cp.weekends)
    for d, y in enumerate(row):
        if y >= 0 and wk_of[d] >= 0:
            wk_count[wk_of[d]] += 1
    weekends = sum(1 for c in wk_count if c)
    caps = lim.caps
    mixed = len({minutes[y] for y in lim.allowed}) > 1
    for _ in range(FIT_STEPS):
        if total < lo:
            sign = 1
        elif hi is not None and total > hi:
            sign = -1
        else:
            return
        gap = lo - total if sign > 0 else total - hi  # type: ignore[operator]
        best: tuple[float, int, int] | None = None
        for d in range(D):
            if forced[d] is not None or lim.blocked[d]:
                continue
            x = row[d]
            if x < 0 and (
                sign < 0 or not ((d and row[d - 1] >= 0) or (d + 1 < D and row[d + 1] >= 0))
            ):
                continue  # a day off that could only start a stretch alone (or a cut)
            pd = price[d]
            mx = minutes[x] if x >= 0 else 0
            if x >= 0:
                # off, or a type of other length the right way (same length: no fit)
                opts = [OFF] if sign < 0 else []
                if mixed:
                    opts += [y for y in lim.allowed if (minutes[y] - mx) * sign > 0 and pd[y] < INF]
            else:
                opts = [y for y in lim.allowed if pd[y] < INF]
            for y in opts:
                my = minutes[y] if y >= 0 else 0
                change = (my - mx) * sign
                if change <= 0:
                    continue
                if y >= 0 and caps[y] is not None and used[y] >= caps[y]:  # type: ignore[operator]
                    continue
                # a change past the window's other edge is no fit
                new_total = total + my - mx
                if sign > 0 and hi is not None and new_total > hi:
                    continue
                if sign < 0 and new_total < lo:
                    continue
                if (
                    lim.max_wk is not None
                    and x < 0
                    and wk_of[d] >= 0
                    and not wk_count[wk_of[d]]
                    and weekends >= lim.max_wk
                ):
                    continue
                cost = (pd[y] if y >= 0 else 0.0) - (pd[x] if x >= 0 else 0.0)
                # the cheapest per minute of the gap it closes
                score = cost / min(change, gap)
                if best is not None and score >= best[0]:
                    continue
                row[d] = y
                ok = _day_ok(lim, row, d)
                row[d] = x
                if ok:
                    best = (score, d, y)
        changes: list[tuple[int, int]] | None = None
        if best is not None:
            changes = [(best[1], best[2])]
        elif sign > 0 and lim.min_w > 1:
            changes = _new_stretch(cp, lim, price, forced, row, wk_of, wk_count, weekends, used)
        if not changes:
            return
        for d, y in changes:
            x = row[d]
            row[d] = y
            if x >= 0:
                used[x] -= 1
                total -= minutes[x]
            if y >= 0:
                used[y] += 1
                total += minutes[y]
            w = wk_of[d]
            if w >= 0 and (x >= 0) != (y >= 0):
                wk_count[w] += 1 if y >= 0 else -1
                if y >= 0 and wk_count[w] == 1:
                    weekends += 1
                elif y < 0 and wk_count[w] == 0:
                    weekends -= 1


def _new_stretch(
    cp: Compiled,
    lim: RowLimits,
    price: Sequence[Sequence[float]],
    forced: Sequence[int | None],
    row: list[int],
    wk_of: list[int],
    wk_count: list[int],
    weekends: int,
    used: list[int],
) -> list[tuple[int, int]] | None:
    """The cheapest new stretch of the minimum length in the days off that keeps the
    limits (one day more cannot start a stretch when the minimum is above one), each day
    its cheapest type that follows the day before, or None."""
    D, k = cp.D, lim.min_w
    caps, follows = lim.caps, lim.follows
    best: tuple[float, list[tuple[int, int]]] | None = None
    for a in range(D - k + 1):
        days = range(a, a + k)
        if any(row[d] >= 0 or forced[d] is not None or lim.blocked[d] for d in days):
            continue
        new_wk = {wk_of[d] for d in days if wk_of[d] >= 0 and not wk_count[wk_of[d]]}
        if lim.max_wk is not None and weekends + len(new_wk) > lim.max_wk:
            continue
        prev = row[a - 1] if a > 0 else OFF
        cells: list[tuple[int, int]] = []
        cost = 0.0
        taken = used[:]
        for d in days:
            pd = price[d]
            opts = [
                y
                for y in lim.allowed
                if pd[y] < INF
                and (prev < 0 or follows[prev][y])
                and (caps[y] is None or taken[y] < caps[y])  # type: ignore[operator]
            ]
            if not opts:
                break
            y = min(opts, key=pd.__getitem__)
            cells.append((d, y))
            cost += pd[y]
            taken[y] += 1
            prev = y
        if len(cells) < k or (best is not None and cost >= best[0]):
            continue
        if lim.hi is not None:
            more = sum(cp.minutes[y] for _d, y in cells)
            if sum(cp.minutes[y] for y in row if y >= 0) + more > lim.hi:
                continue
        for d, y in cells:
            row[d] = y
        ok = all(_day_ok(lim, row, d) for d in range(max(a - 1, 0), min(a + k + 1, D)))
        for d, _y in cells:
            row[d] = OFF
        if ok:
            best = (cost, cells)
    return None if best is None else best[1]


def row_hard_cost(rules: Sequence[Rule], r: int, row: Sequence[int], posts: Sequence[int]) -> int:
    """Hard violations of ``row`` under the hard resource-scoped ``rules`` (the judges)."""
    total = 0
    for rule in rules:
        if rule.hard and rule.scope == RESOURCE:
            total += rule.resource_cost(r, row, posts, None)[0]
    return total
