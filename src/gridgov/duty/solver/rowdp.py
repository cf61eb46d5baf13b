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

from collections.abc import Sequence

from gridgov.duty.compiled import OFF, Compiled
from gridgov.duty.state import RosterState

INF = float("inf")

_State = tuple[int, int, bool, int, bool]
"""(last shift or OFF, length of the current stretch, stretch started on day 0,
weekends worked, this weekend already counted)."""


def _dp(
    cp: Compiled,
    r: int,
    cost: Sequence[Sequence[float]],
    forced: Sequence[int | None],
    lam: float,
    mu: Sequence[float],
) -> list[int] | None:
    """The cheapest row keeping the stretch, succession and weekend rules exactly."""
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
        for i, x in enumerate(days):
            wk_group[x] = g
            wk_first[x] = i == 0 or days[i - 1] != x - 1
    fnext = cp.forbidden_next
    unav = cp.unavailable[r]
    step = [
        [cost[d][y + 1] + (lam * cp.minutes[y] + mu[y] if y >= 0 else 0.0) for y in range(-1, cp.S)]
        for d in range(D)
    ]
    layers: list[dict[_State, tuple[float, _State | None, int]]] = []
    cur: dict[_State, tuple[float, _State | None, int]] = {}
    for d in range(D):
        f = forced[d]
        if f is not None:
            choices = [f]
        elif unav[d]:
            choices = [OFF]
        else:
            choices = [OFF, *allowed]
        nxt: dict[_State, tuple[float, _State | None, int]] = {}
        weekend = wk_group[d] >= 0
        first = wk_first[d]
        srow = step[d]
        prev_items: list[tuple[_State | None, float]] = (
            [(None, 0.0)] if d == 0 else [(k, v[0]) for k, v in cur.items()]
        )
        for key, base in prev_items:
            for y in choices:
                if key is None:
                    run, ex, wk, wf = 1, True, 0, False
                    if y < 0:
                        run = cap_o
                else:
                    x, run0, ex0, wk, wf = key
                    if y >= 0:
                        if x >= 0:
                            if y in fnext[x]:
                                continue
                            run = run0 + 1
                            if max_w is not None and run > max_w:
                                continue
                            run = min(run, cap_w)
                            ex = ex0
                        else:
                            if not ex0 and run0 < min_o:
                                continue
                            run, ex = 1, False
                    else:
                        if x >= 0:
                            if not ex0 and run0 < min_w:
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
                c = base + srow[y + 1]
                old = nxt.get(state)
                if old is None or c < old[0]:
                    nxt[state] = (c, key, y)
        if not nxt:
            return None
        if max_wk is not None and len(nxt) > 64:
            nxt = _pareto(nxt)
        layers.append(nxt)
        cur = nxt
    # the last stretch reaches the last day: exempt from the minima
    end = min(cur, key=lambda k: cur[k][0])
    row = [OFF] * D
    back: _State | None = end
    for d in range(D - 1, -1, -1):
        assert back is not None
        _c, prev, y = layers[d][back]
        row[d] = y
        back = prev
    return row


def _pareto(
    layer: dict[_State, tuple[float, _State | None, int]],
) -> dict[_State, tuple[float, _State | None, int]]:
    """Drop the states that another with as few weekends worked and no higher cost beats."""
    groups: dict[tuple[int, int, bool, bool], list[_State]] = {}
    for k in layer:
        groups.setdefault((k[0], k[1], k[2], k[4]), []).append(k)
    out: dict[_State, tuple[float, _State | None, int]] = {}
    for keys in groups.values():
        keys.sort(key=lambda k: k[3])
        best = INF
        for k in keys:
            c = layer[k][0]
            if c < best:
                best = c
                out[k] = layer[k]
    return out


