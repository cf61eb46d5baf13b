"""Builders: posts, teams and cadres from the organisation tree, so nobody types them by hand.

- :func:`read_checkpoints` / :func:`checkpoints_from_text`: a checkpoints CSV
  naming the unit of each post (``id,unit`` and optionally ``name,kind,staff,
  shifts,leader,skills``), every row checked against the tree.
- :func:`posts_at_units`: :class:`~gridgov.duty.model.Post` values from
  checkpoints, their staff needs from the file or from a table by kind.
- :func:`teams_from_party`: volunteer teams from the party organisations of
  one level (e.g. ``grid`` branches), homed at their unit.
- :func:`cadres_from_pairings`: cadres from the government units paired with
  communities, homed at the paired unit (or at the root for county cadres).
- :func:`build_problem`: all of it, one bound problem (``gridgov roster build``).

All are pure: they take values (the tree, rows) and return values.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import attrs

from gridgov.csvrows import table_rows
from gridgov.duty.model import (
    DEFAULT_RULES,
    Horizon,
    Limits,
    Post,
    Problem,
    Resource,
    RuleConfig,
    ShiftType,
    StaffNeed,
)
from gridgov.duty.places import on_tree
from gridgov.errors import InvalidInput, SourceProblem
from gridgov.numbers import parse_int_or_none
from gridgov.org.hierarchy import Hierarchy
from gridgov.utf8 import read_utf8

CHECKPOINT_COLUMNS = ("id", "unit", "name", "kind", "staff", "shifts", "leader", "skills")
_YES = {"1", "yes", "true", "y"}
_NO = {"", "0", "no", "false", "n"}


@attrs.frozen
class Checkpoint:
    """One row of a checkpoints file: a post at a unit, and what it needs each shift."""

    id: str
    unit: str
    name: str = ""
    kind: str = "checkpoint"
    staff: int = 1
    shifts: tuple[str, ...] = ()
    """Shift types staffed (empty: every shift type of the problem)."""
    leader: bool = False
    skills: tuple[tuple[str, int], ...] = ()


def checkpoints_from_text(
    text: str, tree: Hierarchy | None = None, *, file: str | None = None
) -> list[Checkpoint]:
    """Parse a checkpoints CSV; with ``tree``, every ``unit`` must be one of its units.

    Every bad row is reported at once as ``FILE:ROW: FIELD: message``.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    errors: list[SourceProblem] = []
    header, rows = table_rows(io.StringIO(text, newline=""), file=file, errors=errors)
    for col in ("id", "unit"):
        if col not in header:
            errors.append(SourceProblem("missing column", field=col, row=1, file=file))
    for col in header:
        if col not in CHECKPOINT_COLUMNS:
            errors.append(
                SourceProblem(
                    f"unknown column (known: {', '.join(CHECKPOINT_COLUMNS)})",
                    field=col,
                    row=1,
                    file=file,
                )
            )
    if errors:
        raise InvalidInput(errors)
    out: list[Checkpoint] = []
    seen: dict[str, int] = {}
    for row, record in rows:
        cell = dict(zip(header, record, strict=True))
        n_before = len(errors)

        def bad(field: str, message: str, row: int = row) -> None:
            errors.append(SourceProblem(message, field=field, row=row, file=file))

        pid = cell["id"].strip()
        unit = cell["unit"].strip()
        if not pid:
            bad("id", "empty")
        elif pid in seen:
            bad("id", f"duplicate id {pid!r} (first at row {seen[pid]})")
        seen.setdefault(pid, row)
        if not unit:
            bad("unit", "empty")
        elif tree is not None and unit not in tree:
            bad("unit", f"unknown unit {unit!r}")
        # not a whole number reads as 0, refused like 0
        staff = parse_int_or_none(cell.get("staff", "").strip() or "1") or 0
        if staff < 1:
            bad("staff", f"expected a whole number >= 1, got {cell.get('staff')!r}")
        leader_text = cell.get("leader", "").strip().lower()
        if leader_text not in _YES | _NO:
            bad("leader", f"expected yes or no, got {cell.get('leader')!r}")
        skills: list[tuple[str, int]] = []
        for item in cell.get("skills", "").split():
            skill, _, count = item.partition(":")
            needed = parse_int_or_none(count) if count else 1
            if not skill or needed is None or needed < 1:
                bad("skills", f"expected SKILL or SKILL:COUNT, got {item!r}")
                continue
            skills.append((skill, needed))
        if len(errors) > n_before:
            continue
        out.append(
            Checkpoint(
                pid,
                unit,
                cell.get("name", "").strip(),
                cell.get("kind", "").strip() or "checkpoint",
                staff,
                tuple(cell.get("shifts", "").split()),
                leader_text in _YES,
                tuple(skills),
            )
        )
    if errors:
        raise InvalidInput(errors)
    return out


