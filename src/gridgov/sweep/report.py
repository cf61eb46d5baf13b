"""Values a coverage computation returns: counts, rejects, conflicts, the re-visit queue."""

from __future__ import annotations

import datetime as dt

import attrs

from gridgov.org.hierarchy import Hierarchy
from gridgov.sweep.frame import HouseholdFrame
from gridgov.sweep.rules import LATEST, PARTLY, STATUS_NAMES, VACANT, VERIFIED
from gridgov.sweep.state import FIELDS, VisitState

CSV_HEADER = (
    "unit_id",
    "level",
    "target",
    "reached",
    "coverage",
    "not_at_home",
    "refused",
    "vacant",
    "no_access",
)
"""Header of the coverage table (``gridgov sweep coverage --format csv``)."""

TableRow = tuple[str, str, int, int, str, int, int, int, int]


def table_row(unit_id: str, level: str, c: Counts) -> TableRow:
    """One row of the coverage table (:data:`CSV_HEADER`) from a unit's counts: the same
    row whether the counts come from files, the tracker or a store."""
    return (
        unit_id,
        level,
        c.target,
        c.reached,
        f"{c.coverage:.4f}",
        c.not_at_home,
        c.refused,
        c.invalid,
        c.no_access,
    )


def _ratio(num: int, den: int) -> float:
    return num / den if den else 0.0


@attrs.frozen
class Counts:
    """Coverage counters of one unit for one sweep (its whole subtree).

    Household counts partition as ``households = target + invalid`` and
    ``target = verified + partly_verified + not_at_home + refused + no_access +
    not_visited`` (by each household's status, see :mod:`gridgov.sweep.rules`).
    """

    households: int = 0
    """Households of the register in the unit (planned + discovered)."""
    discovered: int = 0
    """Households found during the sweep (not on the plan)."""
    invalid: int = 0
    """Households confirmed invalid (vacant confirmed, moved out, commercial)."""
    verified: int = 0
    partly_verified: int = 0
    not_at_home: int = 0
    refused: int = 0
    no_access: int = 0
    not_visited: int = 0
    visited: int = 0
    """Target households with at least one accepted visit."""
    not_at_home_ever: int = 0
    """Target households found not at home at least once."""
    converted: int = 0
    """Of those, households verified on a visit after a not-at-home visit."""
    persons: int = 0
    """Persons covered: per reached household the most persons seen on a reaching visit."""
    returnees: int = 0
    """Returnees registered: per reached household the most registered on one visit."""
    no_central: int = 0
    """Target households with no responsible central household."""
    visits: int = 0
    """Accepted distinct visits."""

    @classmethod
    def from_columns(cls, cols: list[list[int]], p: int) -> Counts:
        """The counts at tree position ``p`` of a ``[field][pos]`` table."""
        return cls(*(col[p] for col in cols))

    @property
    def planned(self) -> int:
        """Households on the plan."""
        return self.households - self.discovered

    @property
    def target(self) -> int:
        """Planned + discovered − confirmed invalid."""
        return self.households - self.invalid

    @property
    def reached(self) -> int:
        """Verified or partly verified households."""
        return self.verified + self.partly_verified

    @property
    def coverage(self) -> float:
        """``reached / target`` in [0, 1]; 0 when the target is empty."""
        return _ratio(self.reached, self.target)

    @property
    def revisits(self) -> int:
        """Size of the re-visit queue: target households not yet verified."""
        return self.target - self.verified

    @property
    def refusal_rate(self) -> float:
        """Households whose status is *refused*, per visited target household."""
        return _ratio(self.refused, self.visited)

    @property
    def conversion(self) -> float:
        """Re-visit conversion: not at home, later verified, per household ever not at home."""
        return _ratio(self.converted, self.not_at_home_ever)

    def as_dict(self) -> dict[str, int | float]:
        """Every counter and derived figure, JSON-ready."""
        out: dict[str, int | float] = {f: getattr(self, f) for f in FIELDS}
        out.update(
            planned=self.planned,
            target=self.target,
            reached=self.reached,
            coverage=round(self.coverage, 4),
            revisits=self.revisits,
            refusal_rate=round(self.refusal_rate, 4),
            conversion=round(self.conversion, 4),
        )
        return out


