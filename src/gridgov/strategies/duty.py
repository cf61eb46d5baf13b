"""Strategies for duty problems and rosters, so users can property-test their own rules.

``duty_problems(feasible=True)`` first draws a hidden roster and then draws
every hard limit so that the hidden roster keeps it: the problem is feasible
by construction, and shrinks towards small problems.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from gridgov.duty.model import (
    DEFAULT_RULES,
    Assignment,
    Horizon,
    Limits,
    Post,
    Problem,
    Resource,
    Roster,
    RuleConfig,
    ShiftRequest,
    ShiftType,
    StaffNeed,
)

__all__ = ["duty_problems", "rosters"]

SKILLS = ("medic", "driver", "interpreter")
_STARTS = (dt.time(6, 0), dt.time(8, 0), dt.time(14, 0), dt.time(22, 0))


def _check(name: str, value: Any, low: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int, got {value!r}")
    if value < low:
        raise ValueError(f"{name} must be >= {low}, got {value}")


def _runs(row: list[int], working: bool) -> list[tuple[int, int]]:
    out, d, n = [], 0, len(row)
    while d < n:
        w = row[d] >= 0
        e = d
        while e < n and (row[e] >= 0) == w:
            e += 1
        if w == working:
            out.append((d, e - d))
        d = e
    return out


def duty_problems(
    *,
    min_resources: int = 1,
    max_resources: int = 6,
    max_days: int = 10,
    max_shifts: int = 3,
    max_posts: int = 2,
    feasible: bool = False,
    extra_rules: tuple[RuleConfig, ...] = (),
) -> st.SearchStrategy[Problem]:
    """A small :class:`Problem` using every built-in rule family.

    With ``feasible=True`` some roster breaks no hard rule (it is drawn first).
    ``extra_rules`` are appended to the default rules (e.g. fairness). Bad
    arguments raise ``TypeError``/``ValueError`` at once.
    """
    _check("min_resources", min_resources, 1)
    _check("max_resources", max_resources, min_resources)
    _check("max_days", max_days, 1)
    _check("max_shifts", max_shifts, 1)
    _check("max_posts", max_posts, 1)
    if not isinstance(feasible, bool):
        raise TypeError(f"feasible must be a bool, got {feasible!r}")
    return _duty_problems(
        min_resources=min_resources,
        max_resources=max_resources,
        max_days=max_days,
        max_shifts=max_shifts,
        max_posts=max_posts,
        feasible=feasible,
        extra_rules=tuple(extra_rules),
    )


@st.composite
def _duty_problems(
    draw: st.DrawFn,
    *,
    min_resources: int = 1,
    max_resources: int = 6,
    max_days: int = 10,
    max_shifts: int = 3,
    max_posts: int = 2,
    feasible: bool = False,
    extra_rules: tuple[RuleConfig, ...] = (),
) -> Problem:
    n_days = draw(st.integers(1, max_days))
    n_shifts = draw(st.integers(1, max_shifts))
    n_posts = draw(st.integers(1, max_posts))
    n_res = draw(st.integers(min_resources, max_resources))
    start = dt.date(2026, 11, 30) + dt.timedelta(days=draw(st.integers(0, 6)))
    horizon = Horizon(start, n_days)
    shift_ids = [f"S{i}" for i in range(n_shifts)]
    starts = [draw(st.sampled_from(_STARTS)) for _ in shift_ids]
    lengths = [draw(st.sampled_from((240, 480, 600, 720))) for _ in shift_ids]
    skills = [
        tuple(sorted(draw(st.sets(st.sampled_from(SKILLS), max_size=2)))) for _ in range(n_res)
    ]
    party = [draw(st.booleans()) for _ in range(n_res)]
    cadre = [draw(st.booleans()) for _ in range(n_res)]
    # the hidden roster (always drawn: it also seeds sensible limits when not feasible)
    grid = [
        [
            draw(
                st.one_of(
                    st.just((-1, -1)),
                    st.tuples(st.integers(0, n_shifts - 1), st.integers(0, n_posts - 1)),
                )
            )
            for _ in range(n_days)
        ]
        for _ in range(n_res)
    ]
    rows = [[c[0] for c in row] for row in grid]
    loose = not feasible

    def slack() -> int:
        return draw(st.integers(0, 2))

    def maybe(value: int | None) -> int | None:
        return value if draw(st.booleans()) else None

    # forbidden successions not used by the hidden roster
    used = {(row[d], row[d + 1]) for row in rows for d in range(n_days - 1)}
    forbidden = [
        tuple(
            t
            for j, t in enumerate(shift_ids)
            if (loose or (i, j) not in used) and draw(st.integers(0, 4)) == 0
        )
        for i in range(n_shifts)
    ]
    shifts = tuple(
        ShiftType(
            shift_ids[i],
            lengths[i],
            starts[i],
            night=starts[i].hour >= 20,
            forbidden_next=forbidden[i],
        )
        for i in range(n_shifts)
    )
    min_rest_ok = 10**9
    for row in rows:
        for d in range(n_days - 1):
            a, b = row[d], row[d + 1]
            if a >= 0 and b >= 0:
                rest = 1440 + starts[b].hour * 60 - starts[a].hour * 60 - lengths[a]
                min_rest_ok = min(min_rest_ok, rest)
    weekend_days = [horizon.is_weekend(d) for d in range(n_days)]
    weekends: dict[int, list[int]] = {}
    for d in range(n_days):
        if weekend_days[d]:
            weekends.setdefault((horizon.date(d).toordinal() - 1) // 7, []).append(d)

    resources = []
    for r in range(n_res):
        row = rows[r]
        worked = [d for d in range(n_days) if row[d] >= 0]
        total = sum(lengths[s] for s in row if s >= 0)
        counts = [sum(1 for s in row if s == i) for i in range(n_shifts)]
        work_runs = _runs(row, True)
        off_runs = _runs(row, False)
        inner_work = [n for d, n in work_runs if d > 0 and d + n < n_days]
        inner_off = [n for d, n in off_runs if d > 0 and d + n < n_days]
        wk = sum(1 for days in weekends.values() if any(row[d] >= 0 for d in days))
        s_loose = draw(st.integers(0, 3)) if loose else 0
        limits = Limits(
            max_shifts={
                shift_ids[i]: counts[i] + slack() - s_loose
                for i in range(n_shifts)
                if draw(st.booleans())
            }
            if not loose
            else {t: draw(st.integers(0, n_days)) for t in shift_ids if draw(st.booleans())},
            min_minutes=maybe(max(0, total - draw(st.integers(0, 600)))),
            max_minutes=maybe(max(0, total + draw(st.integers(0, 600)) - (300 if loose else 0))),
            max_consecutive=maybe(max([n for _, n in work_runs], default=0) + slack()),
            min_consecutive=maybe(max(1, min(inner_work, default=2) - slack())),
            min_days_off=maybe(max(1, min(inner_off, default=2) - slack())),
            max_weekends=maybe(max(0, wk + slack() - (1 if loose else 0))),
            min_rest_minutes=maybe(max(0, min(min_rest_ok, 720) - 60 * slack())),
        )
        if not loose:
            limits = Limits(
                max_shifts={
                    k: max(v, counts[shift_ids.index(k)]) for k, v in limits.max_shifts.items()
                },
                **{
                    f: getattr(limits, f)
                    for f in (
                        "min_minutes",
                        "max_minutes",
                        "max_consecutive",
                        "min_consecutive",
                        "min_days_off",
                        "max_weekends",
                        "min_rest_minutes",
                    )
                },
            )
        off_days = [d for d in range(n_days) if d not in worked or loose]
        unavailable = (
            tuple(sorted(draw(st.sets(st.sampled_from(off_days), max_size=2)))) if off_days else ()
        )
        requests = tuple(
            ShiftRequest(
                draw(st.integers(0, n_days - 1)),
                draw(st.one_of(st.none(), st.sampled_from(shift_ids))),
                draw(st.integers(1, 5)),
                on=draw(st.booleans()),
            )
            for _ in range(draw(st.integers(0, 2)))
        )
        resources.append(
            Resource(
                f"T{r}",
                name=f"Team {r}",
                skills=skills[r],
                party_member=party[r],
                cadre=cadre[r],
                limits=limits,
                unavailable=unavailable,
                requests=requests,
            )
        )

    posts = []
    for p in range(n_posts):
        needs = []
        for s in range(n_shifts):
            members = [[r for r in range(n_res) if grid[r][d] == (s, p)] for d in range(n_days)]
            counts = [len(m) for m in members]
            lo, hi = min(counts), max(counts)
            need_min = max(0, lo - slack()) if not loose else draw(st.integers(0, 2))
            need_max = maybe(hi + slack() if not loose else draw(st.integers(0, 3)))
            if need_max is not None and need_max < need_min:
                need_max = need_min
            skill_need: dict[str, int] = {}
            for k in SKILLS:
                have = min(sum(1 for r in m if k in skills[r]) for m in members)
                if draw(st.integers(0, 3)) == 0:
                    skill_need[k] = draw(st.integers(1, 2)) if loose else have
            skill_need = {k: v for k, v in skill_need.items() if v > 0}
            leader_ok = all(not m or any(party[r] or cadre[r] for r in m) for m in members)
            needs.append(
                StaffNeed(
                    shift_ids[s],
                    min=need_min,
                    max=need_max,
                    target=draw(
                        st.integers(need_min, need_max if need_max is not None else need_min + 2)
                    ),
                    weight_under=draw(st.integers(0, 10)),
                    weight_over=draw(st.integers(0, 3)),
                    skills=skill_need,
                    leader=draw(st.booleans()) and (loose or leader_ok),
                )
            )
        posts.append(Post(f"P{p}", name=f"Post {p}", needs=tuple(needs)))
    rules = DEFAULT_RULES + tuple(extra_rules)
    return Problem(horizon, shifts, tuple(posts), tuple(resources), rules=rules, name="generated")


def rosters(problem: Problem, *, one_per_day: bool = True) -> st.SearchStrategy[Roster]:
    """A roster of ``problem``'s resources, shifts and posts (any rule may be broken).

    With ``one_per_day=False`` a resource may get several shifts on one day.
    """
    if not isinstance(problem, Problem):
        raise TypeError(f"problem must be a Problem, got {type(problem).__name__}")
    return _rosters(problem, one_per_day=one_per_day)


@st.composite
def _rosters(draw: st.DrawFn, problem: Problem, *, one_per_day: bool = True) -> Roster:
    shift_ids = [s.id for s in problem.shifts]
    post_ids = [p.id for p in problem.posts]
    out: list[Assignment] = []
    for res in problem.resources:
        for d in range(problem.horizon.days):
            k = draw(st.integers(0, 1 if one_per_day else 2))
            for _ in range(k):
                out.append(
                    Assignment(
                        res.id, d, draw(st.sampled_from(shift_ids)), draw(st.sampled_from(post_ids))
                    )
                )
    return Roster(tuple(out))
