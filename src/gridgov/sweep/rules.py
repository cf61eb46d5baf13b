"""The rules of sweep coverage, in one place: outcome codes, time zones, validity.

**Reached.** A household is *reached* when at least one accepted visit has the
outcome ``verified`` or ``partly-verified`` (the door was answered and the
household registered). Only ``verified`` takes it off the re-visit queue.

**Status.** A household's status is ``verified`` if any visit verified it, else
``partly-verified`` if any visit partly verified it, else the outcome of its
*latest* visit (by time, then by visit id for a tie) among ``not-at-home``,
``refused``, ``vacant-confirmed`` and ``no-access``, else ``not visited``. The
status is a function of the *set* of accepted visits, so arrival order never
matters.

**Confirmed invalid.** A household leaves the target when it is not reached and
either its status is ``vacant-confirmed`` (a visitor confirmed the dwelling is
empty) or the register says it is ``moved-out`` or ``commercial``. A register
entry of ``vacant`` is only *believed* vacant: it stays in the target until a
visit confirms it. A household that is reached is always valid, whatever the
register says. Target = planned + discovered − confirmed invalid.

**Time zones.** A sweep whose window (``start``/``end``) carries a UTC offset is
*aware*: visit times with an offset are compared as instants, and naive visit
times are read in the zone of ``sweep.start``. A sweep with a naive window is
*naive*: its visits must be naive too, and a visit time with an offset is
rejected with a reason (it cannot be placed in a window without a zone). The
window is inclusive at both ends. ``start`` and ``end`` must agree (both naive
or both aware).
"""

from __future__ import annotations

import datetime as dt

import attrs

from gridgov.sweep.model import Occupancy, Outcome, Sweep

VERIFIED, PARTLY, NOT_AT_HOME, REFUSED, VACANT, NO_ACCESS = range(6)
NOT_VISITED = 6
"""Status code of a household without any accepted visit."""

CODE_OUTCOMES: tuple[Outcome, ...] = (
    Outcome.VERIFIED,
    Outcome.PARTLY_VERIFIED,
    Outcome.NOT_AT_HOME,
    Outcome.REFUSED,
    Outcome.VACANT_CONFIRMED,
    Outcome.NO_ACCESS,
)
OUTCOME_CODES: dict[Outcome, int] = {o: i for i, o in enumerate(CODE_OUTCOMES)}
TEXT_CODES: dict[str, int] = {o.value: i for i, o in enumerate(CODE_OUTCOMES)}
STATUS_NAMES: tuple[str, ...] = (*(o.value for o in CODE_OUTCOMES), "not-visited")
CODE_BY_ID: dict[int, int] = {id(o): i for i, o in enumerate(CODE_OUTCOMES)}


def code_of(outcome: Outcome) -> int:
    """The integer code of an outcome (members are singletons: looked up by identity)."""
    return CODE_BY_ID[id(outcome)]


REACHING = frozenset({VERIFIED, PARTLY})
INVALID_OCCUPANCY = frozenset({Occupancy.MOVED_OUT, Occupancy.COMMERCIAL})

EARLIEST = -(2**62)
"""Sentinel "no time yet" for running maxima (microseconds)."""
LATEST = 2**62
"""Sentinel "no time yet" for running minima (microseconds)."""

_ONE_US = dt.timedelta(microseconds=1)
_EPOCH_AWARE = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_EPOCH_NAIVE = dt.datetime(1970, 1, 1)

REASON_UNKNOWN_HOUSEHOLD = "unknown household"
REASON_OUT_OF_SCOPE = "household outside the sweep's scope"
REASON_BEFORE = "before the sweep's window"
REASON_AFTER = "after the sweep's window"
REASON_OTHER_SWEEP = "belongs to another sweep"
REASON_AWARE_IN_NAIVE = "time has a UTC offset but the sweep's window is naive"
TIME_REASONS = frozenset({REASON_BEFORE, REASON_AFTER, REASON_AWARE_IN_NAIVE})


@attrs.frozen
class TimeRule:
    """How visit times are placed on one time line for a sweep (see the module docs).

    Times become integers: microseconds since 1970-01-01 (UTC for an aware sweep,
    the naive epoch for a naive one), which compare and subtract exactly.
    """

    zone: dt.tzinfo | None
    start_us: int
    end_us: int

    @classmethod
    def of(cls, sweep: Sweep) -> TimeRule:
        """The rule for ``sweep``; ``ValueError`` when its window mixes naive and aware."""
        a, b = sweep.start, sweep.end
        if (a.tzinfo is None) != (b.tzinfo is None):
            raise ValueError(
                f"sweep {sweep.id!r}: start and end must both be naive or both carry a UTC offset"
            )
        if b < a:
            raise ValueError(f"sweep {sweep.id!r}: end {b.isoformat()} is before start")
        zone = a.tzinfo
        rule = cls(zone, 0, 0)
        start, end = rule.to_us(a), rule.to_us(b)
        assert isinstance(start, int)
        assert isinstance(end, int)
        return cls(zone, start, end)

    def to_us(self, at: dt.datetime) -> int | str:
        """Microseconds on the sweep's time line, or the reason the time cannot be placed."""
        if self.zone is None:
            if at.tzinfo is not None:
                return REASON_AWARE_IN_NAIVE
            return (at - _EPOCH_NAIVE) // _ONE_US
        if at.tzinfo is None:
            at = at.replace(tzinfo=self.zone)
        return (at - _EPOCH_AWARE) // _ONE_US

    def place(self, at: dt.datetime) -> int | str:
        """Like :meth:`to_us`, and also the reason when outside the window."""
        t = self.to_us(at)
        if isinstance(t, str):
            return t
        if t < self.start_us:
            return REASON_BEFORE
        if t > self.end_us:
            return REASON_AFTER
        return t

    def from_us(self, t: int) -> dt.datetime:
        """The date-time of a point on the time line (in the sweep's zone when aware)."""
        if self.zone is None:
            return _EPOCH_NAIVE + dt.timedelta(microseconds=t)
        return (_EPOCH_AWARE + dt.timedelta(microseconds=t)).astimezone(self.zone)
