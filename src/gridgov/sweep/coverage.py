"""Batch coverage: every visit of a sweep in, the coverage of every unit out.

The batch is the *definition* the incremental tracker and the CSV fast path are
tested against, so it is written plainly in two phases: first every visit is
checked (rejects are set aside with a reason) and grouped by id; then each id
seen with one content counts once, and each id seen with several contents is a
:class:`~gridgov.sweep.report.Conflict` that does not count at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from gridgov.org.hierarchy import Hierarchy
from gridgov.sweep.frame import HouseholdFrame
from gridgov.sweep.model import Household, Sweep, Visit
from gridgov.sweep.report import Conflict, CoverageReport, Reject
from gridgov.sweep.rules import (
    REASON_OTHER_SWEEP,
    REASON_OUT_OF_SCOPE,
    REASON_UNKNOWN_HOUSEHOLD,
    code_of,
)
from gridgov.sweep.state import VisitState, tally

VisitKey = tuple[Any, ...]


def visit_key(visit: Visit, t: int) -> VisitKey:
    """What makes two visits with the same id *the same* visit (the time as an instant)."""
    return (
        visit.sweep,
        visit.household,
        t,
        visit.visitor,
        visit.outcome,
        visit.persons_seen,
        visit.persons_registered,
        visit.note,
        visit.returnees,
        visit.residents_seen,
    )


def render_visit(visit: Visit) -> str:
    """A readable one-line rendering of a visit's content (for conflict reports)."""
    return (
        f"household={visit.household} at={visit.at.isoformat()} visitor={visit.visitor} "
        f"outcome={visit.outcome.value} persons={visit.persons_seen}"
        f"/{visit.persons_registered} returnees={visit.returnees} note={visit.note!r}"
    )


def check_visit(frame: HouseholdFrame, visit: Visit) -> tuple[int, int] | str:
    """``(household number, time)`` for an acceptable visit, else the reason to reject it."""
    if visit.sweep != frame.sweep.id:
        return REASON_OTHER_SWEEP
    h = frame.index.get(visit.household)
    if h is None:
        return REASON_OUT_OF_SCOPE if visit.household in frame.outside else REASON_UNKNOWN_HOUSEHOLD
    t = frame.rule.place(visit.at)
    if isinstance(t, str):
        return t
    return h, t


def coverage(
    tree: Hierarchy,
    households: Iterable[Household],
    visits: Iterable[Visit],
    sweep: Sweep,
) -> CoverageReport:
    """Coverage of ``sweep`` for every unit of ``tree`` from all its ``visits``.

    Households must name buildings of ``tree`` (bad households raise
    :class:`~gridgov.errors.InvalidInput` naming each); visits never raise: those
    that cannot count are in ``report.rejects`` or ``report.conflicts``.
    """
    frame = HouseholdFrame(tree, households, sweep)
    rejects: list[Reject] = []
    groups: dict[str, list[tuple[VisitKey, Visit, int, int]]] = {}
    duplicates = 0
    for visit in visits:
        checked = check_visit(frame, visit)
        if isinstance(checked, str):
            rejects.append(Reject(visit.id, visit.household, checked))
            continue
        h, t = checked
        key = visit_key(visit, t)
        group = groups.get(visit.id)
        if group is None:
            groups[visit.id] = [(key, visit, h, t)]
        elif any(k == key for k, *_ in group):
            duplicates += 1
        else:
            group.append((key, visit, h, t))
    state = VisitState(len(frame))
    conflicts: list[Conflict] = []
    for vid, group in groups.items():
        if len(group) > 1:
            conflicts.append(Conflict(vid, tuple(sorted(render_visit(g[1]) for g in group))))
            continue
        _, visit, h, t = group[0]
        state.apply(h, vid, t, code_of(visit.outcome), visit.persons_seen, visit.returnees)
    conflicts.sort(key=lambda c: c.visit_id)
    return CoverageReport(frame, state, tally(frame, state), rejects, conflicts, duplicates)
