"""Daily follow-up of home-isolated and vulnerable residents.

A resident is *due* on a day when an isolation episode covers it (``start`` to
``end`` inclusive) or when the resident is elderly, disabled or homeless (due
every day). A resident is *seen* on a day when an accepted visit to their
household that day has a reaching outcome (verified or partly verified) and
either lists them in ``residents_seen`` or lists nobody with the outcome
``verified`` (the whole household was seen). A visit's day is its date in
``zone`` (aware times are converted; naive times are taken as they are).
Visits count by the intake's policy (:mod:`gridgov.sweep.intake`): repeats of
one id count once, and an id whose uploads disagree (a conflict, e.g.
verified versus refused) counts not at all until it is resolved — as in
coverage (:func:`counted_visits`).

Time since last seen, on the day of the report, falls in the buckets ``1``
(seen that day or the day before), ``2``, ``3``, ``>3`` (days) and ``never``.
An isolation episode is *complete* only when there is a check on its last day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

import attrs

from gridgov.sweep.intake import VisitKey, counted_version, digest, identity
from gridgov.sweep.model import Outcome, Resident, Visit

BUCKETS = ("1", "2", "3", ">3", "never")
_ONE_DAY = dt.timedelta(days=1)


def _flags(r: Resident) -> bool:
    return r.elderly or r.disabled or r.homeless


def is_due(resident: Resident, day: dt.date) -> bool:
    """Whether ``resident`` needs a check on ``day``."""
    if _flags(resident):
        return True
    iso = resident.isolation
    return iso is not None and iso.start <= day <= iso.end


def _instant(at: dt.datetime) -> int | None:
    if at.tzinfo is None:
        return None
    delta = at - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def counted_visits(
    visits: Iterable[Visit], *, resolutions: Mapping[str, str] | None = None
) -> list[Visit]:
    """The visits that count, one per id, by the intake's identity and counting policy.

    ``resolutions`` maps a visit id to the digest of the version kept
    (:func:`gridgov.sweep.intake.digest`), as for coverage.
    """
    groups: dict[str, dict[VisitKey, Visit]] = {}
    for v in visits:
        groups.setdefault(v.id, {}).setdefault(identity(v, _instant(v.at)), v)
    kept = resolutions or {}
    out = []
    for vid, group in groups.items():
        keys = list(group)
        if vid in kept:
            by_digest = {digest(k): k for k in keys}
            choice = counted_version(list(by_digest), kept[vid])
            found = by_digest.get(choice) if isinstance(choice, str) else None
        else:
            got = counted_version(keys)
            found = got if isinstance(got, tuple) else None
        if found is not None:
            out.append(group[found])
    return out


def seen_days(
    residents: Iterable[Resident], visits: Iterable[Visit], *, zone: dt.tzinfo | None = None
) -> dict[str, set[dt.date]]:
    """For every resident id, the days they were seen (see the module docs)."""
    members: dict[str, list[str]] = {}
    ids: set[str] = set()
    for r in residents:
        members.setdefault(r.household, []).append(r.id)
        ids.add(r.id)
    out: dict[str, set[dt.date]] = {rid: set() for rid in ids}
    for v in counted_visits(visits):
        if v.outcome not in (Outcome.VERIFIED, Outcome.PARTLY_VERIFIED):
            continue
        at = v.at
        if zone is not None and at.tzinfo is not None:
            at = at.astimezone(zone)
        day = at.date()
        here = members.get(v.household, ())
        if v.residents_seen:
            for rid in v.residents_seen:
                if rid in here:
                    out[rid].add(day)
        elif v.outcome is Outcome.VERIFIED:
            for rid in here:
                out[rid].add(day)
    return out


@attrs.frozen
class DayFollowUp:
    """Due versus seen on one day."""

    day: dt.date
    due: int
    seen: int
    missed: tuple[str, ...]
    """Ids of residents due that day and not seen."""

    @property
    def compliance(self) -> float:
        """``seen / due`` (1.0 when nobody was due)."""
        return self.seen / self.due if self.due else 1.0


@attrs.frozen
class Episode:
    """One isolation episode and how it was followed."""

    resident: str
    start: dt.date
    end: dt.date
    checked_days: int
    missed_days: tuple[dt.date, ...]
    complete: bool
    """True only when the resident was seen on the episode's last day."""


@attrs.frozen
class FollowUpReport:
    """Daily follow-up of a set of residents over a range of days."""

    days: tuple[DayFollowUp, ...]
    last_seen: dict[str, int]
    """Residents due on the report day, by time-since-last-seen bucket (:data:`BUCKETS`)."""
    overdue: tuple[str, ...]
    """Residents due on the report day and not seen for more than one day (or never)."""
    episodes: tuple[Episode, ...]


def _bucket(last: dt.date | None, day: dt.date) -> str:
    if last is None:
        return "never"
    gap = (day - last).days
    if gap <= 1:
        return "1"
    if gap <= 3:
        return str(gap)
    return ">3"


def follow_up(
    residents: Sequence[Resident],
    visits: Iterable[Visit],
    first_day: dt.date,
    last_day: dt.date,
    *,
    zone: dt.tzinfo | None = None,
) -> FollowUpReport:
    """Due versus seen for each day from ``first_day`` to ``last_day``; buckets on ``last_day``.

    Only visits up to ``last_day`` count, so the report is what a coordinator
    could know at the end of that day.
    """
    if last_day < first_day:
        raise ValueError("last_day is before first_day")
    seen = seen_days(residents, visits, zone=zone)
    for days in seen.values():
        for d in [d for d in days if d > last_day]:
            days.discard(d)
    out_days = []
    day = first_day
    while day <= last_day:
        due = [r.id for r in residents if is_due(r, day)]
        missed = tuple(rid for rid in due if day not in seen[rid])
        out_days.append(DayFollowUp(day, len(due), len(due) - len(missed), missed))
        day += _ONE_DAY
    buckets = dict.fromkeys(BUCKETS, 0)
    overdue = []
    for r in residents:
        if not is_due(r, last_day):
            continue
        last = max(seen[r.id], default=None)
        b = _bucket(last, last_day)
        buckets[b] += 1
        if b != "1":
            overdue.append(r.id)
    episodes = []
    for r in residents:
        iso = r.isolation
        if iso is None or iso.start > last_day:
            continue
        span_end = min(iso.end, last_day)
        missed_days = []
        checked = 0
        d = iso.start
        while d <= span_end:
            if d in seen[r.id]:
                checked += 1
            else:
                missed_days.append(d)
            d += _ONE_DAY
        episodes.append(
            Episode(r.id, iso.start, iso.end, checked, tuple(missed_days), iso.end in seen[r.id])
        )
    return FollowUpReport(tuple(out_days), buckets, tuple(overdue), tuple(episodes))
