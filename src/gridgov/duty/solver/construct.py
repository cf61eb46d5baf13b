"""The constructive starts: rows first (each keeping its own hard rules), or slots first.

:func:`construct_rows`: each resource in turn builds its whole row
(:func:`~.rowbuild.build_row`: milliseconds a row at any size) against prices
from the cover the rows before it left: a slot short of its target pays its
under-cover weight (a hard minimum, skill or leader much more), a full one
costs its over-cover weight, and the resource's own shift requests count too.
A second pass re-builds each row against all the others (kept when the rules,
then the prices, say it is better). Slots still short of a hard minimum are
then filled slot by slot.

:func:`construct`: fill each slot up to its need with the least-loaded free
resource, the hard minimums first, with cheap checks only (availability,
allowed shift types, forbidden successions, maximum run of working days,
maximum minutes); local search repairs the rest. Good where cover, skills and
leaders are hard and the rows loose; poor where the rows' own rules are tight.

Both stop at ``deadline`` on ``clock``: the slot filling's pass up to the targets as
soon as its rate says it would end after it, the rows' second pass at it, the rows'
first pass (what makes a start) at twice the deadline's distance; the hard
minimums always end. So a timed run's limit holds at any size.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable

from gridgov.duty.compiled import OFF, Compiled, SlotNeed
from gridgov.duty.rules.cover import cover_amounts
from gridgov.duty.solver.rowbuild import (
    INF,
    RowLimits,
    build_row,
    hard_rule_names,
    row_hard_cost,
    rule_weight,
)


def _hard_weight(cp: Compiled) -> float:
    """A price for one unit of a hard rule: more than any soft unit."""
    top = 1
    for day in cp.need:
        for row in day:
            for need in row:
                if need is not None:
                    top = max(top, need.weight_under, need.weight_over)
    for table in cp.on_req + cp.off_req:
        for w in table.values():
            top = max(top, w)
    return 10.0 * top + 10.0


class _Cover:
    """Who works each slot, and the price of one more person there."""

    def __init__(self, cp: Compiled, shifts: list[list[int]], posts: list[list[int]]) -> None:
        self.cp = cp
        self.hw = _hard_weight(cp)
        self.members: list[list[list[set[int]]]] = [
            [[set() for _ in range(cp.P)] for _ in range(cp.S)] for _ in range(cp.D)
        ]
        for r in range(cp.R):
            for d in range(cp.D):
                if shifts[r][d] >= 0:
                    self.members[d][shifts[r][d]][posts[r][d]].add(r)
        self.skills_w = rule_weight(cp, "skills", self.hw)
        self.leader_w = rule_weight(cp, "leadership", self.hw)
        self.req_w = rule_weight(cp, "shift_requests", self.hw)
        #: (price, post) of the cheapest open post per day and type, for anyone
        self.base: list[list[tuple[float, int]]] = [
            [self._base(d, s) for s in range(cp.S)] for d in range(cp.D)
        ]
        self.personal = any(
            n is not None and (n.skills or n.leader) for day in cp.need for row in day for n in row
        )

    def _slot(self, need: SlotNeed, n: int) -> float:
        h0, s0 = cover_amounts(need, n)
        h1, s1 = cover_amounts(need, n + 1)
        return self.hw * (h1 - h0) + (s1 - s0)

    def _base(self, d: int, s: int) -> tuple[float, int]:
        cp = self.cp
        best, where = INF, OFF
        for p in cp.open_posts[d][s]:
            need = cp.need[d][s][p]
            assert need is not None
            c = self._slot(need, len(self.members[d][s][p]))
            if c < best:
                best, where = c, p
        return best, where

    def add(self, r: int, d: int, s: int, p: int) -> None:
        self.members[d][s][p].add(r)
        self.base[d][s] = self._base(d, s)

    def remove(self, r: int, d: int, s: int, p: int) -> None:
        self.members[d][s][p].discard(r)
        self.base[d][s] = self._base(d, s)

    def prices(self, r: int) -> tuple[list[list[float]], list[list[int]]]:
        """Per day and type, what ``r`` working it costs (INF: closed), and the post."""
        cp = self.cp
        if self.personal:
            price, post = self._personal(r)
        else:
            price = [[c for c, _p in day] for day in self.base]
            post = [[p for _c, p in day] for day in self.base]
        if self.req_w:
            # prices are against a day off: a met on request pays, a broken off request costs
            w = self.req_w
            for (d, s), v in cp.on_req[r].items():
                pd = price[d]
                for y in range(cp.S) if s == OFF else (s,):
                    pd[y] -= w * v
            for (d, s), v in cp.off_req[r].items():
                pd = price[d]
                for y in range(cp.S) if s == OFF else (s,):
                    pd[y] += w * v
        return price, post

    def _personal(self, r: int) -> tuple[list[list[float]], list[list[int]]]:
        cp = self.cp
        mine = cp.skills[r]
        lead = cp.leader[r]
        skills = cp.skills
        price = [[INF] * cp.S for _ in range(cp.D)]
        post = [[OFF] * cp.S for _ in range(cp.D)]
        for d in range(cp.D):
            for s in range(cp.S):
                for p in cp.open_posts[d][s]:
                    need = cp.need[d][s][p]
                    assert need is not None
                    members = self.members[d][s][p]
                    c = self._slot(need, len(members) - (r in members))
                    if mine and self.skills_w:
                        for skill, count in need.skills:
                            if skill in mine:
                                have = sum(1 for m in members if m != r and skill in skills[m])
                                if have < count:
                                    c -= self.skills_w
                    if (
                        lead
                        and need.leader
                        and self.leader_w
                        and not any(cp.leader[m] for m in members if m != r)
                    ):
                        c -= self.leader_w
                    if c < price[d][s]:
                        price[d][s], post[d][s] = c, p
        return price, post


def construct_rows(
    cp: Compiled,
    shifts: list[list[int]],
    posts: list[list[int]],
    fixed: list[list[bool]],
    rng: random.Random,
    *,
    clock: Callable[[], float] | None = None,
    deadline: float = math.inf,
) -> None:
    """Fill ``shifts``/``posts`` in place row by row, never changing a ``fixed`` cell."""
    from gridgov.duty.rules import bind_rules

    hard = hard_rule_names(cp)
    rules = [r for r in bind_rules(cp) if r.hard and r.scope == "resource"]
    cover = _Cover(cp, shifts, posts)
    limits = [RowLimits(cp, r, hard) for r in range(cp.R)]
    forced = [[shifts[r][d] if fixed[r][d] else None for d in range(cp.D)] for r in range(cp.R)]
    movable = [r for r in range(cp.R) if not all(fixed[r])]
    # the resources with the fewest shift types first: the others can go round them
    order = sorted(movable, key=lambda r: (len(cp.allowed_shifts[r]), rng.random()))

    def place(r: int) -> tuple[list[int], list[int], list[list[float]]]:
        price, post = cover.prices(r)
        best: tuple[tuple[int, float], list[int], list[int]] | None = None
        for pack in (False, True):
            row = build_row(cp, limits[r], price, forced[r], pack=pack)
            prow = [
                post[d][y] if y >= 0 and forced[r][d] is None else posts[r][d]
                for d, y in enumerate(row)
            ]
            for d, y in enumerate(row):
                if y >= 0 and prow[d] < 0:
                    row[d] = OFF  # no open post for that type that day
            key = (row_hard_cost(rules, r, row, prow), _row_price(price, row))
            if best is None or key < best[0]:
                best = (key, row, prow)
            if key[0] == 0:
                break  # the cheapest stretches keep the rules: no need to pack
        assert best is not None
        return best[1], best[2], price

    def late() -> bool:
        return clock is not None and clock() >= deadline

    # the first pass is the start the search needs: it may run to twice the deadline's
    # distance (a loaded machine, many workers), the rows not built by then stay off
    now = clock() if clock is not None else 0.0
    stop = now + 2 * (deadline - now) if clock is not None else math.inf
    for r in order:
        if clock is not None and clock() >= stop:
            return
        row, prow, _price = place(r)
        _put(cp, cover, r, row, prow, shifts, posts, fixed)
    # second pass: each row again, against the others as they now are
    rng.shuffle(order)
    for r in order:
        if late():
            return
        old, oldp = shifts[r][:], posts[r][:]
        for d in range(cp.D):
            if not fixed[r][d] and old[d] >= 0:
                cover.remove(r, d, old[d], oldp[d])
                shifts[r][d] = posts[r][d] = OFF
        row, prow, price = place(r)
        new_key = (row_hard_cost(rules, r, row, prow), _row_price(price, row))
        old_key = (row_hard_cost(rules, r, old, oldp), _row_price(price, old))
        if new_key < old_key:
            _put(cp, cover, r, row, prow, shifts, posts, fixed)
        else:
            _put(cp, cover, r, old, oldp, shifts, posts, fixed)
    _slot_fill(cp, shifts, posts, fixed, rng, (True,), clock, deadline)


def construct(
    cp: Compiled,
    shifts: list[list[int]],
    posts: list[list[int]],
    fixed: list[list[bool]],
    rng: random.Random,
    *,
    clock: Callable[[], float] | None = None,
    deadline: float = math.inf,
) -> None:
    """Fill ``shifts``/``posts`` in place slot by slot, never changing a ``fixed`` cell:
    every slot up to its hard minimum first, then up to its target (so soft wishes
    never use up people a minimum needs)."""
    _slot_fill(cp, shifts, posts, fixed, rng, (True, False), clock, deadline)


def _row_price(price: list[list[float]], row: list[int]) -> float:
    return sum(price[d][y] for d, y in enumerate(row) if y >= 0)


def _put(
    cp: Compiled,
    cover: _Cover,
    r: int,
    row: list[int],
    prow: list[int],
    shifts: list[list[int]],
    posts: list[list[int]],
    fixed: list[list[bool]],
) -> None:
    for d in range(cp.D):
        if fixed[r][d]:
            continue
        shifts[r][d] = row[d]
        posts[r][d] = prow[d] if row[d] >= 0 else OFF
        if row[d] >= 0:
            cover.add(r, d, row[d], posts[r][d])


def _slot_fill(
    cp: Compiled,
    shifts: list[list[int]],
    posts: list[list[int]],
    fixed: list[list[bool]],
    rng: random.Random,
    passes: tuple[bool, ...],
    clock: Callable[[], float] | None,
    deadline: float,
) -> None:
    """Fill each slot with the least-loaded free resource the cheap checks allow: up to
    its hard minimum in a pass ``True``, up to its target in a pass ``False``."""
    if passes == (True,) and not any(
        n is not None and n.min for day in cp.need for row in day for n in row
    ):
        return
    minutes = [0] * cp.R
    counts = [[0] * cp.S for _ in range(cp.R)]
    for r in range(cp.R):
        for d in range(cp.D):
            s = shifts[r][d]
            if s >= 0:
                minutes[r] += cp.minutes[s]
                counts[r][s] += 1
    cap = [lim.max_minutes if lim.max_minutes is not None else 10**9 for lim in cp.limits]
    max_run = [lim.max_consecutive for lim in cp.limits]

    def run_if_worked(r: int, d: int) -> int:
        row = shifts[r]
        a = d - 1
        while a >= 0 and row[a] >= 0:
            a -= 1
        b = d + 1
        while b < cp.D and row[b] >= 0:
            b += 1
        return b - a - 1

    def ok(r: int, d: int, s: int) -> bool:
        if fixed[r][d] or shifts[r][d] >= 0 or cp.unavailable[r][d]:
            return False
        limit = cp.max_per_type[r][s]
        if limit is not None and counts[r][s] >= limit:
            return False
        if minutes[r] + cp.minutes[s] > cap[r]:
            return False
        if d > 0 and shifts[r][d - 1] >= 0 and s in cp.forbidden_next[shifts[r][d - 1]]:
            return False
        if d + 1 < cp.D and shifts[r][d + 1] >= 0 and shifts[r][d + 1] in cp.forbidden_next[s]:
            return False
        mr = max_run[r]
        return mr is None or run_if_worked(r, d) <= mr

    order = []
    for d in range(cp.D):
        slots = [
            (s, p, need)
            for s in range(cp.S)
            for p in range(cp.P)
            if (need := cp.need[d][s][p]) is not None
        ]
        rng.shuffle(slots)
        slots.sort(key=lambda x: (not x[2].leader, -len(x[2].skills)))
        order.append(slots)
    for first_pass in passes:
        t_start = clock() if clock is not None else 0.0
        for d in range(cp.D):
            if clock is not None and not first_pass and d:
                # the targets (the minimums always end): stop at the deadline, or as
                # soon as the rate so far says the pass would end after it
                now = clock()
                if now >= deadline or now + (now - t_start) * (cp.D - d) / d > deadline:
                    return
            for s, p, need in order[d]:
                want = need.min if first_pass else max(need.min, need.target)
                _fill(cp, d, s, p, need, want, shifts, posts, ok, minutes, counts, cap, rng)


def _fill(
    cp: Compiled,
    d: int,
    s: int,
    p: int,
    need: SlotNeed,
    want: int,
    shifts: list[list[int]],
    posts: list[list[int]],
    ok: Callable[[int, int, int], bool],
    minutes: list[int],
    counts: list[list[int]],
    cap: list[int],
    rng: random.Random,
) -> None:
    have = [r for r in range(cp.R) if shifts[r][d] == s and posts[r][d] == p]
    if len(have) >= want:
        return
    # who may take the slot: placing one changes only that one's own checks
    cands = [r for r in range(cp.R) if ok(r, d, s)]
    for _ in range(want - len(have)):
        if not cands:
            return
        missing = frozenset(k for k, n in need.skills if sum(k in cp.skills[m] for m in have) < n)
        no_leader = need.leader and not any(cp.leader[m] for m in have)

        def key(
            r: int, missing: frozenset[str] = missing, no_leader: bool = no_leader
        ) -> tuple[int, int, float, float]:
            gain = len(cp.skills[r] & missing) + (no_leader and cp.leader[r])
            # do not spend a skilled or leading resource where nothing asks for it
            waste = len(cp.skills[r] - missing) + (cp.leader[r] and not no_leader)
            return (-gain, waste, minutes[r] / max(cap[r], 1), rng.random())

        r = min(cands, key=key)
        cands.remove(r)
        shifts[r][d] = s
        posts[r][d] = p
        minutes[r] += cp.minutes[s]
        counts[r][s] += 1
        have.append(r)
