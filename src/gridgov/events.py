"""Domain events: values that say something happened that someone should be told.

Every event is a frozen attrs value with an ``id`` (stable for the same
occurrence, so that the outbox and the receivers can de-duplicate), a ``kind``,
the moment ``at`` it happened and the ``unit`` of the hierarchy it concerns.
Facts that are not personal go in ``data``; personal facts (names, ID numbers,
health flags) go in ``personal`` and are masked when an event is rendered for a
channel, unless that channel is configured with ``mask = false``.

The constructors (:func:`roster_published`, :func:`shift_starting`, ...) derive
the id from the natural key of the occurrence: publishing version 3 of roster
``r1`` always gives the same event id. They take ``at`` from the caller (no
clock reads here).

Ids are *keyed*: with ``secret`` (the workspace's, :meth:`gridgov.workspace.Workspace.secret`)
an id is an HMAC-SHA256 of its natural key, so it cannot be recomputed, or tested
against guessed names, households or teams, without the secret, and the same
occurrence keeps its id across runs under the same secret. The events whose
natural key derives from personal data (a shift's team, a follow-up's
household, a rule violation's wording, a rejected visit) *require* the secret;
:func:`roster_published` and :func:`coverage_below` (organisational facts only)
take it when given and fall back to a plain SHA-256 otherwise.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
from collections.abc import Mapping
from typing import Any

import attrs

from gridgov import event_records as rec
from gridgov.frozen import FrozenDict, frozen_dict
from gridgov.privacy import keyed_digest, mask_flag, mask_id_number, mask_name
from gridgov.serialize import structure, unstructure
from gridgov.values import AttrValue

_str = attrs.validators.instance_of(str)


class EventKind(enum.Enum):
    """What happened."""

    ROSTER_PUBLISHED = "roster-published"
    SHIFT_STARTING = "shift-starting"
    COVERAGE_BELOW = "coverage-below-threshold"
    FOLLOW_UP_OVERDUE = "follow-up-overdue"
    RULE_VIOLATION = "rule-violation"
    VISIT_REJECTED = "visit-rejected"


def _non_empty(_inst: object, attribute: attrs.Attribute[Any], value: str) -> None:
    if not value:
        raise ValueError(f"{attribute.name} must not be empty")


@attrs.frozen
class Event:
    """One domain event. ``personal`` holds personal data, masked when rendered."""

    id: str = attrs.field(validator=[_str, _non_empty])
    kind: EventKind = attrs.field(validator=attrs.validators.instance_of(EventKind))
    at: dt.datetime = attrs.field(validator=attrs.validators.instance_of(dt.datetime))
    unit: str = attrs.field(validator=_str)
    summary: str = attrs.field(default="", validator=_str)
    data: Mapping[str, AttrValue] = attrs.field(factory=FrozenDict, converter=frozen_dict)
    personal: Mapping[str, str] = attrs.field(factory=FrozenDict, converter=frozen_dict)


def event_id(kind: EventKind, *key: object, secret: bytes | None = None) -> str:
    """A stable id for the occurrence of ``kind`` identified by ``key``.

    With ``secret``: ``evt_`` and 24 hex digits of the HMAC-SHA256 of the key under
    it (:func:`gridgov.privacy.keyed_digest`), which nobody without the secret can
    recompute. Without: of its plain SHA-256, for keys that hold no personal data.
    """
    text = "\x1f".join([kind.value, *(str(k) for k in key)])
    if secret is not None:
        return "evt_" + keyed_digest(secret, text)
    return "evt_" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def mask_personal(key: str, value: str) -> str:
    """Mask one personal value by what its key says it is.

    Keys ending in ``name`` keep the first character; keys ending in
    ``id_number`` or ``phone`` keep the last four characters; anything else
    (health status, vulnerability flags) is hidden entirely.
    """
    if key.endswith("name"):
        return mask_name(value)
    if key.endswith(("id_number", "phone")):
        return mask_id_number(value)
    return mask_flag(value)


def personal_view(event: Event, *, mask: bool = True) -> dict[str, str]:
    """The personal facts of ``event``, masked unless ``mask=False``."""
    if not mask:
        return dict(event.personal)
    return {k: mask_personal(k, v) for k, v in event.personal.items()}


def payload(event: Event, *, mask: bool = True) -> dict[str, Any]:
    """JSON-ready data for a notification about ``event`` (personal data masked by default):
    the event as the library's converter writes it (as the outbox stores it), with its
    ``personal`` facts as :func:`personal_view` shows them."""
    data: dict[str, Any] = unstructure(event)
    data["personal"] = personal_view(event, mask=mask)
    return data


def render(event: Event, *, mask: bool = True) -> str:
    """One line of text about ``event`` (personal data masked by default)."""
    parts = [f"[{event.kind.value}] {event.unit}: {event.summary}".rstrip()]
    facts = {**{k: str(v) for k, v in event.data.items()}, **personal_view(event, mask=mask)}
    if facts:
        parts.append(" ".join(f"{k}={v}" for k, v in sorted(facts.items())))
    return " | ".join(parts)


FACTS: dict[EventKind, type] = {
    EventKind.ROSTER_PUBLISHED: rec.RosterPublishedFacts,
    EventKind.SHIFT_STARTING: rec.ShiftStartingFacts,
    EventKind.COVERAGE_BELOW: rec.CoverageBelowFacts,
    EventKind.FOLLOW_UP_OVERDUE: rec.FollowUpOverdueFacts,
    EventKind.RULE_VIOLATION: rec.RuleViolationFacts,
    EventKind.VISIT_REJECTED: rec.VisitRejectedFacts,
}
"""The record of the facts (``data``) of each kind (:mod:`gridgov.event_records`)."""

PERSONAL: dict[EventKind, type] = {
    EventKind.SHIFT_STARTING: rec.ShiftStartingPersonal,
    EventKind.FOLLOW_UP_OVERDUE: rec.FollowUpOverduePersonal,
    EventKind.RULE_VIOLATION: rec.RuleViolationPersonal,
}
"""The record of the personal facts of the kinds that have some (empty ones are left out
of ``personal``)."""


def facts(event: Event) -> Any:
    """The facts of ``event`` as the record of its kind (:data:`FACTS`), read back by the
    library's converter (:class:`~gridgov.errors.InvalidInput` when they do not fit)."""
    return structure(dict(event.data), FACTS[event.kind], path="data")


