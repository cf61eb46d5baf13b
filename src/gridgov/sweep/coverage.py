"""Batch coverage: every visit of a sweep in, the coverage of every unit out.

The batch is the *definition* the incremental tracker, the CSV fast path and
the stores are tested against, so it is written plainly in two phases: first
every visit is placed by the intake (:mod:`gridgov.sweep.intake`; rejects are
set aside with a reason) and its versions grouped by id; then the intake's
counting policy (:func:`~gridgov.sweep.intake.counted_version`) says which
version of each id counts: the only one, none for a
:class:`~gridgov.sweep.report.Conflict`, or the one a resolution kept.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from gridgov.org.hierarchy import Hierarchy
from gridgov.sweep.frame import HouseholdFrame
from gridgov.sweep.intake import VisitKey, counted_version, digest, identity, place, render
from gridgov.sweep.model import Household, Sweep, Visit
from gridgov.sweep.report import Conflict, CoverageReport, Reject
from gridgov.sweep.rules import code_of
from gridgov.sweep.state import VisitState, tally

visit_key = identity
"""What makes two visits with the same id *the same* visit (see :func:`identity`)."""
render_visit = render
check_visit = place

__all__ = ["VisitKey", "check_visit", "coverage", "render_visit", "visit_key"]


def coverage(
    tree: Hierarchy,
    households: Iterable[Household],
    visits: Iterable[Visit],
    sweep: Sweep,
    *,
    resolutions: Mapping[str, str] | None = None,
) -> CoverageReport:
    """Coverage of ``sweep`` for every unit of ``tree`` from all its ``visits``.

    ``resolutions`` maps a visit id to the digest of the version a coordinator
    kept (:func:`gridgov.sweep.intake.digest`). Households must name buildings
    of ``tree`` (bad households raise :class:`~gridgov.errors.InvalidInput`
    naming each); visits never raise: those that cannot count are in
    ``report.rejects`` or ``report.conflicts``.
    """
    frame = HouseholdFrame(tree, households, sweep)
    kept = resolutions or {}
    rejects: list[Reject] = []
    groups: dict[str, dict[VisitKey, tuple[Visit, int, int]]] = {}
    duplicates = 0
    for visit in visits:
        placed = place(frame, visit)
        if isinstance(placed, str):
            rejects.append(Reject(visit.id, visit.household, placed))
            continue
        h, t = placed
        key = identity(visit, t)
        group = groups.setdefault(visit.id, {})
        if key in group:
            duplicates += 1
        else:
            group[key] = (visit, h, t)
    state = VisitState(len(frame))
    conflicts: list[Conflict] = []
    for vid, group in groups.items():
        keys = list(group)
        resolved = kept.get(vid)
        if resolved is not None:
            by_digest = {digest(k): k for k in keys}
            choice = counted_version(list(by_digest), resolved)
            found = by_digest.get(choice) if isinstance(choice, str) else None
        else:
            got = counted_version(keys)
            found = got if isinstance(got, tuple) else None
        if len(keys) > 1 and resolved is None:
            conflicts.append(Conflict(vid, tuple(sorted(render(v) for v, _, _ in group.values()))))
        if found is None:
            continue
        visit, h, t = group[found]
        state.apply(h, vid, t, code_of(visit.outcome), visit.persons_seen, visit.returnees)
    conflicts.sort(key=lambda c: c.visit_id)
    return CoverageReport(frame, state, tally(frame, state), rejects, conflicts, duplicates)
