"""The reference county of DESIGN.md §2, synthetic and deterministic for a seed."""

from __future__ import annotations

import datetime as dt
import random

from gridgov.examples.names import person, place
from gridgov.org.hierarchy import Hierarchy
from gridgov.org.relations import GovUnit
from gridgov.org.unit import PartyOrg, Unit

COMMUNITIES = 12
GRIDS = 33
BUILDINGS = 388
CENTRAL_HOUSEHOLDS = 1116
TOWNSHIPS = 3
GOV_UNITS = 49
GOV_CADRES = 300
REFERENCE_DAY = dt.date(2020, 2, 10)
"""The day of the reference sweep and the first day of the reference roster."""


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    """``total`` split into ``parts`` positive, nearly even, shuffled counts."""
    parts = max(1, min(parts, total)) if total else max(1, parts)
    base, extra = divmod(total, parts)
    counts = [base + (1 if i < extra else 0) for i in range(parts)]
    # unequal but still positive: move a few units between random pairs
    for _ in range(parts):
        a, b = rng.randrange(parts), rng.randrange(parts)
        if a != b and counts[a] > 1:
            counts[a] -= 1
            counts[b] += 1
    return counts


def reference_county(seed: int = 0, scale: float = 1.0) -> Hierarchy:
    """A county shaped like the reference scenario.

    12 communities with party branches, 33 grids with grid party branches, 388
    buildings with party groups (20-60 households each), 1,116 central households
    looking after their neighbours, and 49 government units paired with the
    communities. ``scale`` multiplies the counts (households per building stay
    20-60). The same ``seed`` and ``scale`` always give the same county.
    """
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    rng = random.Random(seed)
    n_comm = max(1, round(COMMUNITIES * scale))
    n_grid = max(n_comm, round(GRIDS * scale))
    n_bldg = max(n_grid, round(BUILDINGS * scale))
    n_central = max(n_bldg, round(CENTRAL_HOUSEHOLDS * scale))
    n_town = max(1, min(TOWNSHIPS, n_comm))
    used: set[str] = set()

    tree = Hierarchy()
    county_name = place(rng, used)
    tree.add(Unit("C", "county", f"{county_name} County"), None)
    grids_per_comm = _split(n_grid, n_comm, rng)
    bldg_per_grid = _split(n_bldg, n_grid, rng)
    central_per_bldg = _split(n_central, n_bldg, rng)
    comm_per_town = _split(n_comm, n_town, rng)

    central_links: list[tuple[str, list[str]]] = []
    communities: list[str] = []
    grid_no = 0
    bldg_no = 0
    comm_no = 0
    for t, n_c in enumerate(comm_per_town, start=1):
        town_id = f"T{t:02d}"
        tree.add(Unit(town_id, "township", f"{place(rng, used)} Town"), "C")
        for _ in range(n_c):
            comm_no += 1
            cid = f"{town_id}-C{comm_no:02d}"
            cname = f"{place(rng, used)} Community"
            communities.append(cid)
            tree.add(
                Unit(
                    cid,
                    "community",
                    cname,
                    {"cadres": rng.randint(4, 12)},
                    PartyOrg("branch", f"{cname} Party Branch", person(rng)),
                ),
                town_id,
            )
            for g in range(grids_per_comm[comm_no - 1]):
                grid_no += 1
                gid = f"{cid}-G{g + 1:02d}"
                tree.add(
                    Unit(
                        gid,
                        "grid",
                        f"{cname} Grid {g + 1}",
                        {"volunteers": rng.randint(3, 10)},
                        PartyOrg("grid-branch", f"{cname} Grid {g + 1} Party Branch", person(rng)),
                    ),
                    cid,
                )
                for b in range(bldg_per_grid[grid_no - 1]):
                    bldg_no += 1
                    bid = f"{gid}-B{b + 1:02d}"
                    floors = rng.randint(3, 18)
                    tree.add(
                        Unit(
                            bid,
                            "building",
                            f"Building {bldg_no}",
                            {"floors": floors},
                            PartyOrg("group", f"Building {bldg_no} Party Group", person(rng)),
                        ),
                        gid,
                    )
                    n_hh = rng.randint(20, 60)
                    per_floor = max(1, -(-n_hh // floors))
                    hh_ids = []
                    for h in range(n_hh):
                        floor = h // per_floor + 1
                        door = f"{floor}{h % per_floor + 1:02d}"
                        hid = f"{bid}-{door}"
                        hh_ids.append(hid)
                        members = 1 if rng.random() < 0.08 else 0
                        tree.add(
                            Unit(
                                hid,
                                "household",
                                f"{bldg_no}-{door}",
                                {
                                    "residents": rng.choices((1, 2, 3, 4, 5), (12, 30, 28, 20, 10))[
                                        0
                                    ],
                                    "party_members": members,
                                    "floor": floor,
                                },
                            ),
                            bid,
                        )
                    k = min(central_per_bldg[bldg_no - 1], len(hh_ids) // 2)
                    centrals = sorted(rng.sample(range(len(hh_ids)), k))
                    others = [h for j, h in enumerate(hh_ids) if j not in set(centrals)]
                    share = len(others) // max(1, k)
                    for n, c in enumerate(centrals):
                        hid = hh_ids[c]
                        unit = tree[hid]
                        tree.update(
                            hid,
                            {"party_members": max(1, int(unit.attributes["party_members"]))},
                            party=PartyOrg("central-household", "", person(rng)),
                        )
                        take = max(1, min(share, rng.randint(3, 8)))
                        central_links.append((hid, others[n * share : n * share + take]))
    for central, neighbours in central_links:
        tree.relations.link_central_household(central, neighbours)
    n_gov = max(1, round(GOV_UNITS * scale))
    cadres = _split(max(n_gov, round(GOV_CADRES * scale) + rng.randint(0, 40)), n_gov, rng)
    for g in range(n_gov):
        gov = GovUnit(f"GOV{g + 1:02d}", f"County Bureau {g + 1}", cadres[g])
        tree.relations.pair(gov, [communities[g % len(communities)]])
    return tree