def _event(
    kind: EventKind,
    key: tuple[object, ...],
    *,
    at: dt.datetime,
    unit: str,
    summary: str,
    data: Any,
    personal: Any = None,
    secret: bytes | None,
) -> Event:
    shown = unstructure(personal) if personal is not None else {}
    return Event(
        event_id(kind, *key, secret=secret),
        kind,
        at,
        unit,
        summary,
        FrozenDict.adopt(unstructure(data)),
        {k: v for k, v in shown.items() if v},
    )


def roster_published(
    *,
    roster: str,
    version: int,
    unit: str,
    at: dt.datetime,
    shifts: int = 0,
    secret: bytes | None = None,
) -> Event:
    """Version ``version`` of roster ``roster`` for ``unit`` was published (``secret``:
    the id is keyed; see the module's note)."""
    return _event(
        EventKind.ROSTER_PUBLISHED,
        (roster, version),
        at=at,
        unit=unit,
        summary=f"roster {roster} version {version} published",
        data=rec.RosterPublishedFacts(roster, version, shifts),
        secret=secret,
    )


def shift_starting(
    *,
    roster: str,
    post: str,
    start: dt.datetime,
    unit: str,
    at: dt.datetime,
    team: str = "",
    leader_name: str = "",
    secret: bytes,
) -> Event:
    """A shift at ``post`` starts soon (at ``start``); the id is keyed by ``secret``
    (the team may be a person)."""
    return _event(
        EventKind.SHIFT_STARTING,
        (roster, post, start.isoformat(), team),
        at=at,
        unit=unit,
        summary=f"shift at {post} starts {start.isoformat()}",
        data=rec.ShiftStartingFacts(roster, post, start, team),
        personal=rec.ShiftStartingPersonal(leader_name),
        secret=secret,
    )


