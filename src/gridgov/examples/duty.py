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

from gridgov.duty.model import (
    DEFAULT_RULES,
    Horizon,
    Limits,
    Post,
    Problem,
    Resource,
    RuleConfig,
    ShiftRequest,
    ShiftType,
    StaffNeed,
)
from gridgov.examples.names import person

EXPRESSWAY = 5
CHECKPOINTS = 128
ARTERIAL = 17
COMMUNITY_GATES = 30
TEAMS = 170
CADRES = 40
DAYS = 14
START = dt.date(2026, 12, 1)


def _posts(base: int, scale: float) -> int:
    return max(1, math.floor(base * scale + 1e-9))


def _people(base: int, scale: float) -> int:
    return max(1, math.ceil(base * scale - 1e-9))


def reference_duty(
    seed: int = 0, scale: float = 1.0, *, days: int = DAYS, start: dt.date = START
) -> Problem:
    """The reference duty problem (``scale`` shrinks or grows posts and people together)."""
    if scale <= 0:
        raise ValueError(f"scale must be above 0, got {scale}")
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
    communities = [f"C{i:02d}" for i in range(1, 13)]
    posts: list[Post] = []
    for i in range(n_exp):
        posts.append(
            Post(
                f"X{i + 1}",
                name=f"Expressway intersection {i + 1}",
                kind="expressway",
                unit=communities[i % len(communities)],
                needs=(
                    StaffNeed("D", min=2, max=2, skills={"medic": 1, "cadre": 1}, leader=True),
                    StaffNeed("E", min=2, max=2, skills={"cadre": 1}, leader=True),
                    StaffNeed("N", min=2, max=2, skills={"cadre": 1}, leader=True),
                ),
            )
        )
    for i in range(n_art):
        posts.append(
            Post(
                f"A{i + 1:02d}",
                name=f"Arterial road {i + 1} checkpoint",
                kind="arterial",
                unit=communities[i % len(communities)],
                needs=tuple(StaffNeed(s, min=1, max=1, leader=True) for s in ("D", "E", "N")),
            )
        )
    for i in range(n_comm):
        posts.append(
            Post(
                f"G{i + 1:02d}",
                name=f"Community gate {i + 1}",
                kind="community-gate",
                unit=communities[i % len(communities)],
                needs=(StaffNeed("D", min=1, max=1), StaffNeed("E", min=1, max=1)),
            )
        )
    for i in range(n_vill):
        posts.append(
            Post(
                f"V{i + 1:03d}",
                name=f"Village gate {i + 1}",
                kind="village-gate",
                unit=communities[i % len(communities)],
                needs=(StaffNeed("D", min=0, max=1, target=1, weight_under=10, weight_over=0),),
            )
        )
    resources: list[Resource] = []
    n_teams = _people(TEAMS, scale)
    for i in range(n_teams):
        home = communities[rng.randrange(len(communities))]
        unavailable = tuple(sorted(rng.sample(range(days), k=rng.choice((0, 0, 1, 2)))))
        requests: tuple[ShiftRequest, ...] = ()
        if rng.random() < 0.2:
            requests = (ShiftRequest(rng.randrange(days), None, rng.randint(1, 3), on=False),)
        resources.append(
            Resource(
                f"T{i + 1:03d}",
                name=f"Volunteer team {i + 1} ({home})",
                kind="team",
                skills=("medic",) if i % 5 == 1 else (),
                party_member=i % 2 == 0,
                home_unit=home,
                unavailable=unavailable,
                requests=requests,
            )
        )
    for i in range(_people(CADRES, scale)):
        resources.append(
            Resource(
                f"K{i + 1:02d}",
                name=person(rng),
                kind="person",
                skills=("cadre",),
                party_member=True,
                cadre=True,
                home_unit="county",
            )
        )
    rules = (
        *DEFAULT_RULES,
        RuleConfig("fairness", hard=False, weight=5, params={"measure": "nights"}),
        RuleConfig("fairness", hard=False, weight=1, params={"measure": "shifts"}),
        RuleConfig("continuity", hard=False, weight=1),
    )
    return Problem(
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
        name="Reference county checkpoints",
    )
