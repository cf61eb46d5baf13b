"""Rosters as CSV: ``employee,day,shift`` (the benchmark's form) or with ``post`` too."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from gridgov.duty.model import Assignment, Problem, Roster
from gridgov.errors import InvalidInput, SourceProblem
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
    errors: list[SourceProblem] = []
    if first is None:
        raise InvalidInput(
            [SourceProblem("empty file: expected a header employee,day,shift", file=file)]
        )
    cols = [h.strip().lower() for h in first[1]]
    errors += header_errors(cols, file=file)
    for need in ("employee", "day", "shift"):
        if need not in cols:
            errors.append(SourceProblem(f"missing column {need!r}", field=need, row=1, file=file))
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
            bad(SourceProblem(f"expected {len(cols)} columns, got {len(row)}", row=n, file=file))
            continue
        try:
            day = parse_int(row[idy].strip())
        except NumberError:
            bad(SourceProblem(f"expected a day index, got {row[idy][:40]!r}", "day", n, file))
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


def coverage_gaps(problem: Problem, roster: Roster) -> list[str]:
    """How ``roster`` falls short of a complete roster of ``problem``, one sentence each.

    A complete roster (what ``gridgov roster solve`` writes, what a planner
    publishes) has someone on duty on every day of the horizon on which some
    post needs staff (a need with a minimum or a target above 0), and someone
    at every post that needs staff at all. A roster cut short (a file
    truncated after day k, a post's rows lost) misses one or the other; an
    understaffed shift does not count here (``gridgov roster check`` scores it).
    """
    from gridgov.duty.compiled import compile_problem

    cp = compile_problem(problem)
    single = cp.post_ids[0] if cp.P == 1 else None
    wanted_days: list[int] = []
    wanted_posts: set[int] = set()
    for d in range(cp.D):
        day_wanted = False
        for row in cp.need[d]:
            for p, need in enumerate(row):
                if need is not None and (need.min > 0 or need.target > 0):
                    day_wanted = True
                    wanted_posts.add(p)
        if day_wanted:
            wanted_days.append(d)
    days = {a.day for a in roster.assignments}
    posts = {a.post or single for a in roster.assignments}
    gaps: list[str] = []
    missing = [d for d in wanted_days if d not in days]
    if missing:
        shown = ", ".join(str(d) for d in missing[:10]) + (", ..." if len(missing) > 10 else "")
        gaps.append(
            f"no one on duty on {len(missing)} of the {len(wanted_days)} days that need staff"
            f" (day {shown} of 0..{cp.D - 1})"
        )
    unstaffed = [cp.post_ids[p] for p in sorted(wanted_posts) if cp.post_ids[p] not in posts]
    if unstaffed:
        shown = ", ".join(repr(p) for p in unstaffed[:10]) + (
            ", ..." if len(unstaffed) > 10 else ""
        )
        gaps.append(f"no one on duty at {len(unstaffed)} posts that need staff ({shown})")
    return gaps