def read_checkpoints(path: str | Path, tree: Hierarchy | None = None) -> list[Checkpoint]:
    """Read a checkpoints CSV file (see :func:`checkpoints_from_text`)."""
    p = Path(path)
    return checkpoints_from_text(read_utf8(p), tree, file=str(p))  # the one located decoder


def posts_at_units(
    checkpoints: Iterable[Checkpoint],
    shifts: Sequence[str],
    *,
    needs: Mapping[str, Sequence[StaffNeed]] | None = None,
) -> tuple[Post, ...]:
    """A post per checkpoint at its unit.

    Its needs come from ``needs[kind]`` when the table has the checkpoint's kind,
    else from the checkpoint itself: ``staff`` people (exactly) on each of its
    ``shifts`` (default: every shift type in ``shifts``), with its skills and leader.
    """
    posts = []
    table = needs or {}
    for cp in checkpoints:
        if cp.kind in table:
            post_needs = tuple(table[cp.kind])
        else:
            post_needs = tuple(
                StaffNeed(s, min=cp.staff, max=cp.staff, skills=dict(cp.skills), leader=cp.leader)
                for s in (cp.shifts or tuple(shifts))
            )
        posts.append(Post(cp.id, name=cp.name, kind=cp.kind, unit=cp.unit, needs=post_needs))
    return tuple(posts)


def teams_from_party(
    tree: Hierarchy,
    level: str,
    *,
    per_unit: int = 1,
    total: int | None = None,
    prefix: str = "TM",
) -> tuple[Resource, ...]:
    """Volunteer service teams from the party organisations of the units at ``level``.

    Each unit at ``level`` with a party organisation raises ``per_unit`` teams
    (or, with ``total``, the teams are dealt round-robin over those units until
    there are ``total``), homed at the unit, party-member teams named after the
    organisation. Ids are ``{prefix}{n:03d}`` in the tree's pre-order.
    """
    if level not in tree.levels:
        raise ValueError(f"unknown level {level!r} (expected one of {', '.join(tree.levels)})")
    units = [u for u in tree.at_level(level) if tree[u].party is not None]
    if not units:
        raise ValueError(f"no unit at level {level!r} has a party organisation")
    if total is None:
        homes = [u for u in units for _ in range(per_unit)]
    else:
        homes = sorted(
            (units[i % len(units)] for i in range(total)), key=tree.index.pos.__getitem__
        )
    count: dict[str, int] = {}
    out = []
    for n, uid in enumerate(homes, start=1):
        count[uid] = count.get(uid, 0) + 1
        party = tree[uid].party
        assert party is not None
        label = party.name or tree[uid].name or uid
        out.append(
            Resource(
                f"{prefix}{n:03d}",
                name=f"{label} team {count[uid]}",
                kind="team",
                party_member=True,
                home_unit=uid,
            )
        )
    return tuple(out)


