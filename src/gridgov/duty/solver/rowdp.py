"""One resource's whole row, re-planned by dynamic programming against cover prices.

Each resource's row is a small constrained sequence problem: at most one shift
a day, the forbidden successions, the maximum run of working days, the minimum
runs of working days and of days off (a stretch that starts on the first day or
reaches the last is exempt), the maximum number of working weekends and the
unavailable days are kept exactly by the states of the program (last shift,
length of the current stretch, whether it started on day 0, weekends worked);
the total-minutes window and the per-type maxima are priced in by Lagrangian
multipliers, tuned by bisection until the row fits them (when some row does).

:func:`best_row` returns the cheapest such row for a table of per-day,
per-shift prices; :func:`row_prices` builds that table from a roster state:
what the cover of each slot gains or loses if this resource works it (with the
others as they are), plus its own shift requests. The solver uses the pair as
a large-neighbourhood move (``row`` move): the real incremental score then
decides whether to keep the row.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Sequence

from gridgov.duty.compiled import OFF, Compiled
from gridgov.duty.rules.base import Rule
from gridgov.duty.rules.cover import cover_amounts
from gridgov.duty.state import RosterState

INF = float("inf")


class _OutOfTime(Exception):
    """The program ran past its deadline (caught by :func:`best_row`, which returns None)."""


EXACT_COUNTS = 16
"""Most combinations of per-type shift counts the program tracks in its state;
the per-type maxima past that (the largest ones) are priced by multipliers."""


def _tracked_caps(cp: Compiled, r: int, forced: Sequence[int | None] = ()) -> list[tuple[int, int]]:
    """The (shift type, most on the free days) pairs of ``r`` kept exactly: the smallest
    maxima that could bind, while the product of their ranges stays within
    :data:`EXACT_COUNTS`. Shifts on ``forced`` days are taken off each maximum."""
    lim = cp.limits[r]
    out: list[tuple[int, int]] = []
    size = 1
    caps = []
    taken = [0] * cp.S
    for f in forced:
        if f is not None and f >= 0:
            taken[f] += 1
    free = cp.D - sum(1 for f in forced if f is not None)
    for s in cp.allowed_shifts[r]:
        m = cp.max_per_type[r][s]
        if m is None or m - taken[s] < 0:
            continue
        most = free if lim.max_minutes is None else min(free, lim.max_minutes // cp.minutes[s])
        if m - taken[s] < most:
            caps.append((m - taken[s], s))
    for m, s in sorted(caps):
        if size * (m + 1) > EXACT_COUNTS:
            break
        size *= m + 1
        out.append((s, m))
    return out


EXACT_UNITS = 48
"""Largest number of distinct time totals the program tracks in its state; a
resource whose minutes window needs more is priced by a multiplier instead."""


def _time_units(
    cp: Compiled, r: int, forced: Sequence[int | None] = ()
) -> tuple[list[int], int, int | None] | None:
    """Per-shift units of time, and the least and the most units the free days of a row
    may hold, when the minutes window of ``r`` is small enough to keep exactly (else None).

    A unit is the greatest common divisor of the allowed shifts' lengths, so the
    totals a row can reach are exactly the multiples the program counts. The
    minutes of the ``forced`` days are taken off the window first: only free days
    are counted, so a re-plan of a few days of a long row stays exact and small.
    """
    lim = cp.limits[r]
    if lim.min_minutes is None and lim.max_minutes is None:
        return None
    allowed = cp.allowed_shifts[r]
    g = 0
    for s in allowed:
        g = math.gcd(g, cp.minutes[s])
    if g <= 0:
        return None
    done = sum(cp.minutes[f] for f in forced if f is not None and f >= 0)
    lo = max(-(-((lim.min_minutes or 0) - done) // g), 0)
    hi = (lim.max_minutes - done) // g if lim.max_minutes is not None else None
    if hi is not None and hi < 0:
        return None
    if (hi if hi is not None else lo) + 1 > EXACT_UNITS:
        return None
    units = [cp.minutes[s] // g if s in allowed else 0 for s in range(cp.S)]
    return units, lo, hi


_Pattern = tuple[int, int, bool, int, bool]
"""(last shift or OFF, length of the current stretch, stretch started on day 0,
weekends worked, this weekend already counted)."""

_Layer = dict[_Pattern, dict[int, tuple[float, _Pattern | None, int, int]]]
"""Per pattern, per tally (units of time and tracked per-type counts in one number):
(cost, previous pattern, previous tally, shift of this day)."""


def _dp(
    cp: Compiled,
    r: int,
    cost: Sequence[Sequence[float]],
    forced: Sequence[int | None],
    lam: float,
    mu: Sequence[float],
    units: tuple[list[int], int, int | None] | None = None,
    caps: Sequence[tuple[int, int]] = (),
    clock: Callable[[], float] | None = None,
    deadline: float = INF,
) -> list[int] | None:
    """The cheapest row keeping the stretch, succession and weekend rules exactly, the
    minutes window too when ``units`` (from :func:`_time_units`) is given, and the
    per-type maxima in ``caps`` (from :func:`_tracked_caps`).

    A state is a *pattern* (what the stretch and weekend rules need) and a
    *tally* (time worked and the tracked counts, one mixed-radix number): the
    rules are checked once per pattern and shift, then every tally of that
    pattern moves along by simple arithmetic.
    """
    lim = cp.limits[r]
    D = cp.D
    allowed = cp.allowed_shifts[r]
    max_w = lim.max_consecutive if lim.max_consecutive else None
    min_w = lim.min_consecutive or 0
    min_o = lim.min_days_off or 0
    cap_w = max_w if max_w is not None else max(min_w, 1)
    cap_o = max(min_o, 1)
    max_wk = lim.max_weekends
    wk_group = [-1] * D
    wk_first = [False] * D
    for g, days in enumerate(cp.weekends):
        if all(forced[x] is not None for x in days):
            # a weekend all forced is not the program's to count: it only uses budget
            if max_wk is not None and any(forced[x] >= 0 for x in days):  # type: ignore[operator]
                max_wk = max(max_wk - 1, 0)
            continue
        for i, x in enumerate(days):
            wk_group[x] = g
            wk_first[x] = i == 0 or days[i - 1] != x - 1
    fnext = cp.forbidden_next
    unav = cp.unavailable[r]
    # the tally: k (tracked counts, mixed radix) + radix * u (units of time)
    k_base, k_mod, k_max = [0] * cp.S, [1] * cp.S, [0] * cp.S
    radix = 1
    for s, m in caps:
        k_base[s], k_mod[s], k_max[s] = radix, m + 1, m
        radix *= m + 1
    if units is None:
        unit, u_lo, u_hi, u_day = [0] * cp.S, 0, None, 0
    else:
        unit, u_lo, u_hi = units
        u_day = max(unit, default=0)
    inc = [unit[y] * radix + k_base[y] for y in range(cp.S)]
    t_hi = (u_hi + 1) * radix if u_hi is not None else None  # first tally past the window
    t_sat = u_lo * radix  # with no maximum, time past the minimum no longer matters
    step = [
        [cost[d][y + 1] + (lam * cp.minutes[y] + mu[y] if y >= 0 else 0.0) for y in range(-1, cp.S)]
        for d in range(D)
    ]
    layers: list[_Layer] = []
    cur: _Layer = {}
    for d in range(D):
        if clock is not None and clock() >= deadline:
            raise _OutOfTime
        f = forced[d]
        if f is not None:
            choices = [f]
        elif unav[d]:
            choices = [OFF]
        else:
            choices = [OFF, *allowed]
        nxt: _Layer = {}
        weekend = wk_group[d] >= 0
        first = wk_first[d]
        srow = step[d]
        need = (u_lo - (D - d - 1) * u_day) * radix  # least tally that can still reach u_lo
        # between two forced days nothing is checked: a re-plan of part of a row that
        # breaks rules elsewhere still finds the best way through its free days
        lenient = f is not None and d > 0 and forced[d - 1] is not None
        prev: list[tuple[_Pattern | None, dict[int, tuple[float, _Pattern | None, int, int]]]]
        prev = [(None, {0: (0.0, None, 0, OFF)})] if d == 0 else list(cur.items())
        for key, tallies in prev:
            for y in choices:
                if key is None:
                    run, ex, wk, wf = (cap_o if y < 0 else 1), True, 0, False
                else:
                    x, run0, ex0, wk, wf = key
                    if y >= 0:
                        if x >= 0:
                            if y in fnext[x] and not lenient:
                                continue
                            run = run0 + 1
                            if max_w is not None and run > max_w and not lenient:
                                continue
                            run = min(run, cap_w)
                            ex = ex0
                        else:
                            if not ex0 and run0 < min_o and not lenient:
                                continue
                            run, ex = 1, False
                    else:
                        if x >= 0:
                            if not ex0 and run0 < min_w and not lenient:
                                continue
                            run, ex = 1, False
                        else:
                            run, ex = min(run0 + 1, cap_o), ex0
                if weekend:
                    if first:
                        wf = False
                    if y >= 0 and not wf:
                        if max_wk is not None:
                            wk += 1
                            if wk > max_wk:
                                continue
                        wf = True
                else:
                    wf = False
                state = (y, run, ex, wk, wf)
                out = nxt.get(state)
                if out is None:
                    out = nxt[state] = {}
                c0 = srow[y + 1]
                if y >= 0 and f is None:
                    add = inc[y]
                    kb = k_base[y]
                    km, kx = k_mod[y], k_max[y]
                else:
                    add = kb = 0
                    km = kx = 1
                for t, v in tallies.items():
                    if kb and (t // kb) % km == kx:
                        continue
                    nt = t + add
                    if t_hi is not None:
                        if nt >= t_hi:
                            continue
                    elif nt >= t_sat + radix and radix:
                        nt = t_sat + nt % radix
                    if nt < need:
                        continue
                    c = v[0] + c0
                    old = out.get(nt)
                    if old is None or c < old[0]:
                        out[nt] = (c, key, t, y)
                if not out:
                    del nxt[state]
        if not nxt:
            return None
        if max_wk is not None and sum(len(v) for v in nxt.values()) > 64:
            _pareto(nxt)
        layers.append(nxt)
        cur = nxt
    # the last stretch reaches the last day: exempt from the minima
    end: tuple[float, _Pattern, int] | None = None
    for key, tallies in cur.items():
        for t, v in tallies.items():
            if t >= t_sat and (end is None or v[0] < end[0]):
                end = (v[0], key, t)
    if end is None:
        return None
    row = [OFF] * D
    back: _Pattern | None = end[1]
    tally = end[2]
    for d in range(D - 1, -1, -1):
        assert back is not None
        _c, pk, pt, y = layers[d][back][tally]
        row[d] = y
        back, tally = pk, pt
    return row


def _pareto(layer: _Layer) -> None:
    """Drop, in place, the states that another with fewer weekends worked, the same
    pattern otherwise and the same tally reaches at no higher cost."""
    groups: dict[tuple[int, int, bool, bool], list[_Pattern]] = {}
    for k in layer:
        groups.setdefault((k[0], k[1], k[2], k[4]), []).append(k)
    for keys in groups.values():
        if len(keys) < 2:
            continue
        keys.sort(key=lambda k: k[3])
        best: dict[int, float] = {}
        for k in keys:
            tallies = layer[k]
            for t in list(tallies):
                c = tallies[t][0]
                b = best.get(t)
                if b is not None and c >= b:
                    del tallies[t]
                else:
                    best[t] = c
            if not tallies:
                del layer[k]


def _type_counts(cp: Compiled, row: Sequence[int]) -> list[int]:
    counts = [0] * cp.S
    for s in row:
        if s >= 0:
            counts[s] += 1
    return counts


def _excess(cp: Compiled, r: int, row: Sequence[int]) -> tuple[int, int, list[int]]:
    """Minutes below the minimum, minutes above the maximum, shifts over each type's cap."""
    lim = cp.limits[r]
    minutes = sum(cp.minutes[s] for s in row if s >= 0)
    under = max((lim.min_minutes or 0) - minutes, 0)
    over = max(minutes - lim.max_minutes, 0) if lim.max_minutes is not None else 0
    counts = _type_counts(cp, row)
    extra = [
        max(counts[s] - m, 0) if (m := cp.max_per_type[r][s]) is not None else 0
        for s in range(cp.S)
    ]
    return under, over, extra


