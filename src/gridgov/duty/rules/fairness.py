"""Fairness: nights, weekends and total load spread evenly across resources.

Each resource's count is compared with a target; the penalty is the distance
(rounded to whole units: shifts, weekends or hours). The target is the
``target`` parameter, or by default the fair share: the demand for that
measure (targets of all slots) divided by the number of resources. A fixed
target keeps the rule local to one resource, so it is scored incrementally.

Parameters: ``measure`` is ``nights`` (default), ``weekends``, ``shifts`` or
``hours``; ``target`` (optional) a number.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from gridgov.duty.compiled import Compiled
from gridgov.duty.rules.base import RESOURCE, Cost, Out, Rule
from gridgov.values import AttrValue

MEASURES = ("nights", "weekends", "shifts", "hours")


def measure_of(cp: Compiled, measure: str, shifts: Sequence[int]) -> float:
    """The value of ``measure`` for one resource's row."""
    if measure == "nights":
        return sum(1 for s in shifts if s >= 0 and cp.night[s])
    if measure == "shifts":
        return sum(1 for s in shifts if s >= 0)
    if measure == "hours":
        return sum(cp.minutes[s] for s in shifts if s >= 0) / 60
    return sum(1 for days in cp.weekends if any(shifts[d] >= 0 for d in days))


def fair_share(cp: Compiled, measure: str) -> float:
    """Demand for ``measure`` (slot targets) divided by the number of resources."""
    if cp.R == 0:
        return 0.0
    total = 0.0
    weekend_slots: dict[int, int] = {}
    for d in range(cp.D):
        for s in range(cp.S):
            for p in range(cp.P):
                need = cp.need[d][s][p]
                if need is None:
                    continue
                if (measure == "nights" and cp.night[s]) or measure == "shifts":
                    total += need.target
                elif measure == "hours":
                    total += need.target * cp.minutes[s] / 60
    if measure == "weekends":
        for w, days in enumerate(cp.weekends):
            busiest = 0
            for d in days:
                day_total = 0
                for s in range(cp.S):
                    for need in cp.need[d][s]:
                        day_total += need.target if need is not None else 0
                busiest = max(busiest, day_total)
            weekend_slots[w] = busiest
        total = sum(min(v, cp.R) for v in weekend_slots.values())
    return total / cp.R


class Fairness(Rule):
    """Each resource's nights (or weekends, shifts, hours) close to the fair share."""

    name = "fairness"
    scope = RESOURCE
    description = "nights, weekends or load close to a fair share for every resource"

    def __init__(
        self,
        cp: Compiled,
        *,
        hard: bool = False,
        weight: int = 1,
        params: Mapping[str, AttrValue] | None = None,
    ) -> None:
        super().__init__(cp, hard=hard, weight=weight, params=params)
        measure = str(self.params.get("measure", "nights"))
        if measure not in MEASURES:
            raise ValueError(f"fairness measure must be one of {', '.join(MEASURES)}: {measure!r}")
        self.measure = measure
        target = self.params.get("target")
        self.target = float(target) if target is not None else fair_share(cp, measure)

    def resource_cost(self, r: int, shifts: Sequence[int], posts: Sequence[int], out: Out) -> Cost:
        value = measure_of(self.cp, self.measure, shifts)
        amount = round(abs(value - self.target))
        if amount and out is not None:
            out.append(
                self.violation(
                    amount,
                    f"{self.cp.labels[r]} has {value:g} {self.measure}; the fair share is "
                    f"{self.target:.1f}",
                    r=r,
                )
            )
        return self.cost(amount)