def cadres_from_pairings(
    tree: Hierarchy,
    *,
    total: int | None = None,
    at_root: bool = False,
    prefix: str = "K",
    names: Sequence[str] = (),
) -> tuple[Resource, ...]:
    """Cadres from the government units paired with communities (the tree's relations).

    Each government unit sends its ``cadres`` (or, with ``total``, cadres are
    taken round-robin over the government units until there are ``total``),
    homed at its first paired unit, or at the root with ``at_root=True``
    (county cadres who may serve anywhere). ``names`` gives people's names in
    order (default: the government unit's name and a number).
    """
    rel = tree.relations
    govs = [g for g in rel.gov_units.values() if g.cadres > 0]
    if not govs:
        raise ValueError("the tree has no government unit with cadres (tree.relations.pair)")
    if total is None:
        picks = [g for g in govs for _ in range(g.cadres)]
    else:
        sent: dict[str, int] = {}
        picks = []
        i = 0
        while len(picks) < total:
            g = govs[i % len(govs)]
            i += 1
            if sent.get(g.id, 0) < g.cadres:
                sent[g.id] = sent.get(g.id, 0) + 1
                picks.append(g)
            if i > total * len(govs) + len(govs):
                raise ValueError(f"the government units send fewer than {total} cadres")
    out = []
    count: dict[str, int] = {}
    for n, gov in enumerate(picks, start=1):
        count[gov.id] = count.get(gov.id, 0) + 1
        paired = rel.pairings.get(gov.id, ())
        home = tree.root if at_root or not paired else paired[0]
        name = names[n - 1] if n - 1 < len(names) else f"{gov.name or gov.id} cadre {count[gov.id]}"
        out.append(
            Resource(
                f"{prefix}{n:02d}",
                name=name,
                kind="person",
                skills=("cadre",),
                party_member=True,
                cadre=True,
                home_unit=home,
            )
        )
    return tuple(out)


THREE_SHIFTS: tuple[ShiftType, ...] = (
    ShiftType("D", 480, dt.time(7, 0), name="Day"),
    ShiftType("E", 480, dt.time(15, 0), name="Evening"),
    ShiftType("N", 480, dt.time(23, 0), night=True, name="Night", forbidden_next=("D",)),
)
"""Three 8-hour shifts a day (the night crosses midnight and is not followed by a day)."""


def build_problem(
    tree: Hierarchy,
    checkpoints: Sequence[Checkpoint],
    *,
    start: dt.date,
    days: int = 14,
    teams_level: str = "grid",
    teams_per_unit: int = 1,
    cadres: int = 0,
    within: str | None = None,
    shifts: Sequence[ShiftType] = THREE_SHIFTS,
    name: str = "",
) -> Problem:
    """A whole duty problem from the tree: posts at the checkpoints' units, teams from
    the party organisations at ``teams_level``, ``cadres`` from the paired government
    units (homed at the root: they serve anywhere), bound to ``tree``.

    The limits are those of a 24-hour duty: at most 6 days in a row, 8 hours' rest
    between shifts, 12 shifts a fortnight. With ``within`` a hard ``locality`` rule
    keeps every team inside its unit at that level.
    """
    posts = posts_at_units(checkpoints, [s.id for s in shifts])
    resources = list(teams_from_party(tree, teams_level, per_unit=teams_per_unit))
    if cadres:
        resources += cadres_from_pairings(tree, total=cadres, at_root=True)
    rules = DEFAULT_RULES
    if within is not None:
        if within not in tree.levels:
            raise ValueError(f"unknown level {within!r} (expected one of {', '.join(tree.levels)})")
        rules = (*rules, RuleConfig("locality", hard=True, params={"within": within}))
    problem = Problem(
        horizon=Horizon(start, days),
        shifts=tuple(shifts),
        posts=posts,
        resources=tuple(resources),
        defaults=Limits(
            max_consecutive=6,
            min_rest_minutes=8 * 60,
            max_minutes=max(1, 12 * days // 14) * max(s.minutes for s in shifts),
        ),
        rules=rules,
        name=name or f"{tree[tree.root].name or tree.root} checkpoints",
    )
    return on_tree(problem, tree)