def coverage_below(
    *,
    sweep: str,
    unit: str,
    coverage: float,
    threshold: float,
    at: dt.datetime,
    secret: bytes | None = None,
) -> Event:
    """Sweep coverage of ``unit`` is below ``threshold`` (both fractions in [0, 1]).

    One occurrence per sweep, unit and threshold: telling it again is the same event.
    """
    return _event(
        EventKind.COVERAGE_BELOW,
        (sweep, unit, threshold),
        at=at,
        unit=unit,
        summary=f"coverage {coverage:.1%} is below {threshold:.0%} in sweep {sweep}",
        data=rec.CoverageBelowFacts(sweep, coverage, threshold),
        secret=secret,
    )


def follow_up_overdue(
    *,
    household: str,
    unit: str,
    due: dt.datetime,
    at: dt.datetime,
    resident_name: str = "",
    resident_id_number: str = "",
    health: str = "",
    secret: bytes,
) -> Event:
    """The daily follow-up of ``household`` due at ``due`` has not been done; the id
    is keyed by ``secret`` (the household is an isolated or vulnerable resident's)."""
    return _event(
        EventKind.FOLLOW_UP_OVERDUE,
        (household, due.isoformat()),
        at=at,
        unit=unit,
        summary=f"follow-up of household {household} overdue since {due.isoformat()}",
        data=rec.FollowUpOverdueFacts(household, due),
        personal=rec.FollowUpOverduePersonal(resident_name, resident_id_number, health),
        secret=secret,
    )


def rule_violation(
    *,
    roster: str,
    rule: str,
    unit: str,
    at: dt.datetime,
    detail: str = "",
    person_name: str = "",
    secret: bytes,
) -> Event:
    """Roster ``roster`` breaks rule ``rule``; the id is keyed by ``secret``.

    ``detail`` goes into the summary, which no channel masks: word it without
    names (from :func:`gridgov.duty.privacy.masked`, as
    :func:`gridgov.duty.events.violation_events` does) and give the person's
    name as ``person_name``, which is masked per channel.
    """
    # the id is keyed (HMAC under the workspace secret) and derived from what the
    # summary already shows, never from the person's name: without the secret
    # nothing can be recovered by guessing names, ids or wordings into it
    return _event(
        EventKind.RULE_VIOLATION,
        (roster, rule, detail),
        at=at,
        unit=unit,
        summary=f"roster {roster} breaks rule {rule}" + (f": {detail}" if detail else ""),
        data=rec.RuleViolationFacts(roster, rule),
        personal=rec.RuleViolationPersonal(person_name),
        secret=secret,
    )


def visit_rejected(
    *, visit: str, household: str, unit: str, reason: str, at: dt.datetime, secret: bytes
) -> Event:
    """A recorded visit was not accepted (unknown household or sweep, conflicting record);
    the id is keyed by ``secret`` (visits are residents' data)."""
    return _event(
        EventKind.VISIT_REJECTED,
        (visit, reason),
        at=at,
        unit=unit,
        summary=f"visit {visit} to {household} rejected: {reason}",
        data=rec.VisitRejectedFacts(visit, household, reason),
        secret=secret,
    )


__all__ = [
    "FACTS",
    "PERSONAL",
    "Event",
    "EventKind",
    "coverage_below",
    "event_id",
    "facts",
    "follow_up_overdue",
    "mask_personal",
    "payload",
    "personal_view",
    "render",
    "roster_published",
    "rule_violation",
    "shift_starting",
    "visit_rejected",
]
