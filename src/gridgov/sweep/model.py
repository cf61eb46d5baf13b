"""Values of the sweep domain: households, residents, sweeps and visits.

All are frozen attrs classes that round-trip through :mod:`gridgov.serialize`.
Names and ID numbers of residents are personal data: exporters mask them by
default (:mod:`gridgov.privacy`).
"""

from __future__ import annotations

import datetime as dt
import enum

import attrs

_str = attrs.validators.instance_of(str)


class Occupancy(enum.Enum):
    """What a household (a dwelling) is used for."""

    PERMANENT = "permanent"
    RENTAL = "rental"
    VACANT = "vacant"
    COMMERCIAL = "commercial"
    MOVED_OUT = "moved-out"


class Outcome(enum.Enum):
    """The result of one visit to a household."""

    VERIFIED = "verified"
    PARTLY_VERIFIED = "partly-verified"
    NOT_AT_HOME = "not-at-home"
    REFUSED = "refused"
    VACANT_CONFIRMED = "vacant-confirmed"
    NO_ACCESS = "no-access"


@attrs.frozen
class Household:
    """A dwelling in a building (a unit of the hierarchy)."""

    id: str = attrs.field(validator=_str)
    building: str = attrs.field(validator=_str)
    floor: int | None = None
    door: str = ""
    occupancy: Occupancy = Occupancy.PERMANENT
    discovered: bool = False
    """True when the household was not on the plan and was found during a sweep."""


@attrs.frozen
class Returnee:
    """A resident who returned from elsewhere (e.g. a risk area)."""

    origin: str
    arrival: dt.date


@attrs.frozen
class Isolation:
    """A home-isolation episode: ``start`` to ``end`` inclusive."""

    start: dt.date
    end: dt.date


@attrs.frozen
class Resident:
    """A person registered in a household, with the flags that drive follow-up."""

    id: str = attrs.field(validator=_str)
    household: str = attrs.field(validator=_str)
    name: str = ""
    id_number: str = ""
    returnee: Returnee | None = None
    isolation: Isolation | None = None
    elderly: bool = False
    disabled: bool = False
    homeless: bool = False
    tags: tuple[str, ...] = ()


@attrs.frozen
class Sweep:
    """A sweep campaign over the subtree of ``scope`` during ``[start, end]``."""

    id: str = attrs.field(validator=_str)
    scope: str = attrs.field(validator=_str)
    start: dt.datetime
    end: dt.datetime
    purpose: str = ""


@attrs.frozen
class Visit:
    """One knock on one door. Idempotent by ``id``: the same id counts once."""

    id: str = attrs.field(validator=_str)
    sweep: str = attrs.field(validator=_str)
    household: str = attrs.field(validator=_str)
    at: dt.datetime
    visitor: str = ""
    outcome: Outcome = Outcome.VERIFIED
    persons_seen: int = 0
    persons_registered: int = 0
    note: str = ""
    returnees: int = 0
    """Returnees (e.g. from risk areas) registered on this visit."""
    residents_seen: tuple[str, ...] = ()
    """Ids of the residents seen, for daily follow-up; empty with a ``verified`` outcome
    means everybody registered in the household was seen."""
