"""One iCalendar file per team (or person): every shift as an event in the horizon's zone."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote
from zoneinfo import ZoneInfo

from icalendar import Calendar, Component, Event

from gridgov.duty.export.common import display_name, shift_times
from gridgov.duty.model import Assignment, Problem, Roster


def event_uid(resource: str, date: dt.date, shift: str, post: str) -> str:
    """The iCalendar UID of one shift: ``RESOURCE/DATE/SHIFT/POST@gridgov``, parts escaped.

    Each part is percent-encoded (``/``, ``@``, ``%`` and anything outside
    ASCII letters, digits and ``-._~``), so two different shifts never share a
    UID and the same shift keeps it in every export.
    """
    parts = (resource, date.isoformat(), shift, post)
    return "/".join(quote(p, safe="") for p in parts) + "@gridgov"


def team_calendars(
    problem: Problem, roster: Roster, *, now: dt.datetime, mask: bool = True
) -> dict[str, bytes]:
    """``{resource id: .ics bytes}`` for every resource with at least one shift.

    ``now`` is the calendar's time stamp (DTSTAMP); event UIDs are stable, so a
    re-export updates the same events in the team's calendar app, and unique
    per real shift (:func:`event_uid`: resource, *date*, shift, post), so the
    events of two horizons never overwrite each other.
    """
    zone = ZoneInfo(problem.horizon.timezone)
    res = {r.id: r for r in problem.resources}
    shifts = {s.id: s for s in problem.shifts}
    posts = {p.id: p for p in problem.posts}
    stamp = now.astimezone(dt.UTC)
    by_res: dict[str, list[Assignment]] = {}
    for a in sorted(roster.assignments):
        by_res.setdefault(a.resource, []).append(a)
    out: dict[str, bytes] = {}
    zones: list[Component] | None = None  # the horizon's VTIMEZONE, made once (costly)
    for rid, items in by_res.items():
        cal = Calendar()
        cal.add("prodid", "-//gridgov//duty roster//EN")
        cal.add("version", "2.0")
        cal.add("x-wr-calname", f"Duty: {display_name(res[rid], mask=mask)}")
        for a in items:
            s = shifts[a.shift]
            start, end = shift_times(problem, s, a.day)
            post = posts[a.post].label if a.post in posts else a.post
            ev = Event()
            ev.add("uid", event_uid(rid, problem.horizon.date(a.day), a.shift, a.post))
            ev.add("dtstamp", stamp)
            ev.add("dtstart", start.replace(tzinfo=zone))
            ev.add("dtend", end.replace(tzinfo=zone))
            ev.add("summary", f"{s.label}{' (night)' if s.night else ''} duty at {post}")
            ev.add("location", post)
            cal.add_component(ev)
        if hasattr(cal, "add_missing_timezones"):  # icalendar >= 6: embed VTIMEZONE
            if zones is None:
                cal.add_missing_timezones()
                zones = list(cal.walk("VTIMEZONE"))
            else:  # every calendar uses the one zone: the same components, first
                cal.subcomponents[0:0] = zones
        out[rid] = cal.to_ical()
    return out
