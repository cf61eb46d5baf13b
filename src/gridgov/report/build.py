"""Building a :class:`~gridgov.report.model.Report` from the library's own computations.

Pure: values in, a value out, no clock and no I/O. Coverage is
:func:`gridgov.sweep.coverage` (:class:`gridgov.sweep.Counts`, one figure
everywhere), the queue is :meth:`gridgov.sweep.CoverageReport.revisit_queue`,
follow-up is :func:`gridgov.sweep.followup.follow_up` and the roster's needs are
the duty model's own resolution of staff needs (:class:`gridgov.duty.compiled.Compiled`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from gridgov.duty.compiled import compile_problem
from gridgov.duty.model import Problem, Roster
from gridgov.duty.privacy import display_name
from gridgov.org.hierarchy import Hierarchy
from gridgov.privacy import mask_flag, mask_name
from gridgov.report.model import (
    FollowUpSection,
    OverdueRow,
    QueueRow,
    QueueSummary,
    Report,
    RosterCell,
    RosterGrid,
    RosterRow,
    UnitBar,
)
from gridgov.sweep.coverage import coverage
from gridgov.sweep.followup import BUCKETS, follow_up, seen_days
from gridgov.sweep.model import Household, Resident, Sweep, Visit
from gridgov.sweep.report import Counts, CoverageReport, QueueEntry

DEFAULT_THRESHOLD = 0.9
AGE_BUCKETS: tuple[tuple[str, dt.timedelta | None], ...] = (
    ("< 2 h", dt.timedelta(hours=2)),
    ("2-6 h", dt.timedelta(hours=6)),
    ("6-12 h", dt.timedelta(hours=12)),
    ("12-24 h", dt.timedelta(hours=24)),
    ("> 1 day", None),
)


HOUSEHOLD_LEVEL = "household"
"""The level whose units are households when no household records are given."""


def _deepest_rank(tree: Hierarchy, households: Sequence[Household], down_to: str | None) -> int:
    levels = tree.levels
    if down_to is not None:
        if down_to not in levels:
            raise ValueError(f"unknown level {down_to!r} (levels: {', '.join(levels)})")
        return levels.rank(down_to)
    # the level just above the households' buildings (grids in the reference scheme);
    # with no household records, above the buildings of the tree's household units
    # (the default household level), else above the tree's leaves
    ranks = {levels.rank(u.level) for h in households if (u := tree.get(h.building)) is not None}
    if not ranks and HOUSEHOLD_LEVEL in levels:
        ranks = {
            levels.rank(tree[p].level)
            for u in tree.at_level(HOUSEHOLD_LEVEL)
            if (p := tree.parent(u)) is not None
        }
    if not ranks:
        ranks = {levels.rank(tree[leaf].level) for leaf in tree.leaves()}
    return min(ranks) - 1


def coverage_bars(
    cov: CoverageReport,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    deepest_rank: int | None = None,
    counts: Mapping[str, Counts] | None = None,
) -> UnitBar:
    """The scope's bar and the bars below it down to level rank ``deepest_rank``.

    The figures are ``counts`` (a store's :meth:`~gridgov.store.Store.sweep_counts`)
    when given, else the report's own.
    """
    tree = cov.tree
    levels = tree.levels
    limit = len(levels) if deepest_rank is None else deepest_rank

    def bar(uid: str) -> UnitBar:
        unit = tree[uid]
        c = counts[uid] if counts is not None else cov.counts(uid)
        kids = tuple(bar(k) for k in tree.children(uid) if levels.rank(tree[k].level) <= limit)
        return UnitBar(
            uid,
            unit.name or uid,
            unit.level,
            c.target,
            c.reached,
            c.coverage,
            c.visited,
            c.revisits,
            c.target > 0 and c.coverage < threshold,
            kids,
        )

    return bar(cov.units()[0])


def _age_bucket(age: dt.timedelta) -> str:
    for label, upper in AGE_BUCKETS:
        if upper is None or age < upper:
            return label
    return AGE_BUCKETS[-1][0]  # pragma: no cover - the last bucket has no upper bound


def queue_summary(
    cov: CoverageReport, now: dt.datetime, *, level: str | None = None, limit: int = 100
) -> QueueSummary:
    """The re-visit queue at ``now``, counted by reason, by unit at ``level`` and by age.

    ``level`` defaults to the level of the scope's children; units come most first.
    """
    tree = cov.tree
    scope = cov.units()[0]
    entries = cov.revisit_queue(now)
    if level is None:
        kids = tree.children(scope)
        level = tree[kids[0]].level if kids else tree[scope].level
    per_unit: Counter[str] = Counter()
    for e in entries:
        per_unit[tree.level_of_ancestor(e.unit, level) or scope] += 1
    units = sorted(cov.units(level), key=lambda u: -per_unit[u])  # most first, then tree order
    reasons = Counter(e.reason for e in entries)
    ages = Counter(_age_bucket(e.age) for e in entries)
    skip = len(tree.path(scope))

    def place(e: QueueEntry) -> tuple[str, ...]:
        path = tree.path(e.unit)[skip:]
        if path and path[-1] == e.household:  # a household that is a unit of the tree
            path = path[:-1]
        return tuple(tree[u].name or u for u in path)

    oldest = tuple(
        QueueRow(
            e.household,
            place(e),
            e.reason,
            e.visits,
            e.since,
            e.age,
        )
        for e in entries[:limit]
    )
    return QueueSummary(
        len(entries),
        tuple(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
        tuple((u, tree[u].name or u, per_unit[u]) for u in units),
        tuple((label, ages[label]) for label, _ in AGE_BUCKETS),
        oldest,
    )


def _why(r: Resident) -> str:
    flags = [
        name
        for name, on in (
            ("isolated", r.isolation is not None),
            ("elderly", r.elderly),
            ("disabled", r.disabled),
            ("homeless", r.homeless),
        )
        if on
    ]
    return ", ".join(flags)


def follow_up_section(
    residents: Sequence[Resident],
    visits: Iterable[Visit],
    sweep: Sweep,
    day: dt.date,
    *,
    mask: bool = True,
    limit: int = 100,
) -> FollowUpSection:
    """Follow-up on ``day`` (visits from the sweep's first day on); the first ``limit``
    overdue residents listed."""
    visits = list(visits)
    zone = sweep.start.tzinfo
    first = min(sweep.start.date(), day)
    fu = follow_up(residents, visits, first, day, zone=zone)
    last = fu.days[-1]
    seen = seen_days(residents, visits, zone=zone)
    by_id = {r.id: r for r in residents}
    overdue = []
    for rid in fu.overdue[:limit]:
        r = by_id[rid]
        days = [d for d in seen[rid] if d <= day]
        overdue.append(
            OverdueRow(
                rid,
                r.household,
                mask_name(r.name) if mask else r.name,
                mask_flag(r) if mask else _why(r),
                max(days).isoformat() if days else "never",
            )
        )
    return FollowUpSection(
        day,
        last.due,
        last.seen,
        tuple((b, fu.last_seen.get(b, 0)) for b in BUCKETS),
        tuple(overdue),
        len(fu.overdue),
    )


def roster_grid(
    problem: Problem, roster: Roster, *, roster_id: str = "", version: int = 0, mask: bool = True
) -> RosterGrid:
    """The roster by post and day: every shift that needs staff or has staff, gaps counted."""
    cp = compile_problem(problem)
    res = {r.id: r for r in problem.resources}
    staff: dict[tuple[int, int, int], list[str]] = {}
    for a in roster.assignments:
        r, s, p = res.get(a.resource), cp.s_index.get(a.shift), cp.p_index.get(a.post)
        if s is None or p is None or not 0 <= a.day < cp.D:
            continue
        name = display_name(r, mask=mask) if r is not None else a.resource
        staff.setdefault((a.day, s, p), []).append(name)
    rows = []
    for p, post in enumerate(problem.posts):
        days = []
        for d in range(cp.D):
            cells = []
            for s, shift in enumerate(problem.shifts):
                need = cp.need[d][s][p]
                names = staff.get((d, s, p), [])
                if need is None and not names:
                    continue
                cells.append(
                    RosterCell(
                        shift.id,
                        shift.name or shift.id,
                        shift.night,
                        tuple(sorted(names)),
                        need.min if need is not None else 0,
                        need.target if need is not None else 0,
                    )
                )
            days.append(tuple(cells))
        rows.append(RosterRow(post.id, post.label, tuple(days)))
    dates = tuple(problem.horizon.date(d) for d in range(cp.D))
    return RosterGrid(roster_id, version, problem.name, dates, tuple(rows))


def build_report(
    tree: Hierarchy,
    households: Sequence[Household],
    sweep: Sweep,
    visits: Iterable[Visit],
    *,
    at: dt.datetime,
    threshold: float = DEFAULT_THRESHOLD,
    down_to: str | None = None,
    residents: Sequence[Resident] = (),
    roster: RosterGrid | None = None,
    mask: bool = True,
    queue_limit: int = 100,
    notes: Sequence[str] = (),
    resolutions: Mapping[str, str] | None = None,
    counts: Mapping[str, Counts] | None = None,
) -> Report:
    """The coordinator's report of ``sweep`` at the moment ``at``.

    ``at`` follows the sweep's time-zone rule (aware for an aware sweep). Bars go
    from the sweep's scope down to ``down_to`` (default: the level above the
    households' buildings); units under ``threshold`` are marked ``below``.
    ``resolutions`` are the coordinators' decisions on conflicting visits (as
    :func:`gridgov.sweep.coverage` takes them); ``counts``, when given, are the
    figures of the bars (a store's ``sweep_counts``, which equal the library's).
    """
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"threshold must be between 0 and 1, got {threshold}")
    visits = list(visits)
    cov = coverage(tree, households, visits, sweep, resolutions=resolutions)
    bars = coverage_bars(
        cov,
        threshold=threshold,
        deepest_rank=_deepest_rank(tree, households, down_to),
        counts=counts,
    )
    leaves = [b.level for b in bars.walk() if not b.children]
    queue = queue_summary(cov, at, level=leaves[-1] if leaves else None, limit=queue_limit)
    followup = None
    if residents:
        followup = follow_up_section(
            residents, visits, sweep, at.date(), mask=mask, limit=queue_limit
        )
    out_notes = list(notes)
    if cov.rejects or cov.conflicts:
        out_notes.append(
            f"{len(cov.rejects)} visits not counted (rejected) and {len(cov.conflicts)} "
            "visit ids with conflicting contents not counted until a coordinator resolves "
            "them (gridgov sweep conflicts)"
        )
    root = tree[cov.units()[0]]
    return Report(
        root.name or root.id,
        sweep.id,
        sweep.purpose,
        sweep.start,
        sweep.end,
        at,
        threshold,
        bars,
        queue,
        followup,
        roster,
        mask,
        tuple(out_notes),
    )
