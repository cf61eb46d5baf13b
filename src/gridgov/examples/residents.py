"""Seeded residents of the reference county, with the flags that drive daily follow-up."""

from __future__ import annotations

import datetime as dt
import random

from gridgov.examples.county import REFERENCE_DAY
from gridgov.examples.names import person
from gridgov.org.hierarchy import Hierarchy
from gridgov.sweep.model import Household, Isolation, Resident


def reference_residents(
    tree: Hierarchy,
    households: list[Household],
    *,
    seed: int = 0,
    day: dt.date = REFERENCE_DAY,
) -> list[Resident]:
    """The residents of ``households`` (as many as each household unit's ``residents``).

    About 9% are elderly, 2% disabled and 3% in a 14-day home isolation that
    covers ``day`` (they are due a check every day); the rest need no daily
    follow-up. Names are synthetic. The same arguments give the same residents.
    """
    rng = random.Random(seed)
    out: list[Resident] = []
    for hh in households:
        unit = tree.get(hh.id)
        size = unit.number("residents") if unit is not None else None
        n = int(size) if size is not None else rng.randint(1, 3)
        for k in range(1, n + 1):
            isolation = None
            if rng.random() < 0.03:
                start = day - dt.timedelta(days=rng.randint(0, 10))
                isolation = Isolation(start, start + dt.timedelta(days=13))
            out.append(
                Resident(
                    f"{hh.id}-R{k}",
                    hh.id,
                    person(rng),
                    isolation=isolation,
                    elderly=rng.random() < 0.09,
                    disabled=rng.random() < 0.02,
                )
            )
    return out
