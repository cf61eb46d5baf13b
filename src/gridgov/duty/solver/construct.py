"""The constructive start: fill each slot up to its need with the least-loaded free resource.

Cheap checks only (availability, allowed shift types, forbidden successions,
maximum run of working days, maximum minutes); local search repairs the rest.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from gridgov.duty.compiled import Compiled, SlotNeed


def construct(
    cp: Compiled,
    shifts: list[list[int]],
    posts: list[list[int]],
    fixed: list[list[bool]],
    rng: random.Random,
) -> None:
    """Fill ``shifts``/``posts`` in place, never changing a ``fixed`` cell."""
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

    # two passes over the horizon: every slot up to its hard minimum first, then
    # up to its target (so soft wishes never use up people a minimum needs)
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
    for first_pass in (True, False):
        for d in range(cp.D):
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
    for _ in range(want - len(have)):
        cands = [r for r in range(cp.R) if ok(r, d, s)]
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
        shifts[r][d] = s
        posts[r][d] = p
        minutes[r] += cp.minutes[s]
        counts[r][s] += 1
        have.append(r)