def best_row(
    cp: Compiled,
    r: int,
    cost: Sequence[Sequence[float]],
    forced: Sequence[int | None] | None = None,
    rounds: int = 8,
    prices: list[float] | None = None,
    bound: list[float] | None = None,
    clock: Callable[[], float] | None = None,
    deadline: float = INF,
) -> list[int] | None:
    """The cheapest row for resource ``r`` under ``cost[d][shift + 1]`` (index 0: off).

    ``forced[d]``, when not None, is the shift (or OFF) day ``d`` must keep;
    nothing is checked between two forced days (they are what they are), so a
    re-plan of part of a row that breaks rules elsewhere still finds the best
    way through its free days.
    Stretch, succession, weekend and availability rules hold exactly, and so
    does the minutes window when it spans at most :data:`EXACT_UNITS` units of
    time; a wider window and the per-type maxima are met whenever the
    multiplier search finds a row that meets them (it returns the
    least-violating row seen otherwise). None when no row keeps the exact
    rules at all.

    ``prices``, when given, holds the per-type multipliers to start from and
    receives those of the row returned: a caller planning the same resource
    again under slowly changing costs passes the same list and saves rounds.
    ``bound``, when given, receives in ``bound[0]`` a lower bound on the price
    of any row that keeps every rule (windows and maxima included): each
    program's optimum less what its multipliers add, the best of the rounds.

    With a ``clock``, the search stops at ``deadline``: the best row found by then
    (None when none yet), so that a caller's time limit holds whatever the size.
    """
    forced = forced if forced is not None else [None] * cp.D
    span = max((abs(c) for row in cost for c in row if c != INF), default=1.0) * 2 + 1.0
    short = min((cp.minutes[s] for s in cp.allowed_shifts[r]), default=1) or 1
    mu = [0.0] * cp.S
    mu_lo, mu_hi = [0.0] * cp.S, [span] * cp.S
    hint = [min(x, span) for x in prices] if prices and any(prices) else None
    if hint is not None:
        rounds = min(rounds, 4)
    lo, hi = -span / short, span / short
    lam = 0.0
    units = _time_units(cp, r, forced)
    caps = _tracked_caps(cp, r, forced)
    best: tuple[tuple[int, float], list[int]] | None = None
    lb_set = False
    for _ in range(rounds):
        try:
            row = _dp(cp, r, cost, forced, lam, mu, units, caps, clock, deadline)
            if row is None and (units is not None or caps):
                # no row fits the window and maxima exactly: price them, for the least-bad row
                units, caps = None, []
                row = _dp(cp, r, cost, forced, lam, mu, clock=clock, deadline=deadline)
        except _OutOfTime:
            return None if best is None else best[1]
        if row is None:
            return None if best is None else best[1]
        under, over, extra = _excess(cp, r, row)
        bad = under + over + sum(extra) * short
        price = sum(cost[d][row[d] + 1] for d in range(cp.D))
        counts = _type_counts(cp, row)
        if bound is not None:
            lim = cp.limits[r]
            lb = price + sum(
                mu[s] * (counts[s] - (cp.max_per_type[r][s] or 0)) for s in range(cp.S) if mu[s]
            )
            if lam:
                minutes = sum(cp.minutes[y] for y in row if y >= 0)
                edge = lim.max_minutes if lam > 0 else lim.min_minutes
                lb += lam * (minutes - (edge or 0))
            bound[0] = lb if not lb_set else max(bound[0], lb)
            lb_set = True
        if best is None or (bad, price) < best[0]:
            best = ((bad, price), row)
            if prices is not None:
                prices[:] = mu
        if bad == 0 and not any(mu):
            break  # the cheapest row keeps every rule: nothing to price
        if under:
            hi = lam
            lam = (lo + lam) / 2
        elif over:
            lo = lam
            lam = (lam + hi) / 2
        # per-type maxima: bisect each type's price between too cheap and too dear
        for s in range(cp.S):
            if extra[s] and not mu[s] and hint is not None and hint[s]:
                mu[s] = hint[s]  # start from the multiplier that fitted last time
            elif extra[s]:
                mu_lo[s] = mu[s]
                mu[s] = (mu[s] + mu_hi[s]) / 2
            elif mu[s] and (m := cp.max_per_type[r][s]) is not None and counts[s] < m:
                mu_hi[s] = mu[s]
                mu[s] = (mu_lo[s] + mu[s]) / 2
    assert best is not None
    return best[1]