def _excess(cp: Compiled, r: int, row: Sequence[int]) -> tuple[int, int, list[int]]:
    """Minutes below the minimum, minutes above the maximum, shifts over each type's cap."""
    lim = cp.limits[r]
    minutes = sum(cp.minutes[s] for s in row if s >= 0)
    under = max((lim.min_minutes or 0) - minutes, 0)
    over = max(minutes - lim.max_minutes, 0) if lim.max_minutes is not None else 0
    counts = [0] * cp.S
    for s in row:
        if s >= 0:
            counts[s] += 1
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
) -> list[int] | None:
    """The cheapest row for resource ``r`` under ``cost[d][shift + 1]`` (index 0: off).

    ``forced[d]``, when not None, is the shift (or OFF) day ``d`` must keep.
    Stretch, succession, weekend and availability rules hold exactly; the
    minutes window and per-type maxima are met whenever the multiplier search
    finds a row that meets them (it returns the least-violating row seen
    otherwise). None when no row keeps the exact rules at all.
    """
    forced = forced if forced is not None else [None] * cp.D
    span = max((abs(c) for row in cost for c in row), default=1.0) * 2 + 1.0
    short = min((cp.minutes[s] for s in cp.allowed_shifts[r]), default=1) or 1
    mu = [0.0] * cp.S
    lo, hi = -span / short, span / short
    lam = 0.0
    best: tuple[tuple[int, float], list[int]] | None = None
    for _ in range(rounds):
        row = _dp(cp, r, cost, forced, lam, mu)
        if row is None:
            return None if best is None else best[1]
        under, over, extra = _excess(cp, r, row)
        bad = under + over + sum(extra) * short
        price = sum(cost[d][row[d] + 1] for d in range(cp.D))
        if best is None or (bad, price) < best[0]:
            best = ((bad, price), row)
        if bad == 0:
            break
        if under:
            hi = lam
            lam = (lo + lam) / 2
        elif over:
            lo = lam
            lam = (lam + hi) / 2
        for s in range(cp.S):
            if extra[s]:
                mu[s] += span / 2 + mu[s]
    assert best is not None
    return best[1]


def row_prices(
    st: RosterState, r: int, hard_weight: float
) -> tuple[list[list[float]], list[list[int]]]:
    """Per-day prices ``[off, shift 0, shift 1, ...]`` for resource ``r`` and the post to use.

    A shift's price is the change in the cover score if ``r`` works it, the
    others as they are (a hard minimum or maximum counts ``hard_weight``), plus
    the shift requests of ``r`` that day; the cheapest open post is chosen.
    """
    cp = st.cp
    req_w = 0
    for rule in st.rules:
        if rule.name == "shift_requests":
            req_w = rule.weight if not rule.hard else int(hard_weight)
    cost = [[0.0] * (cp.S + 1) for _ in range(cp.D)]
    post = [[OFF] * cp.S for _ in range(cp.D)]
    for d in range(cp.D):
        row = cost[d]
        for s in range(cp.S):
            best = INF
            for p in cp.open_posts[d][s]:
                need = cp.need[d][s][p]
                assert need is not None
                members = st.members[d][s][p]
                n = len(members) - (1 if r in members else 0)
                c = 0.0
                if n < need.min:
                    c -= hard_weight
                if need.max is not None and n + 1 > need.max:
                    c += hard_weight
                if n < need.target:
                    c -= need.weight_under
                else:
                    c += need.weight_over
                if c < best:
                    best, post[d][s] = c, p
            row[s + 1] = best if best < INF else hard_weight * 10
    if req_w:
        for (d, s), w in cp.on_req[r].items():
            for y in range(-1, cp.S):
                if (s == OFF and y < 0) or (s >= 0 and y != s):
                    cost[d][y + 1] += w * req_w
        for (d, s), w in cp.off_req[r].items():
            for y in range(-1, cp.S):
                if (s == OFF and y >= 0) or (s >= 0 and y == s):
                    cost[d][y + 1] += w * req_w
    return cost, post