@attrs.frozen
class Reject:
    """A visit that was not counted, and why. Rejects never stop a run."""

    visit_id: str
    household: str
    reason: str
    row: int | None = None
    file: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.row}: " if self.file and self.row else ""
        return f"{where}visit {self.visit_id!r} to {self.household!r}: {self.reason}"


@attrs.frozen
class Conflict:
    """One visit id seen with different contents; no version of it is counted."""

    visit_id: str
    versions: tuple[str, ...]
    """Each distinct content, rendered readably, sorted."""
    rows: tuple[int, ...] = ()
    file: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}: rows {', '.join(map(str, self.rows))}: " if self.rows else ""
        return (
            f"{where}visit {self.visit_id!r} has {len(self.versions)} different contents; "
            "none counted"
        )


@attrs.frozen
class QueueEntry:
    """A target household that still needs a visit (not verified)."""

    household: str
    unit: str
    """The unit its counts attach to (its building, or itself when it is a unit)."""
    reason: str
    """``not-visited`` or the household's status (``partly-verified``, ``not-at-home`` ...)."""
    visits: int
    since: dt.datetime
    """Its first visit, or the sweep's start when it was never visited."""
    age: dt.timedelta
    """``now - since``, never negative."""


@attrs.frozen
class ProgressPoint:
    """Cumulative reached households of a unit at a moment of the sweep."""

    at: dt.datetime
    reached: int
    target: int

    @property
    def coverage(self) -> float:
        """``reached / target`` at this moment (against the final target)."""
        return _ratio(self.reached, self.target)


