"""Roster exports: a CSV table, one iCalendar file per team, a printable HTML page.

Personal names (resources of kind ``person``) are masked unless ``mask=False``.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from gridgov.duty.export.csv import roster_table_csv
from gridgov.duty.export.html import roster_html
from gridgov.duty.model import Problem, Roster
from gridgov.fsutil import atomic_write_bytes, atomic_write_text

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def calendar_file_name(resource_id: str) -> str:
    """A safe file name for a resource's calendar."""
    return (_UNSAFE.sub("_", resource_id).strip("._") or "resource") + ".ics"


def write_export(
    problem: Problem,
    roster: Roster,
    to: str,
    out: Path,
    *,
    mask: bool = True,
    now: dt.datetime | None = None,
    raw: bool = False,
) -> list[Path]:
    """Write ``to`` (``csv``, ``html``: the file ``out``; ``ics``: one file a team in ``out``).

    ``raw`` turns off CSV-injection neutralising of the CSV (:mod:`gridgov.csvsafe`).
    """
    if to == "csv":
        atomic_write_text(out, roster_table_csv(problem, roster, mask=mask, raw=raw))
        return [out]
    if to == "html":
        atomic_write_text(out, roster_html(problem, roster, mask=mask))
        return [out]
    if to == "ics":
        from gridgov.duty.export.ics import team_calendars

        stamp = now or dt.datetime.now(dt.UTC)
        written = []
        for rid, data in team_calendars(problem, roster, now=stamp, mask=mask).items():
            path = out / calendar_file_name(rid)
            atomic_write_bytes(path, data)
            written.append(path)
        return written
    raise ValueError(f"unknown export {to!r} (csv, ics, html)")


__all__ = ["calendar_file_name", "roster_html", "roster_table_csv", "write_export"]
