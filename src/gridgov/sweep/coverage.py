"""Batch coverage: every visit of a sweep in, the coverage of every unit out.

The batch is the *definition* the incremental tracker, the CSV fast path and
the stores are tested against, so it is written plainly in two phases: first
every visit is placed by the intake (:mod:`gridgov.sweep.intake`; rejects are
set aside with a reason) and its versions grouped by id with the intake's hot
path over plain rows (:func:`~gridgov.sweep.intake.offer`); then the intake's
counting policy (:func:`~gridgov.sweep.intake.counted_version`) says which
version of each id counts: the only one, none for a
:class:`~gridgov.sweep.report.Conflict`, or the one a resolution kept.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from gridgov.org.hierarchy import Hierarchy
from gridgov.sweep.frame import HouseholdFrame
from gridgov.sweep.intake import (
    REPEAT,
    VisitKey,
    counted_version,
    digest,
    identity,
    offer,
    place,
    render,
)
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
    ids: list[str] = []
    keys: list[VisitKey] = []
    placed_at: list[tuple[Visit, int, int]] = []
    for visit in visits:
        placed = place(frame, visit)
        if isinstance(placed, str):
            rejects.append(Reject(visit.id, visit.household, placed))
            continue
        h, t = placed
        ids.append(visit.id)
        keys.append(identity(visit, t))
        placed_at.append((visit, h, t))
    # the intake's hot path over plain rows: which rows are new ids, repeats, other versions
    seen: dict[str, list[VisitKey]] = {}
    codes = offer(ids, keys, seen)
    duplicates = codes.count(REPEAT)
    first = {
        (vid, key): row
        for vid, key, row, code in zip(ids, keys, placed_at, codes, strict=True)
        if code != REPEAT
    }
    state = VisitState(len(frame))
    conflicts: list[Conflict] = []
    for vid, versions in seen.items():
        resolved = kept.get(vid)
        if resolved is not None:
            by_digest = {digest(k): k for k in versions}
            choice = counted_version(list(by_digest), resolved)
            found = None if choice is None else by_digest[choice]
        else:
            found = counted_version(versions)
            if len(versions) > 1:
                texts = (render(first[(vid, k)][0]) for k in versions)
                conflicts.append(Conflict(vid, tuple(sorted(texts))))
        if found is None:
            continue
        visit, h, t = first[(vid, found)]
        state.apply(h, vid, t, code_of(visit.outcome), visit.persons_seen, visit.returnees)
    conflicts.sort(key=lambda c: c.visit_id)
    return CoverageReport(frame, state, tally(frame, state), rejects, conflicts, duplicates)