class CoverageReport:
    """The coverage of one sweep over every unit of the tree.

    Produced by :func:`gridgov.sweep.coverage`, :func:`gridgov.sweep.coverage_from_csv`
    or :meth:`gridgov.sweep.CoverageTracker.report`; all three agree exactly.
    """

    __slots__ = ("columns", "conflicts", "duplicates", "frame", "rejects", "state")

    def __init__(
        self,
        frame: HouseholdFrame,
        state: VisitState,
        columns: list[list[int]],
        rejects: list[Reject],
        conflicts: list[Conflict],
        duplicates: int,
    ) -> None:
        self.frame = frame
        self.state = state
        self.columns = columns
        self.rejects = rejects
        self.conflicts = conflicts
        self.duplicates = duplicates

    @property
    def tree(self) -> Hierarchy:
        """The hierarchy the counts are rolled up over."""
        return self.frame.tree

    def counts(self, unit_id: str | None = None) -> Counts:
        """Counts of ``unit_id`` (default: the sweep's scope)."""
        uid = self.frame.sweep.scope if unit_id is None else unit_id
        p = self.tree.index.pos.get(uid)
        if p is None:
            from gridgov.errors import UnknownUnit

            raise UnknownUnit(uid)
        return Counts.from_columns(self.columns, p)

    def units(self, level: str | None = None) -> list[str]:
        """Units of the scope (pre-order), only those at ``level`` when given."""
        tree = self.tree
        return (
            tree.at_level(level, under=self.frame.sweep.scope)
            if level is not None
            else tree.subtree(self.frame.sweep.scope)
        )

    def table(self, level: str | None = None) -> list[TableRow]:
        """Rows of the coverage table (:data:`CSV_HEADER`), coverage with four decimals."""
        pos = self.tree.index.pos
        cols = self.columns
        return [
            table_row(uid, self.tree[uid].level, Counts.from_columns(cols, pos[uid]))
            for uid in self.units(level)
        ]

    def first_visit(self) -> dt.datetime | None:
        """The time of the earliest accepted visit of the sweep, if any."""
        first = min(self.state.first_visit, default=LATEST)
        return None if first == LATEST else self.frame.rule.from_us(first)

    def status(self, household: str) -> str:
        """The status of one household of the sweep (``not-visited``, ``verified`` ...)."""
        h = self.frame.index[household]
        st = self.state.status(h)
        return STATUS_NAMES[st]

    def _in_unit(self, unit_id: str | None) -> range | None:
        if unit_id is None:
            return None
        idx = self.tree.index
        p = idx.pos[unit_id]
        return range(p, p + idx.size[p])

    def revisit_queue(
        self,
        now: dt.datetime,
        *,
        unit: str | None = None,
        unvisited_since: dt.datetime | None = None,
    ) -> list[QueueEntry]:
        """Target households not yet verified, oldest first (then by id).

        ``now`` follows the sweep's time-zone rule (naive for a naive sweep). A
        household never visited waits since ``unvisited_since`` (default: the
        sweep's start).
        """
        frame, state = self.frame, self.state
        rule = frame.rule
        now_us = rule.to_us(now)
        if isinstance(now_us, str):
            raise ValueError(f"now: {now_us}")
        default_since = rule.start_us
        if unvisited_since is not None:
            got = rule.to_us(unvisited_since)
            if isinstance(got, str):
                raise ValueError(f"unvisited_since: {got}")
            default_since = got
        span = self._in_unit(unit)
        order = self.tree.index.order
        out = []
        for h, hid in enumerate(frame.ids):
            p = frame.attach[h]
            if span is not None and p not in span:
                continue
            st = state.status(h)
            if st == VERIFIED:
                continue
            if st > PARTLY and (st == VACANT or frame.register_invalid[h]):
                continue  # confirmed invalid: not in the target
            first = state.first_visit[h]
            since = first if first != LATEST else default_since
            out.append(
                (
                    -(now_us - since),
                    hid,
                    QueueEntry(
                        hid,
                        order[p],
                        STATUS_NAMES[st],
                        state.nvisits[h],
                        rule.from_us(since),
                        dt.timedelta(microseconds=max(0, now_us - since)),
                    ),
                )
            )
        out.sort(key=lambda e: (e[0], e[1]))
        return [e[2] for e in out]

    def progress(
        self,
        step: dt.timedelta,
        *,
        unit: str | None = None,
        start: dt.datetime | None = None,
        end: dt.datetime | None = None,
        max_points: int = 10_000,
    ) -> list[ProgressPoint]:
        """Reached households of ``unit`` (default the scope) at ``start``, ``start+step``, ...

        A household counts from its first reaching visit. ``start``/``end`` default to
        the first and last such visit in the unit.
        """
        if step <= dt.timedelta(0):
            raise ValueError("step must be positive")
        frame, state = self.frame, self.state
        rule = frame.rule
        uid = frame.sweep.scope if unit is None else unit
        span = self._in_unit(uid)
        assert span is not None
        target = self.counts(uid).target
        times = sorted(
            state.first_reach[h]
            for h in range(len(frame.ids))
            if frame.attach[h] in span and state.first_reach[h] != LATEST
        )
        if start is None and not times:
            return []
        s = times[0] if start is None else rule.to_us(start)
        e = (times[-1] if times else s) if end is None else rule.to_us(end)
        if isinstance(s, str) or isinstance(e, str):
            raise ValueError(f"start/end: {s if isinstance(s, str) else e}")
        step_us = step // dt.timedelta(microseconds=1)
        n_points = (e - s) // step_us + 1 if e >= s else 0
        if not times or n_points <= 0:
            return []
        if n_points > max_points:
            raise ValueError(f"{n_points} points; use a longer step or raise max_points")
        out = []
        i = 0
        for k in range(n_points):
            t = s + k * step_us
            while i < len(times) and times[i] <= t:
                i += 1
            out.append(ProgressPoint(rule.from_us(t), i, target))
        if out[-1].at != rule.from_us(e):
            while i < len(times) and times[i] <= e:
                i += 1
            out.append(ProgressPoint(rule.from_us(e), i, target))
        return out
