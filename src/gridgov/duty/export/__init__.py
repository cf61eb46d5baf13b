"""Roster exports: a CSV table, one iCalendar file per team, a printable HTML page.

Personal names (resources of kind ``person``) are masked unless ``mask=False``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

from gridgov.duty.export.csv import roster_table_csv
from gridgov.duty.export.html import roster_html
from gridgov.duty.model import Problem, Roster
from gridgov.fsutil import atomic_write_bytes, atomic_write_text

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_RESERVED = frozenset(
    ["con", "prn", "aux", "nul"] + [f"{d}{i}" for d in ("com", "lpt") for i in range(1, 10)]
)


def calendar_file_name(resource_id: str) -> str:
    """A safe file name for a resource's calendar, unique per resource id.

    The id itself when it is already a plain file name (ASCII letters, digits,
    ``.``, ``_``, ``-``; not starting with ``.``; at most 64 characters; not a
    Windows device name); otherwise the id with every other character run made
    ``_`` plus ``-`` and 8 hex digits of its SHA-256, so ``T/1`` and ``T_1``,
    or ``.`` and ``..``, get different files and none is written outside the
    folder.
    """
    plain = _UNSAFE.sub("_", resource_id).strip("._")[:64]
    if plain == resource_id and plain.lower() not in _RESERVED:
        return plain + ".ics"
    tag = hashlib.sha256(resource_id.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{plain or 'resource'}-{tag}.ics"


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
        calendars = team_calendars(problem, roster, now=stamp, mask=mask)
        names = {rid: calendar_file_name(rid) for rid in calendars}
        folded = [n.casefold() for n in names.values()]
        if len(set(folded)) != len(folded):  # "A" and "a" on a case-insensitive file system
            names = {rid: calendar_file_name("\0" + rid) for rid in calendars}
        for rid, data in calendars.items():
            path = out / names[rid]
            atomic_write_bytes(path, data)
            written.append(path)
        return written
    raise ValueError(f"unknown export {to!r} (csv, ics, html)")


__all__ = ["calendar_file_name", "roster_html", "roster_table_csv", "write_export"]
