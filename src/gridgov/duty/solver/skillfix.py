"""Skill exchanges: bring a holder of a scarce skill to a post short of it.

A post short of a skill (a medic, a cadre) is rarely mended by one resource's
move: the holder who could come works elsewhere, where its leaving opens a gap,
and the person at the short post must go somewhere too. With a hard locality
rule the holders who may serve there are few, so row re-plans and random moves
seldom find the pair. This repair tries, for each slot short of a skill, every
holder working (or off) that day: the holder takes the slot, and the non-holder
it replaces takes the holder's old place, or another post of that shift it may
work that is short of people, or the day off. The best exchange is kept when it lowers the weighted
score; the rest of the search judges everything else.
"""

from __future__ import annotations

from collections.abc import Callable

from gridgov.duty.compiled import OFF, Compiled
from gridgov.duty.state import Cell, RosterState


def _short(cp: Compiled, st: RosterState, d: int, s: int, p: int) -> list[str]:
    """The skills slot ``(d, s, p)`` needs more holders of."""
    need = cp.need[d][s][p]
    if need is None or not need.skills:
        return []
    members = st.members[d][s][p]
    skills = cp.skills
    return [k for k, count in need.skills if sum(1 for m in members if k in skills[m]) < count]


def _options(
    cp: Compiled, st: RosterState, fixed: list[list[bool]], d: int, s: int, p: int, skill: str
) -> list[list[Cell]]:
    """Candidate exchanges that put a holder of ``skill`` on slot ``(d, s, p)``."""
    skills, members = cp.skills, st.members[d][s][p]
    movers = [m for m in members if skill not in skills[m] and not fixed[m][d]]
    short_posts = []  # posts of the shift short of people: where the one replaced may go
    for q in cp.open_posts[d][s]:
        need = cp.need[d][s][q]
        assert need is not None
        if len(st.members[d][s][q]) < max(need.min, need.target):
            short_posts.append(q)
    out: list[list[Cell]] = []
    for h in range(cp.R):
        if (
            skill not in skills[h]
            or h in members
            or fixed[h][d]
            or cp.unavailable[h][d]
            or s not in cp.allowed_shifts[h]
            or not st.may_work(h, p)
        ):
            continue
        hs, hp = st.shifts[h][d], st.posts[h][d]
        come: Cell = (h, d, s, p)
        out.append([come])
        for m in movers:
            out.append([come, (m, d, OFF, OFF)])
            if hs >= 0 and hs in cp.allowed_shifts[m] and st.may_work(m, hp):
                out.append([come, (m, d, hs, hp)])
            for q in short_posts:
                if q != p and st.may_work(m, q):
                    out.append([come, (m, d, s, q)])
    return out


def fix_skills(
    st: RosterState,
    fixed: list[list[bool]],
    weight: float,
    clock: Callable[[], float],
    deadline: float,
    passes: int = 3,
) -> int:
    """Mend slots short of a skill by exchanges (see the module); returns those kept.

    Each exchange kept lowers ``weight`` × hard + soft, so the roster never gets worse.
    """
    cp = st.cp
    kept = 0
    for _ in range(passes):
        gained = False
        for d in range(cp.D):
            for s in range(cp.S):
                for p in cp.open_posts[d][s]:
                    for skill in _short(cp, st, d, s, p):
                        if clock() >= deadline:
                            return kept
                        best, pick = 0.0, None
                        for cells in _options(cp, st, fixed, d, s, p, skill):
                            dh, ds = st.try_cells(cells)
                            st.rollback()
                            v = weight * dh + ds
                            if v < best - 1e-9:
                                best, pick = v, cells
                        if pick is not None:
                            st.try_cells(pick)
                            st.commit()
                            kept += 1
                            gained = True
        if not gained:
            break
    return kept
