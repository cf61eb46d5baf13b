"""The reference duty scenario of DESIGN.md §2: checkpoints staffed around the clock.

128 traffic and village/community checkpoints plus 5 expressway intersections,
170 volunteer service teams and 40 senior cadres, three 8-hour shifts a day
(the night shift crosses midnight), 14 days. Synthetic and deterministic for a
seed.

- Expressway intersections: a team and a cadre on every shift (the cadre
  leads); a medic on the day shift, where travellers are sampled.
- Arterial-road checkpoints: one team on every shift, led by a party-member
  team (or a cadre).
- Community gates: one team on the day and evening shifts.
- Village gates: one team on the day shift where possible (soft: the teams do
  not stretch to every village gate every day).
"""

from __future__ import annotations

import datetime as dt
import math
import random

import attrs

from gridgov.duty.build import Checkpoint, cadres_from_pairings, posts_at_units, teams_from_party
from gridgov.duty.model import (
    DEFAULT_RULES,
    Horizon,
    Limits,
    Problem,
    Resource,
    RuleConfig,
    ShiftRequest,
    ShiftType,
    StaffNeed,
)
from gridgov.duty.places import on_tree
from gridgov.examples.county import REFERENCE_DAY, reference_county
from gridgov.examples.names import person
from gridgov.org.hierarchy import Hierarchy

EXPRESSWAY = 5
CHECKPOINTS = 128
ARTERIAL = 17
COMMUNITY_GATES = 30
TEAMS = 170
CADRES = 40
DAYS = 14
START = REFERENCE_DAY


def _posts(base: int, scale: float) -> int:
    return max(1, math.floor(base * scale + 1e-9))


def _people(base: int, scale: float) -> int:
    return max(1, math.ceil(base * scale - 1e-9))


NEEDS: dict[str, tuple[StaffNeed, ...]] = {
    "expressway": (
        StaffNeed("D", min=2, max=2, skills={"medic": 1, "cadre": 1}, leader=True),
        StaffNeed("E", min=2, max=2, skills={"cadre": 1}, leader=True),
        StaffNeed("N", min=2, max=2, skills={"cadre": 1}, leader=True),
    ),
    "arterial": tuple(StaffNeed(s, min=1, max=1, leader=True) for s in ("D", "E", "N")),
    "community-gate": (StaffNeed("D", min=1, max=1), StaffNeed("E", min=1, max=1)),
    "village-gate": (StaffNeed("D", min=0, max=1, target=1, weight_under=10, weight_over=0),),
}
"""The staff needs of each kind of checkpoint."""


def reference_duty(
    seed: int = 0,
    scale: float = 1.0,
    *,
    days: int = DAYS,
    start: dt.date = START,
    county: Hierarchy | None = None,
) -> Problem:
    """The reference duty problem on the reference county, bound to it (:func:`on_tree`).

    The county is ``reference_county(seed, scale)`` unless given: expressway
    intersections sit at its townships, arterial-road checkpoints and
    community gates at its communities, village gates at its grids; the teams
    come from its grid party branches (homed at their grid) and the cadres from
    the government units paired with its communities (senior county cadres,
    homed at the county). A hard ``locality`` rule keeps every team within its
    township; the cadres, homed above it, serve anywhere. The horizon
    starts on the day of the reference sweep (:data:`REFERENCE_DAY`), so the
    demo's roster and sweep are one story. ``scale`` shrinks or grows posts and
    people together.
    """
    if scale <= 0:
        raise ValueError(f"scale must be above 0, got {scale}")
    if county is None:
        county = reference_county(seed=seed, scale=scale)
    rng = random.Random(seed)
    shifts = (
        ShiftType("D", 480, dt.time(7, 0), name="Day"),
        ShiftType("E", 480, dt.time(15, 0), name="Evening"),
        ShiftType("N", 480, dt.time(23, 0), night=True, name="Night", forbidden_next=("D",)),
    )
    n_exp = _posts(EXPRESSWAY, scale)
    n_art = _posts(ARTERIAL, scale)
    n_comm = _posts(COMMUNITY_GATES, scale)
    n_vill = _posts(CHECKPOINTS - ARTERIAL - COMMUNITY_GATES, scale)
    # the teams come from the grid party branches; the posts are dealt over the
    # teams' home grids, so that every township has posts in proportion to its teams
    n_teams = _people(TEAMS, scale)
    teams = teams_from_party(county, "grid", total=n_teams, prefix="T")
    homes = [t.home_unit for t in teams]

    def at(level: str, i: int, n: int) -> str:
        grid = homes[((2 * i + 1) * len(homes)) // (2 * max(n, 1)) % len(homes)]
        assert grid is not None
        unit = county.level_of_ancestor(grid, level)
        assert unit is not None
        return unit

    kinds = (
        ("X", "expressway", "Expressway intersection {}", "township", n_exp, ""),
        ("A", "arterial", "Arterial road {} checkpoint", "community", n_art, "02d"),
        ("G", "community-gate", "Community gate {}", "community", n_comm, "02d"),
        ("V", "village-gate", "Village gate {}", "grid", n_vill, "03d"),
    )
    checkpoints = [
        Checkpoint(f"{prefix}{i + 1:{width}}", at(level, i, n), name.format(i + 1), kind)
        for prefix, kind, name, level, n, width in kinds
        for i in range(n)
    ]
    posts = posts_at_units(checkpoints, [s.id for s in shifts], needs=NEEDS)
    resources: list[Resource] = []
    for i, team in enumerate(teams):
        unavailable = tuple(sorted(rng.sample(range(days), k=rng.choice((0, 0, 1, 2)))))
        requests: tuple[ShiftRequest, ...] = ()
        if rng.random() < 0.2:
            requests = (ShiftRequest(rng.randrange(days), None, rng.randint(1, 3), on=False),)
        resources.append(
            attrs.evolve(
                team,
                skills=("medic",) if i % 5 == 1 else (),
                unavailable=unavailable,
                requests=requests,
            )
        )
    n_cadres = _people(CADRES, scale)
    names = [person(rng) for _ in range(n_cadres)]
    resources += cadres_from_pairings(county, total=n_cadres, names=names, at_root=True)
    rules = (
        *DEFAULT_RULES,
        RuleConfig("fairness", hard=False, weight=5, params={"measure": "nights"}),
        RuleConfig("fairness", hard=False, weight=1, params={"measure": "shifts"}),
        RuleConfig("continuity", hard=False, weight=1),
        RuleConfig("locality", hard=True, params={"within": "township"}),
    )
    problem = Problem(
        horizon=Horizon(start, days, "Asia/Shanghai"),
        shifts=shifts,
        posts=tuple(posts),
        resources=tuple(resources),
        defaults=Limits(
            max_consecutive=6,
            min_rest_minutes=8 * 60,
            max_minutes=12 * 480 * days // 14,
        ),
        rules=rules,
        name=f"{county[county.root].name} checkpoints",
    )
    return on_tree(problem, county)
