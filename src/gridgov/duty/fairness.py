"""Fairness figures of a roster: how evenly nights, weekends and shifts fall."""

from __future__ import annotations

import statistics

import attrs

from gridgov.duty.model import Problem, Roster


@attrs.frozen
class Spread:
    """Min, mean, max and standard deviation of a count across resources."""

    min: float
    mean: float
    max: float
    stdev: float

    def __str__(self) -> str:
        return f"min {self.min:g}, mean {self.mean:.1f}, max {self.max:g}, sd {self.stdev:.2f}"


def _spread(values: list[float]) -> Spread:
    if not values:
        return Spread(0, 0, 0, 0)
    sd = statistics.pstdev(values) if len(values) > 1 else 0.0
    return Spread(min(values), statistics.fmean(values), max(values), sd)


def fairness(problem: Problem, roster: Roster, *, kind: str | None = None) -> dict[str, Spread]:
    """``shifts``, ``nights`` and ``weekends`` per resource (of ``kind``, if given)."""
    night = {s.id for s in problem.shifts if s.night}
    h = problem.horizon
    ids = [r.id for r in problem.resources if kind is None or r.kind == kind]
    shifts = dict.fromkeys(ids, 0)
    nights = dict.fromkeys(ids, 0)
    weekends: dict[str, set[int]] = {i: set() for i in ids}
    for a in roster.assignments:
        if a.resource not in shifts:
            continue
        shifts[a.resource] += 1
        if a.shift in night:
            nights[a.resource] += 1
        if h.is_weekend(a.day):
            weekends[a.resource].add((h.date(a.day).toordinal() - 1) // 7)
    return {
        "shifts": _spread([float(v) for v in shifts.values()]),
        "nights": _spread([float(v) for v in nights.values()]),
        "weekends": _spread([float(len(v)) for v in weekends.values()]),
    }
