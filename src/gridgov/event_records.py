"""What each kind of event carries, as records: the facts sent as they are, and the
personal facts that are masked per channel.

An :class:`~gridgov.events.Event` keeps them as JSON-ready mappings (``data`` and
``personal``), the library's converter's data for these records, so that an event
is stored, sent and read back in one shape; :func:`gridgov.events.facts` gives
the record of an event back. Adding a fact to a kind is a change here only.
"""

from __future__ import annotations

import datetime as dt

import attrs

__all__ = [
    "CoverageBelowFacts",
    "FollowUpOverdueFacts",
    "FollowUpOverduePersonal",
    "RosterPublishedFacts",
    "RuleViolationFacts",
    "RuleViolationPersonal",
    "ShiftStartingFacts",
    "ShiftStartingPersonal",
    "VisitRejectedFacts",
]


@attrs.frozen
class RosterPublishedFacts:
    """``roster-published``: version ``version`` of roster ``roster``, of ``shifts`` rows."""

    roster: str
    version: int
    shifts: int = 0


@attrs.frozen
class ShiftStartingFacts:
    """``shift-starting``: the shift of roster ``roster`` at ``post`` starting at ``start``,
    and its ``team``."""

    roster: str
    post: str
    start: dt.datetime
    team: str = ""


@attrs.frozen
class ShiftStartingPersonal:
    """``shift-starting``'s personal fact: the shift leader's name."""

    leader_name: str = ""


@attrs.frozen
class CoverageBelowFacts:
    """``coverage-below-threshold``: the sweep, its coverage and the threshold (fractions)."""

    sweep: str
    coverage: float
    threshold: float


@attrs.frozen
class FollowUpOverdueFacts:
    """``follow-up-overdue``: the household and when its follow-up was due."""

    household: str
    due: dt.datetime


@attrs.frozen
class FollowUpOverduePersonal:
    """``follow-up-overdue``'s personal facts: the resident's name, ID number and health."""

    resident_name: str = ""
    resident_id_number: str = ""
    health: str = ""


@attrs.frozen
class RuleViolationFacts:
    """``rule-violation``: the roster and the rule it breaks."""

    roster: str
    rule: str


@attrs.frozen
class RuleViolationPersonal:
    """``rule-violation``'s personal fact: the name of the person concerned."""

    person_name: str = ""


@attrs.frozen
class VisitRejectedFacts:
    """``visit-rejected``: the visit, its household and why it was not accepted."""

    visit: str
    household: str
    reason: str
