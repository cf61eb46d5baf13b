"""Problems with the structure of the Curtois & Qu benchmark, at any size, from a seed.

The public benchmark (:mod:`gridgov.duty.formats.curtois`) goes from 14 days
and 8 staff to 364 days, 150 staff and 32 shift types; a solver tuned on the
few files it was shown learns nothing about the others. :func:`benchmark_like`
draws instances with the same ingredients and proportions as the public ones
(measured on the shared files, see ``docs/duty.md``):

- shift types of 8 h (some of 10 or 12 h) ordered by start; a later type
  forbids the earlier ones on the next day (no early after late);
- a few staff contracts per instance: about 4.5 shifts a week at most, a
  minimum of 85-98% of that, at most 5 working days in a row, stretches of at
  least 2 on and 2 off, half the weekends at most (a maximum that 8 h shifts
  can reach within the stretch limits, with 10% to spare);
- each person qualified for about 70% of the types (long types capped at a
  quarter of the days), fixed days off (single days, and on long horizons
  leave blocks), on and off requests in runs of 1-5 days with weights 1-3;
- cover per day and type (weight 100 per person missing, 1 per person too
  many) adding up to 90-100% of the staff's maximum minutes, shared between
  types by how many may work each.

Pure: the same arguments give the same problem. Hard feasibility is likely
but not promised (as in the benchmark, cover is soft; the per-person rules
are hard).
"""

from __future__ import annotations

import random

from gridgov.duty.formats.curtois import POST, RULES, START
from gridgov.duty.model import (
    Horizon,
    Limits,
    Post,
    Problem,
    Resource,
    ShiftRequest,
    ShiftType,
    StaffNeed,
)

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _staff_id(i: int) -> str:
    """``A``..``Z``, then ``AA``, ``AB``... (like the benchmark files)."""
    out = ""
    i += 1
    while i:
        i, k = divmod(i - 1, 26)
        out = _LETTERS[k] + out
    return out


