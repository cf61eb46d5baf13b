"""What a coordinator's report shows: coverage bars, re-visit queue, follow-up, roster.

Every text in these values is already what a reader may see: names of people
are masked here (when the report is built with ``mask=True``), never in the
renderer, so a value can be checked for personal data before it is rendered.
"""

from __future__ import annotations

import datetime as dt

import attrs


@attrs.frozen
class UnitBar:
    """One unit's coverage bar, with the bars of the units below it (the drill-down)."""

    unit: str
    name: str
    level: str
    target: int
    reached: int
    coverage: float
    """``reached / target`` (:attr:`gridgov.sweep.Counts.coverage`)."""
    visited: int
    revisits: int
    """Households still to (re)visit (:attr:`gridgov.sweep.Counts.revisits`)."""
    below: bool
    """True when :attr:`coverage` is under the report's threshold (and the target is not empty)."""
    children: tuple[UnitBar, ...] = ()

    def walk(self) -> list[UnitBar]:
        """This bar and every bar below it, pre-order."""
        out = [self]
        for child in self.children:
            out += child.walk()
        return out


@attrs.frozen
class QueueRow:
    """One household of the re-visit queue (:class:`gridgov.sweep.QueueEntry`), with its place."""

    household: str
    place: tuple[str, ...]
    """Names of the units from below the scope down to its building."""
    reason: str
    visits: int
    since: dt.datetime
    age: dt.timedelta


@attrs.frozen
class QueueSummary:
    """The re-visit queue: how many households and why, where, and the longest waiting."""

    total: int
    by_reason: tuple[tuple[str, int], ...]
    by_unit: tuple[tuple[str, str, int], ...]
    """(unit id, unit name, households in the queue) for each unit of the summary level."""
    by_age: tuple[tuple[str, int], ...]
    """Households by waiting time: ``< 2 h``, ``2-6 h``, ``6-12 h``, ``12-24 h``, ``> 1 day``."""
    oldest: tuple[QueueRow, ...]
    """The longest waiting households, oldest first (at most the report's limit)."""


@attrs.frozen
class OverdueRow:
    """A resident due for a check and not seen for more than a day."""

    resident: str
    household: str
    name: str
    """Masked unless the report reveals personal data."""
    why: str
    """``isolated``, ``elderly``, ``disabled``, ``homeless`` (masked unless revealed)."""
    bucket: str
    """Time since last seen (:data:`gridgov.sweep.followup.BUCKETS`)."""


@attrs.frozen
class FollowUpSection:
    """Daily follow-up of isolated and vulnerable residents on one day."""

    day: dt.date
    due: int
    seen: int
    buckets: tuple[tuple[str, int], ...]
    overdue: tuple[OverdueRow, ...]
    """The first overdue residents (at most the report's limit)."""
    overdue_total: int = 0
    """Every overdue resident."""


@attrs.frozen
class RosterCell:
    """One shift at one post on one day: who works it and what it needs."""

    shift: str
    label: str
    night: bool
    staff: tuple[str, ...]
    """Display names (masked for people unless revealed)."""
    need: int
    """The hard minimum of the slot."""
    target: int
    """The soft target of the slot."""

    @property
    def short(self) -> int:
        """People missing against the hard minimum (a gap in cover)."""
        return max(self.need - len(self.staff), 0)


@attrs.frozen
class RosterRow:
    """One post: its cells for every day (each day a tuple of shift cells)."""

    post: str
    label: str
    days: tuple[tuple[RosterCell, ...], ...]


@attrs.frozen
class RosterGrid:
    """The published roster as a grid by post and day."""

    roster: str
    version: int
    name: str
    days: tuple[dt.date, ...]
    rows: tuple[RosterRow, ...]

    @property
    def gaps(self) -> int:
        """Slots short of their hard minimum."""
        return sum(1 for r in self.rows for day in r.days for c in day if c.short)

    @property
    def shifts(self) -> int:
        """Assignments shown."""
        return sum(len(c.staff) for r in self.rows for day in r.days for c in day)


@attrs.frozen
class Report:
    """Everything the coordinator's report shows, ready to render."""

    title: str
    sweep: str
    purpose: str
    start: dt.datetime
    end: dt.datetime
    at: dt.datetime
    """The moment the report is made for (queue ages are counted to it)."""
    threshold: float
    coverage: UnitBar
    queue: QueueSummary
    followup: FollowUpSection | None = None
    roster: RosterGrid | None = None
    masked: bool = True
    notes: tuple[str, ...] = ()
    """Things the reader should know (a missing roster, visits not counted...)."""

    @property
    def below(self) -> list[UnitBar]:
        """Every unit under the threshold, pre-order."""
        return [b for b in self.coverage.walk() if b.below]
