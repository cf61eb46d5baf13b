"""A seeded, simulated day of door-to-door sweeping on the reference county.

Outcome rates are set to what a building sweep sees in a dense county: most
doors answered and verified on the first knock, about one in ten not at home
(most of those re-visited in the evening), a few refusals and locked
entrances, register entries believed vacant mostly confirmed empty, and some
uploads sent twice by the phone app.
"""

from __future__ import annotations

import datetime as dt
import random

from gridgov.examples.county import REFERENCE_DAY
from gridgov.org.hierarchy import Hierarchy
from gridgov.sweep.model import Household, Occupancy, Outcome, Sweep, Visit

SWEEP_ZONE = dt.timezone(dt.timedelta(hours=8), "UTC+08")
"""The zone of the simulated sweep (the reference county's local time)."""

_OCCUPANCY = (
    (Occupancy.PERMANENT, 74),
    (Occupancy.RENTAL, 20),
    (Occupancy.VACANT, 3),
    (Occupancy.COMMERCIAL, 2),
    (Occupancy.MOVED_OUT, 1),
)
_FIRST = (
    (Outcome.VERIFIED, 78),
    (Outcome.PARTLY_VERIFIED, 6),
    (Outcome.NOT_AT_HOME, 10),
    (Outcome.REFUSED, 2),
    (Outcome.NO_ACCESS, 2),
    (Outcome.VACANT_CONFIRMED, 2),
)
_REVISIT = ((Outcome.VERIFIED, 62), (Outcome.NOT_AT_HOME, 30), (Outcome.REFUSED, 8))


def _pick(rng: random.Random, table: tuple[tuple[Occupancy | Outcome, int], ...]) -> object:
    return rng.choices([v for v, _ in table], [w for _, w in table])[0]


def reference_households(tree: Hierarchy, seed: int = 0) -> list[Household]:
    """The households of ``tree`` (its ``household`` units) as a sweep register.

    Each gets its building, floor and door from the tree and a seeded occupancy;
    about one building in ten also has a household found during the sweep
    (``discovered=True``), which is not a unit of the tree.
    """
    rng = random.Random(seed)
    out: list[Household] = []
    for bid in tree.at_level("building"):
        kids = tree.children(bid)
        for hid in kids:
            unit = tree[hid]
            floor = unit.number("floor")
            occ = _pick(rng, _OCCUPANCY)
            assert isinstance(occ, Occupancy)
            out.append(
                Household(
                    hid,
                    bid,
                    int(floor) if floor is not None else None,
                    hid.rsplit("-", 1)[-1],
                    occ,
                )
            )
        if rng.random() < 0.1:
            out.append(Household(f"{bid}-X1", bid, 1, "X1", Occupancy.RENTAL, discovered=True))
    return out


def simulated_sweep_day(
    tree: Hierarchy,
    households: list[Household],
    *,
    seed: int = 0,
    day: dt.date = REFERENCE_DAY,
    sweep_id: str = "S1",
) -> tuple[Sweep, list[Visit]]:
    """A sweep over the whole county on ``day`` (08:00-20:00, UTC+8) and its visits.

    About 4% of households are not reached by anyone during the day; every
    household not at home on the first knock has a 70% chance of an evening
    re-visit; about 2% of uploads arrive twice (same id, same content).
    """
    rng = random.Random(seed)
    start = dt.datetime.combine(day, dt.time(8), SWEEP_ZONE)
    sweep = Sweep(sweep_id, tree.root, start, start + dt.timedelta(hours=12), "building sweep")
    visitors = [f"W{i:04d}" for i in range(1, max(2, len(households) // 40) + 1)]
    visits: list[Visit] = []
    n = 0

    def visit(hh: Household, minute: float, outcome: Outcome) -> None:
        nonlocal n
        n += 1
        unit = tree.get(hh.id)
        size = unit.number("residents") if unit is not None else None
        size = int(size) if size is not None else rng.randint(1, 4)
        persons = 0
        returnees = 0
        if outcome is Outcome.VERIFIED:
            persons = size
        elif outcome is Outcome.PARTLY_VERIFIED:
            persons = max(1, size - 1)
        if persons and rng.random() < 0.03:
            returnees = rng.randint(1, min(2, persons))
        at = start + dt.timedelta(minutes=minute)
        v = Visit(
            f"{sweep_id}-V{n:07d}",
            sweep_id,
            hh.id,
            at.replace(microsecond=0, second=0),
            rng.choice(visitors),
            outcome,
            persons,
            persons,
            "",
            returnees,
        )
        visits.append(v)
        if rng.random() < 0.02:
            visits.append(v)

    for hh in households:
        if rng.random() < 0.04:
            continue
        if hh.occupancy is Occupancy.VACANT:
            first: object = Outcome.VACANT_CONFIRMED if rng.random() < 0.8 else Outcome.NOT_AT_HOME
        elif hh.occupancy in (Occupancy.COMMERCIAL, Occupancy.MOVED_OUT):
            first = Outcome.VACANT_CONFIRMED if rng.random() < 0.5 else Outcome.NOT_AT_HOME
        else:
            first = _pick(rng, _FIRST)
        assert isinstance(first, Outcome)
        visit(hh, rng.uniform(0, 9 * 60), first)
        if first is Outcome.NOT_AT_HOME and rng.random() < 0.7:
            again = _pick(rng, _REVISIT)
            assert isinstance(again, Outcome)
            visit(hh, rng.uniform(10 * 60, 12 * 60), again)
    return sweep, visits
