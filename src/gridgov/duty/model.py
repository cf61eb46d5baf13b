"""Values of the duty domain: shift types, posts, resources, the problem and the roster.

Every class is a frozen attrs value that round-trips through
:mod:`gridgov.serialize`. Days are 0-based indexes into the planning
:class:`Horizon`; ``Horizon.date(day)`` gives the calendar date.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from typing import Any

import attrs

from gridgov.frozen import FrozenDict, frozen_dict
from gridgov.values import AttrValue

_str = attrs.validators.instance_of(str)
_nonneg = attrs.validators.ge(0)


def _opt_nonneg(_inst: Any, attr: Any, value: Any) -> None:
    if value is not None and (not isinstance(value, int) or value < 0):
        raise ValueError(f"{attr.name} must be a whole number >= 0 or empty, got {value!r}")


@attrs.frozen
class ShiftType:
    """A kind of shift: ``start`` local time, ``minutes`` long; may cross midnight.

    ``forbidden_next`` lists the shift types that may not be worked on the day
    after this one (e.g. no early shift after a night).
    """

    id: str = attrs.field(validator=_str)
    minutes: int = attrs.field(
        validator=[attrs.validators.instance_of(int), attrs.validators.gt(0)]
    )
    start: dt.time = dt.time(8, 0)
    night: bool = False
    name: str = ""
    forbidden_next: tuple[str, ...] = ()

    @property
    def start_minute(self) -> int:
        """Minutes after midnight at which the shift starts."""
        return self.start.hour * 60 + self.start.minute

    @property
    def label(self) -> str:
        """A name for people: ``name`` or the id."""
        return self.name or self.id


MAX_HORIZON_DAYS = 3660
"""The longest planning horizon, in days (ten years)."""


def _time_zone(instance: object, attribute: object, value: object) -> None:
    """An IANA time zone name that :class:`zoneinfo.ZoneInfo` can load."""
    del instance, attribute
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if not isinstance(value, str):
        raise TypeError(f"timezone must be text, got {value!r}")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(
            f"unknown time zone {value[:60]!r} (an IANA name, e.g. Asia/Shanghai)"
        ) from None


@attrs.frozen
class Horizon:
    """The planning period: ``days`` days from ``start`` in time zone ``timezone``.

    ``days`` is 1 to :data:`MAX_HORIZON_DAYS` (ten years: a plan, not a
    calendar); ``timezone`` an IANA name the system knows (``Asia/Shanghai``);
    ``Mars/Olympus`` or ``../../etc/passwd`` is refused when the horizon is made.
    """

    start: dt.date
    days: int = attrs.field(
        validator=[
            attrs.validators.instance_of(int),
            attrs.validators.gt(0),
            attrs.validators.le(MAX_HORIZON_DAYS),
        ]
    )
    timezone: str = attrs.field(default="UTC", validator=_time_zone)

    def date(self, day: int) -> dt.date:
        """The calendar date of day index ``day``."""
        return self.start + dt.timedelta(days=day)

    def day_of(self, date: dt.date) -> int:
        """The day index of ``date`` (may be outside ``0..days-1``)."""
        return (date - self.start).days

    def is_weekend(self, day: int) -> bool:
        """True on Saturdays and Sundays."""
        return self.date(day).weekday() >= 5


@attrs.frozen
class StaffNeed:
    """Staff needed at a post on one shift type: hard ``min``/``max``, soft ``target``.

    ``days`` limits the need to some day indexes (empty: every day); a later
    need for the same shift and day replaces an earlier one. ``skills`` maps a
    skill to how many people with it must be on the shift; ``leader`` asks for a
    party member or cadre on every staffed shift.
    """

    shift: str = attrs.field(validator=_str)
    min: int = attrs.field(default=0, validator=_nonneg)
    max: int | None = attrs.field(default=None, validator=_opt_nonneg)
    target: int | None = attrs.field(default=None, validator=_opt_nonneg)
    weight_under: int = attrs.field(default=100, validator=_nonneg)
    weight_over: int = attrs.field(default=1, validator=_nonneg)
    skills: Mapping[str, int] = attrs.field(factory=FrozenDict, converter=frozen_dict)
    leader: bool = False
    days: tuple[int, ...] = ()


@attrs.frozen
class Post:
    """A checkpoint (or ward, desk...) at a unit of the hierarchy, with its staff needs."""

    id: str = attrs.field(validator=_str)
    name: str = ""
    kind: str = "checkpoint"
    unit: str | None = None
    needs: tuple[StaffNeed, ...] = ()

    @property
    def label(self) -> str:
        """A name for people: ``name`` or the id."""
        return self.name or self.id


@attrs.frozen
class Limits:
    """Per-resource limits; ``None`` means "use the problem's default" (or no limit).

    ``max_shifts`` caps the number of shifts of each type (0: never that type).
    """

    max_shifts: Mapping[str, int] = attrs.field(factory=FrozenDict, converter=frozen_dict)
    min_minutes: int | None = attrs.field(default=None, validator=_opt_nonneg)
    max_minutes: int | None = attrs.field(default=None, validator=_opt_nonneg)
    max_consecutive: int | None = attrs.field(default=None, validator=_opt_nonneg)
    min_consecutive: int | None = attrs.field(default=None, validator=_opt_nonneg)
    min_days_off: int | None = attrs.field(default=None, validator=_opt_nonneg)
    max_weekends: int | None = attrs.field(default=None, validator=_opt_nonneg)
    min_rest_minutes: int | None = attrs.field(default=None, validator=_opt_nonneg)

    def over(self, base: Limits) -> Limits:
        """These limits with ``base`` filling what is unset (``max_shifts`` merged)."""
        merged = {**base.max_shifts, **self.max_shifts}
        values = {
            a.name: getattr(self, a.name)
            if getattr(self, a.name) is not None
            else getattr(base, a.name)
            for a in attrs.fields(Limits)
            if a.name != "max_shifts"
        }
        return Limits(max_shifts=merged, **values)


@attrs.frozen
class ShiftRequest:
    """A wish: work ``shift`` on ``day`` (``on``) or not; ``weight`` is the penalty if ignored.

    ``shift=None`` with ``on=False`` asks for the whole day off.
    """

    day: int = attrs.field(validator=[attrs.validators.instance_of(int), _nonneg])
    shift: str | None = None
    weight: int = attrs.field(default=1, validator=_nonneg)
    on: bool = True


class ResourceKind(enum.Enum):
    """What a resource is: a ``person`` (named, masked in every output) or a ``team``."""

    PERSON = "person"
    TEAM = "team"


def resource_kind(value: object) -> str:
    """A resource kind read forgivingly (``Person``, ``PERSON``, `` person ``), as its value.

    Spelling follows :mod:`gridgov.spelling`; anything that is not a kind is a
    ``ValueError`` naming the accepted ones.
    """
    from gridgov.spelling import lookup_enum, unknown_message

    if isinstance(value, ResourceKind):
        return value.value
    if not isinstance(value, str):
        raise TypeError(f"kind must be text, got {value!r}")
    member = lookup_enum(ResourceKind, value)
    if member is None:
        raise ValueError(unknown_message(ResourceKind, value, "resource kind"))
    return member.value


@attrs.frozen
class Resource:
    """Who is rostered: a person or a team, with skills, standing, limits and availability."""

    id: str = attrs.field(validator=_str)
    name: str = ""
    kind: str = attrs.field(default="team", converter=resource_kind)
    """``person`` or ``team`` (:class:`ResourceKind`; read forgivingly)."""
    skills: tuple[str, ...] = ()
    party_member: bool = False
    cadre: bool = False
    home_unit: str | None = None
    limits: Limits = Limits()
    unavailable: tuple[int, ...] = ()
    requests: tuple[ShiftRequest, ...] = ()

    @property
    def label(self) -> str:
        """A name for people: ``name`` or the id."""
        return self.name or self.id

    @property
    def leader(self) -> bool:
        """True when this resource can lead a shift (a party member or a cadre)."""
        return self.party_member or self.cadre


@attrs.frozen
class RuleConfig:
    """A rule switched on in a problem: its registered ``name``, hard or soft, weight, params."""

    name: str = attrs.field(validator=_str)
    hard: bool = True
    weight: int = attrs.field(default=1, validator=_nonneg)
    params: Mapping[str, AttrValue] = attrs.field(factory=FrozenDict, converter=frozen_dict)


def _distinct_rules(instance: object, attribute: object, value: tuple[RuleConfig, ...]) -> None:
    """A rule with the same name and params twice would be scored twice: refuse it."""
    del instance, attribute
    seen: set[tuple[str, tuple[tuple[str, object], ...]]] = set()
    for rule in value:
        key = (rule.name, tuple(sorted(rule.params.items())))
        if key in seen:
            raise ValueError(
                f"rule {rule.name!r} is configured twice with the same params; keep one "
                "(set its hard/weight there)"
            )
        seen.add(key)


@attrs.frozen
class PlaceUnit:
    """One unit of the organisation tree as a bound problem carries it."""

    id: str = attrs.field(validator=_str)
    level: str = attrs.field(validator=_str)
    parent: str | None = None
    name: str = ""


@attrs.frozen
class Places:
    """The part of the organisation tree a problem's posts and resources sit in.

    ``units`` holds every unit a post or a resource names, with all its
    ancestors, parents before children (so the paths are complete); ``levels``
    is the tree's level scheme. :func:`gridgov.duty.on_tree` fills it in; the
    tree-aware rules (``locality``) read it, never a global tree.
    """

    levels: tuple[str, ...] = ()
    units: tuple[PlaceUnit, ...] = ()


@attrs.frozen
class Problem:
    """Everything needed to plan a roster.

    ``defaults`` are the limits of every resource unless its own say otherwise.
    ``rules`` lists the rules in force; when empty, :data:`DEFAULT_RULES` applies.
    ``places`` is set by :func:`gridgov.duty.on_tree` (the problem bound to a tree).
    """

    horizon: Horizon
    shifts: tuple[ShiftType, ...]
    posts: tuple[Post, ...]
    resources: tuple[Resource, ...]
    defaults: Limits = Limits()
    rules: tuple[RuleConfig, ...] = attrs.field(default=(), validator=_distinct_rules)
    name: str = ""
    places: Places | None = None


@attrs.frozen(order=True)
class Assignment:
    """``resource`` works ``shift`` at ``post`` on day index ``day``."""

    resource: str
    day: int
    shift: str
    post: str


@attrs.frozen
class Roster:
    """A set of assignments (the order carries no meaning)."""

    assignments: tuple[Assignment, ...] = ()

    def sorted(self) -> Roster:
        """The same roster with assignments sorted by resource, day, shift, post."""
        return Roster(tuple(sorted(self.assignments)))

    def __len__(self) -> int:
        return len(self.assignments)


DEFAULT_RULES: tuple[RuleConfig, ...] = (
    RuleConfig("unavailable"),
    RuleConfig("forbidden_succession"),
    RuleConfig("min_rest"),
    RuleConfig("max_consecutive"),
    RuleConfig("min_consecutive"),
    RuleConfig("min_days_off"),
    RuleConfig("max_shifts_per_type"),
    RuleConfig("total_minutes"),
    RuleConfig("max_weekends"),
    RuleConfig("shift_requests", hard=False),
    RuleConfig("cover"),
    RuleConfig("leadership"),
    RuleConfig("skills"),
)
"""The rules in force when a problem lists none (fairness and continuity are opt-in)."""
