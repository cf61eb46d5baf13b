"""Why the hard rules cannot all be met, in the problem's own terms."""

from __future__ import annotations

from gridgov.duty.compiled import Compiled
from gridgov.duty.violation import Violation


def _people(n: int) -> str:
    return "1 person" if n == 1 else f"{n} people"


def shortages(cp: Compiled, fixed: list[list[bool]] | None = None) -> list[str]:
    """Slots and days whose hard minimums exceed who is free and qualified to work them.

    Each message reads like: ``post K3 needs 3 people on the Night shift of
    Tue 2026-12-01; only 2 qualified people are free``.
    """
    out: list[str] = []
    for d in range(cp.D):
        free_day = [r for r in range(cp.R) if not cp.unavailable[r][d]]
        day_min = 0
        for s in range(cp.S):
            able = [r for r in free_day if cp.max_per_type[r][s] != 0]
            for p in range(cp.P):
                need = cp.need[d][s][p]
                if need is None or need.min == 0:
                    continue
                day_min += need.min
                where = f"post {cp.post_label(p)} needs {_people(need.min)} on the "
                when = f"{cp.shift_label(s)} shift of {cp.date(d)}"
                if len(able) < need.min:
                    out.append(
                        f"{where}{when}; only {_people(len(able))} who may work that shift are free"
                    )
                for skill, k in need.skills:
                    have = sum(1 for r in able if skill in cp.skills[r])
                    if have < k:
                        out.append(
                            f"post {cp.post_label(p)} needs {k} with skill {skill!r} on the "
                            f"{when}; only {have} with that skill are free"
                        )
                if need.leader and need.min > 0 and not any(cp.leader[r] for r in able):
                    out.append(
                        f"post {cp.post_label(p)} needs a party member or cadre on the {when}; "
                        "none is free"
                    )
        if day_min > len(free_day):
            out.append(
                f"on {cp.date(d)} the posts need {_people(day_min)} in all but only "
                f"{len(free_day)} are free (one shift a day each)"
            )
    return out


def _names(cp: Compiled, rs: list[int]) -> str:
    labels = [cp.labels[r] for r in rs[:3]]
    more = f" and {len(rs) - 3} more" if len(rs) > 3 else ""
    kinds = {cp.problem.resources[r].kind for r in rs}
    # "team T3", "people A, B": the kind when all are of one
    kind = ""
    if len(kinds) == 1:
        word = kinds.pop()
        kind = (word if len(rs) == 1 else ("people" if word == "person" else word + "s")) + " "
    return kind + ", ".join(labels) + more


def _capacity(
    cp: Compiled, rs: list[int], parts: list[tuple[int, int, int]], minimums: bool
) -> int:
    """The most minutes ``rs`` can give to the (shift, post, count) ``parts`` under their
    own limits: the free days the parts are open (with a hard minimum, for
    ``minimums``), per-type maxima, maximum minutes."""
    cap = 0
    for r in rs:
        lim = cp.limits[r]
        most = 0
        for s, p, _n in parts:
            days = sum(
                1 for d in range(cp.D) if not cp.unavailable[r][d] and cp.need[d][s][p] is not None
            )
            per_type = cp.max_per_type[r][s]
            most += cp.minutes[s] * (days if per_type is None else min(days, per_type))
        if lim.max_minutes is not None:
            most = min(most, lim.max_minutes)
        cap += most
    return cap


def _hard(cp: Compiled, name: str) -> bool:
    from gridgov.duty.model import DEFAULT_RULES

    return any(c.name == name and c.hard for c in cp.problem.rules or DEFAULT_RULES)


def capacity_shortfalls(cp: Compiled) -> list[str]:
    """Shift types whose hard minimums, and skills whose hard counts, need more hours than
    the only people who may work them (who have the skill) can give under their own
    limits (maximum minutes, per-type maxima, free days).

    Shift types and posts that the same people are qualified for are added up. Each
    message reads like: ``team T3's maximum of 20 h cannot cover the 30 h of Night
    shifts at K3 that only T3 may work``, or for a skill ``team T3's maximum of 32 h
    cannot cover the 56 h of Night shifts at K3 that need skill 'medic', which only T3
    has``.
    """
    demand: dict[frozenset[int], list[tuple[int, int, int]]] = {}
    skilled: dict[tuple[str, frozenset[int]], list[tuple[int, int, int]]] = {}
    with_skills = _hard(cp, "skills")
    for s in range(cp.S):
        able = frozenset(r for r in range(cp.R) if cp.max_per_type[r][s] != 0)
        for p in range(cp.P):
            need = 0
            wanted: dict[str, int] = {}
            for d in range(cp.D):
                n = cp.need[d][s][p]
                if n is None:
                    continue
                need += n.min
                if with_skills:
                    for skill, k in n.skills:
                        wanted[skill] = wanted.get(skill, 0) + k
            if need:
                demand.setdefault(able, []).append((s, p, need))
            for skill, k in wanted.items():
                if k:
                    holders = frozenset(r for r in able if skill in cp.skills[r])
                    skilled.setdefault((skill, holders), []).append((s, p, k))
    out: list[str] = []
    groups: list[tuple[str | None, frozenset[int], list[tuple[int, int, int]]]]
    groups = [(None, able, parts) for able, parts in demand.items()]
    groups += [(k, able, parts) for (k, able), parts in skilled.items()]
    for what_skill, able, parts in groups:
        minutes = sum(cp.minutes[s] * n for s, _p, n in parts)
        rs = sorted(able)
        cap = _capacity(cp, rs, parts, what_skill is None)
        if minutes <= cap:
            continue
        what = " and ".join(
            f"{cp.shift_label(s)} shifts at {cp.post_label(p)}" for s, p, _n in parts[:3]
        )
        if what_skill is not None:
            what += f" that need skill {what_skill!r}"
        if not rs:
            who = "nobody with that skill" if what_skill is not None else "nobody"
            out.append(f"{who} may work the {minutes / 60:g} h of {what}")
            continue
        who = _names(cp, rs)
        bare = ", ".join(cp.labels[r] for r in rs[:3]) + (
            f" and {len(rs) - 3} more" if len(rs) > 3 else ""
        )
        tail = (
            f", which only {bare} {'has' if len(rs) == 1 else 'have'}"
            if what_skill is not None
            else f" that only {bare} may work"
        )
        most = (
            f"{who}'s maximum of {cap / 60:g} h"
            if len(rs) == 1
            else f"the maxima of {who} ({cap / 60:g} h in all)"
        )
        out.append(f"{most} cannot cover the {minutes / 60:g} h of {what}{tail}")
    return out


def explain(cp: Compiled, remaining: list[Violation], *, limit: int = 10) -> tuple[str, ...]:
    """Capacity shortfalls and shortages first, then the hard violations the best roster
    still has (up to ``limit``)."""
    lines = capacity_shortfalls(cp) + shortages(cp)
    hard = [v for v in remaining if v.hard]
    if hard:
        lines.append(
            f"the best roster found still breaks {len(hard)} hard rule(s); the first ones:"
        )
        lines.extend(f"  {v.message} [{v.rule}]" for v in hard[:limit])
    return tuple(lines)
