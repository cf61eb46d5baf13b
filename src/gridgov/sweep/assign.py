"""Balanced assignment of buildings to sweepers.

Workload of a building = its households + ``floor_weight`` × its floors (the
stairs to climb). A building is never split. Sweepers stay inside one unit at
the ``within`` level (a grid by default) whenever there are at least as many
sweepers as such units:

1. each unit gets one sweeper, and every further sweeper goes to the unit whose
   workload per sweeper is highest (never more sweepers than buildings);
2. inside a unit, buildings are dealt largest first to the least-loaded sweeper
   (LPT), which keeps every sweeper within one building's workload of the
   unit's average.

With fewer sweepers than units, whole units are dealt largest first to the
least-loaded sweeper instead, so a sweeper covers several whole units.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence

import attrs

from gridgov.org.hierarchy import Hierarchy
from gridgov.sweep.model import Household
from gridgov.sweep.rules import INVALID_OCCUPANCY


@attrs.frozen
class BuildingLoad:
    """The work of sweeping one building."""

    building: str
    households: int
    floors: int
    workload: float


@attrs.frozen
class Assignment:
    """The buildings one sweeper takes."""

    sweeper: str
    unit: str | None
    """The unit at the ``within`` level the sweeper stays in (``None`` when several/none)."""
    buildings: tuple[str, ...]
    workload: float


@attrs.frozen
class AssignmentPlan:
    """Every sweeper's assignment, in the order of the sweepers given."""

    assignments: tuple[Assignment, ...]

    @property
    def max_workload(self) -> float:
        """The busiest sweeper's workload."""
        return max((a.workload for a in self.assignments), default=0.0)

    @property
    def imbalance(self) -> float:
        """Busiest workload over the mean (1.0 is perfectly even; 0 when there is no work)."""
        total = sum(a.workload for a in self.assignments)
        if not total:
            return 0.0
        return self.max_workload / (total / len(self.assignments))

    def of(self, sweeper: str) -> Assignment:
        """The assignment of ``sweeper``."""
        for a in self.assignments:
            if a.sweeper == sweeper:
                return a
        raise KeyError(sweeper)


def building_workloads(
    tree: Hierarchy, households: Iterable[Household], *, floor_weight: float = 1.0
) -> list[BuildingLoad]:
    """Workload of every building that has households to visit, in tree order.

    Households registered as moved out or commercial are not counted. Floors are
    the building's ``floors`` attribute or, when larger or absent, the highest
    household floor (at least 1).
    """
    if floor_weight < 0:
        raise ValueError("floor_weight must be 0 or more")
    count: dict[str, int] = {}
    top: dict[str, int] = {}
    for h in households:
        if h.occupancy in INVALID_OCCUPANCY:
            continue
        count[h.building] = count.get(h.building, 0) + 1
        if h.floor is not None:
            top[h.building] = max(top.get(h.building, 0), h.floor)
    out = []
    pos = tree.index.pos
    for b in sorted(count, key=lambda b: (pos.get(b, len(pos)), b)):
        unit = tree.get(b)
        attr = unit.number("floors") if unit is not None else None
        floors = max(1, int(attr or 0), top.get(b, 0))
        out.append(BuildingLoad(b, count[b], floors, count[b] + floor_weight * floors))
    return out


def _deal(items: Sequence[tuple[str, float]], bins: int) -> list[tuple[list[str], float]]:
    """LPT: items largest first (ties by name) to the least-loaded bin (ties by number)."""
    heap = [(0.0, i) for i in range(bins)]
    out: list[tuple[list[str], float]] = [([], 0.0) for _ in range(bins)]
    for name, w in sorted(items, key=lambda x: (-x[1], x[0])):
        load, i = heapq.heappop(heap)
        names, _ = out[i]
        names.append(name)
        out[i] = (names, load + w)
        heapq.heappush(heap, (load + w, i))
    return out


def assign_buildings(
    tree: Hierarchy,
    loads: Sequence[BuildingLoad],
    sweepers: Sequence[str],
    *,
    within: str = "grid",
) -> AssignmentPlan:
    """Deal ``loads`` to ``sweepers`` (see the module docs); every building exactly once."""
    if not sweepers:
        raise ValueError("no sweepers")
    if len(set(sweepers)) != len(sweepers):
        raise ValueError("sweeper names repeat")
    if within not in tree.levels:
        raise ValueError(f"unknown level {within!r}")
    groups: dict[str | None, list[BuildingLoad]] = {}
    for b in loads:
        g = tree.level_of_ancestor(b.building, within) if b.building in tree else None
        groups.setdefault(g, []).append(b)
    keys = list(groups)
    totals = {g: sum(b.workload for b in groups[g]) for g in keys}
    out: list[Assignment] = []
    names = iter(sweepers)
    if len(sweepers) >= len(keys):
        alloc = dict.fromkeys(keys, 1)
        heap = [(-totals[g], i, g) for i, g in enumerate(keys)]
        heapq.heapify(heap)
        spare = len(sweepers) - len(keys)
        while spare and heap:
            _, i, g = heapq.heappop(heap)
            if alloc[g] >= len(groups[g]):
                continue  # never more sweepers than buildings
            alloc[g] += 1
            spare -= 1
            heapq.heappush(heap, (-totals[g] / alloc[g], i, g))
        for g in keys:
            items = [(b.building, b.workload) for b in groups[g]]
            for dealt_names, w in _deal(items, alloc[g]):
                out.append(Assignment(next(names), g, tuple(dealt_names), w))
        out.extend(Assignment(rest, None, (), 0.0) for rest in names)
    else:
        dealt = _deal([(str(i), totals[g]) for i, g in enumerate(keys)], len(sweepers))
        for idxs, w in dealt:
            member = [keys[int(i)] for i in sorted(idxs, key=int)]
            blds = tuple(b.building for g in member for b in groups[g])
            unit = member[0] if len(member) == 1 else None
            out.append(Assignment(next(names), unit, blds, w))
    return AssignmentPlan(tuple(out))
