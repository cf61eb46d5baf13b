"""A second constructive start for long horizons with stretch rules: patterns first.

Each resource first gets an on/off pattern that keeps its stretch limits (min
and max working days in a row, min days off), its unavailable days and, on
average, its total-minutes window; then each day's workers get the shift
types and posts that the cover needs most, never a forbidden succession when
another choice exists. Local search takes it from there.
"""

from __future__ import annotations

import random

from gridgov.duty.compiled import OFF, Compiled


def _pattern(cp: Compiled, r: int, fixed_row: list[bool], rng: random.Random) -> list[bool]:
    lim = cp.limits[r]
    allowed = cp.allowed_shifts[r]
    if not allowed:
        return [False] * cp.D
    short = min(cp.minutes[s] for s in allowed)
    lo = lim.min_minutes or 0
    hi = lim.max_minutes if lim.max_minutes is not None else int(short * cp.D * 5 / 7)
    need = round(((lo + hi) / 2 if lo else hi * 0.85) / short)
    if need <= 0:
        return [False] * cp.D
    blocked = list(cp.unavailable[r])
    if lim.max_weekends is not None and len(cp.weekends) > lim.max_weekends:
        keep = set(rng.sample(range(len(cp.weekends)), lim.max_weekends))
        for i, days in enumerate(cp.weekends):
            if i not in keep:
                for x in days:
                    blocked[x] = True
    w_lo = max(lim.min_consecutive or 1, 1)
    w_hi = max(lim.max_consecutive or 5, w_lo)
    o_lo = max(lim.min_days_off or 1, 1)
    out = [False] * cp.D
    worked = 0
    d = 0 if rng.random() < 0.5 else rng.randint(1, o_lo)
    while d < cp.D:
        if blocked[d]:
            d += 1
            continue
        frac = (need - worked) / max(cp.D - d, 1)
        if frac <= 0:
            break
        w = w_hi if frac > 0.75 else rng.randint(w_lo, w_hi)
        run = 0
        while run < w and d < cp.D and not blocked[d]:
            out[d] = True
            run += 1
            d += 1
        if run < w_lo and d < cp.D and d - run > 0:  # too short (blocked day): drop it
            for k in range(d - run, d):
                out[k] = False
            run = 0
        worked += run
        frac = (need - worked) / max(cp.D - d, 1)
        gap = run * (1 - frac) / frac if frac > 0 else cp.D
        d += max(o_lo, round(gap + rng.uniform(-0.5, 0.5)))
    _top_up(out, blocked, need, w_lo, w_hi, o_lo, rng)
    return out


def _top_up(
    out: list[bool],
    blocked: list[bool],
    need: int,
    w_lo: int,
    w_hi: int,
    o_lo: int,
    rng: random.Random,
) -> None:
    """Add working days to ``out`` (in place) until it has ``need``, each one keeping the
    stretch limits: a day next to a stretch lengthens it (at most ``w_hi``) and leaves
    the days off beside it at least ``o_lo`` long (or gone, or touching an end)."""
    n = len(out)
    worked = sum(out)
    while worked < need:
        cands = []
        for d in range(n):
            if out[d] or blocked[d]:
                continue
            left = d > 0 and out[d - 1]
            right = d + 1 < n and out[d + 1]
            if not left and not right and w_lo > 1:
                continue
            a = d
            while a > 0 and out[a - 1]:
                a -= 1
            b = d
            while b + 1 < n and out[b + 1]:
                b += 1
            if b - a + 1 > w_hi:
                continue
            if not left and not _gap_ok(out, d - 1, -1, o_lo):
                continue
            if not right and not _gap_ok(out, d + 1, 1, o_lo):
                continue
            cands.append(d)
        if not cands:
            return
        out[cands[rng.randrange(len(cands))]] = True
        worked += 1


def _gap_ok(out: list[bool], d: int, step: int, o_lo: int) -> bool:
    """Whether the days off from ``d`` in direction ``step`` stay a legal stretch."""
    n = len(out)
    k = 0
    while 0 <= d < n and not out[d]:
        k += 1
        d += step
    return k == 0 or k >= o_lo or not 0 <= d < n


def construct_patterns(
    cp: Compiled,
    shifts: list[list[int]],
    posts: list[list[int]],
    fixed: list[list[bool]],
    rng: random.Random,
) -> None:
    """Fill the free cells of ``shifts``/``posts`` in place from on/off patterns."""
    work = [_pattern(cp, r, fixed[r], rng) for r in range(cp.R)]
    counts = [[0] * cp.S for _ in range(cp.R)]
    minutes = [0] * cp.R
    for r in range(cp.R):
        for d in range(cp.D):
            if shifts[r][d] >= 0:
                counts[r][shifts[r][d]] += 1
                minutes[r] += cp.minutes[shifts[r][d]]
    # pattern days still to come, to keep each total within its minutes window
    left = [[0] * (cp.D + 1) for _ in range(cp.R)]
    for r in range(cp.R):
        for d in range(cp.D - 1, -1, -1):
            left[r][d] = left[r][d + 1] + (work[r][d] and not fixed[r][d] and shifts[r][d] < 0)
    short = [min((cp.minutes[s] for s in cp.allowed_shifts[r]), default=0) for r in range(cp.R)]
    top = [cp.limits[r].max_minutes for r in range(cp.R)]
    # types after which some allowed type may follow (else the next working day is stuck)
    onward = [
        [any(t not in cp.forbidden_next[s] for t in cp.allowed_shifts[r]) for s in range(cp.S)]
        for r in range(cp.R)
    ]
    for d in range(cp.D):
        deficit: dict[tuple[int, int], int] = {}
        for s in range(cp.S):
            for p in cp.open_posts[d][s]:
                need = cp.need[d][s][p]
                assert need is not None
                deficit[(s, p)] = max(need.min, need.target)
        for r in range(cp.R):
            if shifts[r][d] >= 0:
                key = (shifts[r][d], posts[r][d])
                deficit[key] = deficit.get(key, 0) - 1
        people = [r for r in range(cp.R) if work[r][d] and not fixed[r][d] and shifts[r][d] < 0]
        rng.shuffle(people)
        for r in people:
            prev = shifts[r][d - 1] if d > 0 else OFF
            best = None
            best_key: tuple[int, bool, int, float] | None = None
            for s in cp.allowed_shifts[r]:
                limit = cp.max_per_type[r][s]
                if limit is not None and counts[r][s] >= limit:
                    continue
                bad = 1 if prev >= 0 and s in cp.forbidden_next[prev] else 0
                hi = top[r]
                if hi is not None and minutes[r] + cp.minutes[s] + left[r][d + 1] * short[r] > hi:
                    bad += 1  # too long: the days to come could not stay under the maximum
                stuck = d + 1 < cp.D and work[r][d + 1] and not onward[r][s]
                for p in cp.open_posts[d][s]:
                    k = (bad, stuck, -deficit[(s, p)], rng.random())
                    if best_key is None or k < best_key:
                        best_key, best = k, (s, p)
            if best is None or best_key is None:
                continue  # no allowed shift type: leave the day off
            s, p = best
            shifts[r][d], posts[r][d] = s, p
            minutes[r] += cp.minutes[s]
            counts[r][s] += 1
            deficit[(s, p)] -= 1