def benchmark_like(
    *,
    days: int = 28,
    staff: int = 20,
    shift_types: int = 3,
    seed: int = 0,
    load: float | None = None,
    name: str | None = None,
) -> Problem:
    """A benchmark-shaped :class:`Problem` (``days`` a multiple of 7; ``load``: cover
    minutes over the staff's maximum minutes, drawn in 0.90-1.00 when None)."""
    if days < 7 or days % 7:
        raise ValueError(f"days must be a positive multiple of 7, got {days}")
    if staff < 1 or shift_types < 1:
        raise ValueError("staff and shift_types must be >= 1")
    rng = random.Random(f"benchmark_like/{days}/{staff}/{shift_types}/{seed}")
    weeks = days // 7
    # shift types: mostly 8 h; ids by start (e1.. early, d.. day, l.. late, n.. night)
    lengths = [rng.choice((480, 480, 480, 480, 600, 720)) for _ in range(shift_types)]
    ids = [f"S{i + 1}" if shift_types > 26 else _LETTERS[i] for i in range(shift_types)]
    forbidden: list[tuple[str, ...]] = []
    for i in range(shift_types):
        earlier = [ids[j] for j in range(i) if rng.random() < 0.85]
        if lengths[i] >= 720 and rng.random() < 0.5:
            earlier.append(ids[i])
        forbidden.append(tuple(earlier))
    shifts = tuple(
        ShiftType(ids[i], lengths[i], forbidden_next=forbidden[i]) for i in range(shift_types)
    )
    forbidden_idx = [{ids.index(x) for x in f} for f in forbidden]

    def max_shifts_idx(caps: dict[str, int]) -> list[int]:
        return [caps[x] for x in ids]

    # contracts: a few per instance
    contracts = []
    for _ in range(rng.randint(1, min(5, staff))):
        max_run = rng.choice((5, 5, 5, 6))
        min_off = rng.choice((2, 2, 2, 1))
        per_week = rng.choice((2160, 2160, 2160, 1920, 1440, 2400))
        # as in the benchmark, 8 h stretches can reach the maximum with some slack
        room = 480 * 7 * max_run / (max_run + min_off) / 1.1
        per_week = min(per_week, int(room) // 240 * 240)
        hi = per_week * weeks
        # a window at least one long shift wide: some count of shifts always fits in it
        lo = min(int(hi * rng.uniform(0.85, 0.98)) // 60 * 60, hi - max(lengths))
        contracts.append((hi, lo, max_run, rng.choice((2, 2, 2, 3)), min_off, max(1, weeks // 2)))
    resources = []
    allowed_by: list[list[int]] = []
    for e in range(staff):
        hi, lo, max_run, min_run, min_off, max_wk = contracts[e % len(contracts)]
        allowed = [s for s in range(shift_types) if rng.random() < 0.7] or [
            rng.randrange(shift_types)
        ]
        allowed_by.append(allowed)
        # long types are capped at a quarter of the days when a shorter one is allowed too
        capped = any(lengths[s] < 720 for s in allowed)
        max_shifts = {
            ids[s]: (
                0 if s not in allowed else (days // 4 if capped and lengths[s] >= 720 else days)
            )
            for s in range(shift_types)
        }
        off = _days_off(rng, days)
        # a hidden row that keeps every hard rule: the window stretches to take it in
        worked = _hidden_row(
            rng,
            days,
            set(off),
            allowed,
            lengths,
            forbidden_idx,
            max_shifts_idx(max_shifts),
            (max_run, min_run, min_off, max_wk, lo),
        )
        done = sum(lengths[s] for s in worked if s >= 0)
        lo, hi = min(lo, done), max(hi, done)
        requests = _requests(rng, days, [ids[s] for s in allowed], set(off))
        resources.append(
            Resource(
                _staff_id(e),
                kind="person",
                limits=Limits(
                    max_shifts=max_shifts,
                    max_minutes=hi,
                    min_minutes=lo,
                    max_consecutive=max_run,
                    min_consecutive=min_run,
                    min_days_off=min_off,
                    max_weekends=max_wk,
                ),
                unavailable=tuple(off),
                requests=tuple(requests),
            )
        )
    # cover: the staff's maximum minutes times the load, shared by qualified heads
    share = load if load is not None else rng.uniform(0.90, 1.00)
    capacity = sum(r.limits.max_minutes or 0 for r in resources) * share
    heads = [sum(1 for a in allowed_by if s in a) for s in range(shift_types)]
    weight = [heads[s] * rng.uniform(0.5, 1.5) for s in range(shift_types)]
    per_day_minutes = capacity / days
    total_w = sum(weight[s] * lengths[s] for s in range(shift_types)) or 1.0
    needs = []
    for d in range(days):
        day_factor = rng.uniform(0.8, 1.2) * (0.85 if d % 7 >= 5 else 1.0)
        for s in range(shift_types):
            mean = per_day_minutes * weight[s] / total_w * day_factor
            n = max(0, int(mean + rng.random()))
            needs.append(StaffNeed(ids[s], 0, None, n, 100, 1, days=(d,)))
    return Problem(
        horizon=Horizon(START, days),
        shifts=shifts,
        posts=(Post(POST, kind="ward", needs=tuple(needs)),),
        resources=tuple(resources),
        rules=RULES,
        name=name if name is not None else f"gen{days}x{staff}x{shift_types}s{seed}",
    )


def _days_off(rng: random.Random, days: int) -> list[int]:
    """About one fixed day off a fortnight; on long horizons some leave blocks too."""
    out: set[int] = set()
    for start in range(0, days, 14):
        out.add(start + rng.randrange(min(14, days - start)))
    if days > 56:
        for _ in range(rng.randint(0, days // 60)):
            first = rng.randrange(days)
            out.update(range(first, min(days, first + rng.randint(3, 14))))
    return sorted(out)


def _requests(
    rng: random.Random, days: int, allowed: list[str], off: set[int]
) -> list[ShiftRequest]:
    """On requests (~0.17 a day) and off requests (~0.085 a day) in runs of 1-5 days."""
    out: list[ShiftRequest] = []
    taken: set[int] = set()
    for on, rate in ((True, 0.17), (False, 0.085)):
        goal = int(days * rate + rng.random())
        tries = 0
        while goal > 0 and tries < 10 * days:
            tries += 1
            run = rng.randint(1, 5)
            first = rng.randrange(days)
            span = [d for d in range(first, min(days, first + run)) if d not in taken]
            if on:
                span = [d for d in span if d not in off]
            if not span:
                continue
            shift = rng.choice(allowed)
            w = rng.randint(1, 3)
            for d in span[:goal]:
                out.append(ShiftRequest(d, shift, w, on=on))
                taken.add(d)
            goal -= len(span[:goal])
    return out


def _hidden_row(
    rng: random.Random,
    days: int,
    off: set[int],
    allowed: list[int],
    lengths: list[int],
    forbidden: list[set[int]],
    caps: list[int],
    contract: tuple[int, int, int, int, int],
) -> list[int]:
    """One row keeping the stretch, weekend, succession, per-type and unavailability
    rules, working up to ``lo`` minutes: stretches of ``min_run..max_run`` days apart by
    at least ``min_off``; a stretch cut short by a day off is dropped."""
    max_run, min_run, min_off, max_wk, lo = contract
    row = [-1] * days
    counts = [0] * len(lengths)
    weekends: set[int] = set()
    minutes = 0
    d = rng.randrange(min_off + 1)
    while d < days and minutes < lo:
        want = rng.randint(min_run, max_run)
        block: list[tuple[int, int]] = []
        prev = -1
        wk = set(weekends)
        e = d
        while e < days and len(block) < want and e not in off:
            w = e // 7 if e % 7 >= 5 else -1
            if w >= 0 and w not in wk and len(wk) >= max_wk:
                break
            ok = [
                s
                for s in allowed
                if counts[s] + sum(1 for _d, x in block if x == s) < caps[s]
                and (prev < 0 or s not in forbidden[prev])
            ]
            if not ok:
                break
            s = prev if prev in ok else rng.choice(ok)
            block.append((e, s))
            prev = s
            if w >= 0:
                wk.add(w)
            e += 1
        if len(block) >= min_run or (block and block[0][0] == 0):
            for x, s in block:
                row[x] = s
                counts[s] += 1
                minutes += lengths[s]
            weekends = wk
            d = e + min_off + rng.randint(0, 1)
        else:
            d = e + 1
    return row
