"""Reading what a report needs from a :class:`~gridgov.store.Store`.

The store keeps the hierarchy, households, sweeps and visits, duty problems
and roster versions; this module picks the sweep and the published roster,
turns the stored documents back into values and hands them to
:func:`gridgov.report.build_report`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from gridgov.duty.model import Assignment, Problem, Roster
from gridgov.errors import InvalidInput, NumberError, SourceProblem
from gridgov.numbers import parse_int
from gridgov.report.build import DEFAULT_THRESHOLD, build_report, roster_grid
from gridgov.report.model import Report, RosterGrid
from gridgov.serialize import structure
from gridgov.store.port import Store
from gridgov.sweep.model import Resident, Sweep


def _fail(message: str, field: str | None = None) -> InvalidInput:
    return InvalidInput([SourceProblem(message, field=field)])


def pick_sweep(store: Store, sweep_id: str | None) -> tuple[Sweep, list[str]]:
    """The sweep ``sweep_id``, or the latest stored one; and a note when there was a choice."""
    if sweep_id is not None:
        sweep = store.sweep(sweep_id)
        if sweep is None:
            known = ", ".join(s.id for s in store.sweeps()) or "none"
            raise _fail(f"no sweep {sweep_id!r} in the store (stored: {known})", "sweep")
        return sweep, []
    sweeps = store.sweeps()
    if not sweeps:
        raise _fail("no sweep in the store; create one with `gridgov sweep create`", "sweep")
    latest = max(sweeps, key=lambda s: (s.start, s.id))
    notes = []
    if len(sweeps) > 1:
        notes.append(
            f"{len(sweeps)} sweeps are stored; this report shows {latest.id}, the latest "
            "(--sweep ID for another)"
        )
    return latest, notes


def roster_from_doc(doc: Any) -> Roster:
    """A stored roster document as a :class:`~gridgov.duty.Roster`.

    Two forms are read: the rows of a roster CSV (``employee``, ``day``,
    ``shift``, ``post``), as ``gridgov roster publish roster.csv`` stores them,
    and a serialised roster (``{"assignments": [...]}``).
    """
    if isinstance(doc, dict) and "assignments" in doc:
        return structure(doc, Roster, path="roster")
    if not isinstance(doc, list):
        raise _fail("a stored roster is neither a list of rows nor {'assignments': [...]}")
    return Roster(tuple(_row_assignment(row, i) for i, row in enumerate(doc, start=1)))


def _row_assignment(row: Any, i: int) -> Assignment:
    """One row of a roster CSV (cells as text, or a JSON row) through the converter,
    strictly: the day by gridgov's number grammar, every other cell text."""
    if not isinstance(row, dict):
        raise _fail(f"roster row {i} is not an object", "roster")
    data = {k: row[k] for k in ("day", "shift", "post") if k in row}
    data.setdefault("post", "")
    for name in ("employee", "resource"):
        if name in row:
            data["resource"] = row[name]
            break
    if isinstance(data.get("day"), str):
        try:
            data["day"] = parse_int(data["day"].strip())
        except NumberError as exc:
            raise _fail(f"roster row {i}: day: {exc}", "roster") from None
    try:
        return structure(data, Assignment)
    except InvalidInput as exc:
        problems = [f"{(e.field or '$').rpartition('.')[2]}: {e.message}" for e in exc.errors]
        raise _fail(f"roster row {i}: {'; '.join(problems)}", "roster") from None


def published_roster(
    store: Store, roster_id: str | None = None, *, mask: bool = True
) -> tuple[RosterGrid | None, list[str]]:
    """The latest published version of ``roster_id`` (default: of a stored problem's id)."""
    ids = [roster_id] if roster_id is not None else store.problem_ids()
    for rid in ids:
        record = store.roster(rid, status="published")
        if record is None:
            continue
        data = store.problem(rid)
        if data is None:
            return None, [
                f"roster {rid} version {record.version} is published, but no duty problem "
                f"{rid!r} is stored, so its posts and needs are unknown"
            ]
        problem = structure(data, Problem)
        grid = roster_grid(
            problem, roster_from_doc(record.doc), roster_id=rid, version=record.version, mask=mask
        )
        return grid, []
    if roster_id is not None:
        raise _fail(f"no published roster {roster_id!r} in the store", "roster")
    return None, []


def load_report(
    store: Store,
    *,
    at: dt.datetime,
    sweep_id: str | None = None,
    roster_id: str | None = None,
    residents: Sequence[Resident] = (),
    threshold: float = DEFAULT_THRESHOLD,
    down_to: str | None = None,
    mask: bool = True,
) -> Report:
    """The report of a stored sweep at ``at`` (clipped to the sweep's window).

    The bars show the store's :meth:`~gridgov.store.Store.sweep_counts` (rolled up
    where the data are); the re-visit queue is computed from the stored visit
    versions and the coordinators' resolutions.

    ``at`` may be aware or naive; it is put in the sweep's form (the sweep's
    zone for an aware sweep) before use.
    """
    tree = store.hierarchy()
    if tree is None:
        raise _fail("no hierarchy in the store; run `gridgov org import FILE` first", "store")
    sweep, notes = pick_sweep(store, sweep_id)
    zone = sweep.start.tzinfo
    if zone is not None:
        at = at.astimezone(zone) if at.tzinfo is not None else at.replace(tzinfo=zone)
    elif at.tzinfo is not None:
        at = at.replace(tzinfo=None)
    at = min(max(at, sweep.start), sweep.end)
    grid, roster_notes = published_roster(store, roster_id, mask=mask)
    return build_report(
        tree,
        list(store.households()),
        sweep,
        store.visits(sweep=sweep.id),
        resolutions=store.resolutions(sweep.id),
        counts=store.sweep_counts(sweep.id),
        at=at,
        threshold=threshold,
        down_to=down_to,
        residents=residents,
        roster=grid,
        mask=mask,
        notes=[*notes, *roster_notes],
    )