def request_weight(rules: Sequence[Rule], hard_weight: float) -> float:
    """The weight of one unit of shift-request penalty (0 when no rule prices requests)."""
    for rule in rules:
        if rule.name == "shift_requests":
            return rule.weight if not rule.hard else hard_weight
    return 0.0


def skill_weight(rules: Sequence[Rule], hard_weight: float) -> float:
    """The weight of one person short of a needed skill (0 when no rule prices skills)."""
    for rule in rules:
        if rule.name == "skills":
            return rule.weight if not rule.hard else hard_weight
    return 0.0


def skill_gain(
    cp: Compiled, r: int, d: int, s: int, p: int, members: Collection[int], weight: float
) -> float:
    """What ``r`` working slot ``(d, s, p)`` takes off the skills rule's score: ``weight``
    per needed skill of ``r`` the others in ``members`` leave short."""
    need = cp.need[d][s][p]
    if not weight or need is None or not need.skills:
        return 0.0
    skills = cp.skills
    mine = skills[r]
    gain = 0.0
    for skill, count in need.skills:
        if skill in mine and sum(1 for m in members if m != r and skill in skills[m]) < count:
            gain += weight
    return gain


def add_requests(cp: Compiled, r: int, weight: float, cost: list[list[float]]) -> None:
    """Add the shift requests of ``r`` (times ``weight``) to the row price table ``cost``."""
    for (d, s), w in cp.on_req[r].items():
        for y in range(-1, cp.S):
            if (s == OFF and y < 0) or (s >= 0 and y != s):
                cost[d][y + 1] += w * weight
    for (d, s), w in cp.off_req[r].items():
        for y in range(-1, cp.S):
            if (s == OFF and y >= 0) or (s >= 0 and y == s):
                cost[d][y + 1] += w * weight


