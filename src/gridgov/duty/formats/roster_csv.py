"""Rosters as CSV: ``employee,day,shift`` (the benchmark's form) or with ``post`` too."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from gridgov.duty.model import Assignment, Roster
from gridgov.errors import InvalidInput, SourceError
from gridgov.numbers import NumberError, parse_int


def roster_csv_text(roster: Roster, *, with_post: bool = True) -> str:
    """``employee,day,shift,post`` rows sorted by employee and day.

    ``with_post=False`` writes the benchmark's ``employee,day,shift`` (for a
    problem with one post, which :func:`parse_roster_csv` fills back in).
    """
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["employee", "day", "shift", "post"] if with_post else ["employee", "day", "shift"])
    for a in roster.sorted().assignments:
        w.writerow(
            [a.resource, a.day, a.shift, a.post] if with_post else [a.resource, a.day, a.shift]
        )
    return buf.getvalue()


def parse_roster_csv(text: str, *, file: str | None = None, post: str = "") -> Roster:
    """Read ``employee,day,shift[,post]``; rows without a post get ``post``.

    Every error at once (the command line prints the first 100 and a count); a
    column named twice, an unterminated quote or a short row is an error naming its row.
    """
    from gridgov.csvrows import header_errors, records

    rows = records(io.StringIO(text, newline=""), file=file)
    first = next(rows, None)
    errors: list[SourceError] = []
    if first is None:
        raise InvalidInput(
            [SourceError("empty file: expected a header employee,day,shift", file=file)]
        )
    cols = [h.strip().lower() for h in first[1]]
    errors += header_errors(cols, file=file)
    for need in ("employee", "day", "shift"):
        if need not in cols:
            errors.append(SourceError(f"missing column {need!r}", field=need, row=1, file=file))
    if errors:
        raise InvalidInput(errors)
    ie, idy, ish = cols.index("employee"), cols.index("day"), cols.index("shift")
    ip = cols.index("post") if "post" in cols else None
    out: list[Assignment] = []
    bad = errors.append

    for n, row in rows:
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) != len(cols):
            bad(SourceError(f"expected {len(cols)} columns, got {len(row)}", row=n, file=file))
            continue
        try:
            day = parse_int(row[idy].strip())
        except NumberError:
            bad(SourceError(f"expected a day index, got {row[idy][:40]!r}", "day", n, file))
            continue
        p = row[ip].strip() if ip is not None else post
        out.append(Assignment(row[ie].strip(), day, row[ish].strip(), p or post))
    if errors:
        raise InvalidInput(errors)
    return Roster(tuple(out))


def read_roster_csv(path: str | Path, *, post: str = "") -> Roster:
    """Read a roster CSV file (see :func:`parse_roster_csv`)."""
    p = Path(path)
    from gridgov.utf8 import read_utf8

    return parse_roster_csv(read_utf8(p), file=str(p), post=post)