def pair_prices(st: RosterState, r: int, hard_weight: float) -> list[float] | None:
    """What resource ``r`` costs at each post under the per-(resource, post) rules, or None.

    A post a hard rule forbids (hard locality) is priced at ten hard violations, so
    that a row takes it only when nothing else keeps the row's own rules."""
    if st.pairs is None:
        return None
    hard, soft = st.pairs
    return [10 * hard_weight * h + s for h, s in zip(hard[r], soft[r], strict=True)]


def row_prices(
    st: RosterState, r: int, hard_weight: float
) -> tuple[list[list[float]], list[list[int]]]:
    """Per-day prices ``[off, shift 0, shift 1, ...]`` for resource ``r`` and the post to use.

    A shift's price is the change in the cover score if ``r`` works it, the
    others as they are (a hard minimum or maximum counts ``hard_weight``), less
    what ``r`` brings to a post short of a skill it has (the skills rule), plus
    the shift requests of ``r`` that day; the cheapest open post is chosen.
    """
    cp = st.cp
    req_w = request_weight(st.rules, hard_weight)
    sk_w = skill_weight(st.rules, hard_weight) if cp.skills[r] else 0.0
    cost = [[0.0] * (cp.S + 1) for _ in range(cp.D)]
    post = [[OFF] * cp.S for _ in range(cp.D)]
    pair = pair_prices(st, r, hard_weight)
    for d in range(cp.D):
        row = cost[d]
        for s in range(cp.S):
            best = INF
            for p in cp.open_posts[d][s]:
                need = cp.need[d][s][p]
                assert need is not None
                members = st.members[d][s][p]
                n = len(members) - (1 if r in members else 0)
                h0, s0 = cover_amounts(need, n)
                h1, s1 = cover_amounts(need, n + 1)
                c = hard_weight * (h1 - h0) + (s1 - s0)
                if sk_w:
                    c -= skill_gain(cp, r, d, s, p, members, sk_w)
                if pair is not None:
                    c += pair[p]
                if c < best:
                    best, post[d][s] = c, p
            row[s + 1] = best if best < INF else hard_weight * 10
    if req_w:
        add_requests(cp, r, req_w, cost)
    return cost, post
