"""A roster as a CSV table a coordinator can open: one row per shift worked."""

from __future__ import annotations

import csv
import io

from gridgov.csvsafe import neutralise_row
from gridgov.duty.export.common import display_name, shift_times
from gridgov.duty.model import Problem, Roster


def roster_table_csv(
    problem: Problem, roster: Roster, *, mask: bool = True, raw: bool = False
) -> str:
    """``resource,name,date,day,shift,start,end,night,post,post_name`` rows by date and post.

    Formula-like text cells get a leading ``'`` (:mod:`gridgov.csvsafe`) unless ``raw``.
    """
    res = {r.id: r for r in problem.resources}
    shifts = {s.id: s for s in problem.shifts}
    posts = {p.id: p for p in problem.posts}
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(
        ["resource", "name", "date", "day", "shift", "start", "end", "night", "post", "post_name"]
    )
    rows = sorted(roster.assignments, key=lambda a: (a.day, a.post, a.shift, a.resource))
    for a in rows:
        s = shifts[a.shift]
        start, end = shift_times(problem, s, a.day)
        w.writerow(
            neutralise_row(
                [
                    a.resource,
                    display_name(res[a.resource], mask=mask),
                    problem.horizon.date(a.day).isoformat(),
                    a.day,
                    a.shift,
                    start.isoformat(timespec="minutes"),
                    end.isoformat(timespec="minutes"),
                    "yes" if s.night else "no",
                    a.post,
                    posts[a.post].label if a.post in posts else a.post,
                ],
                raw=raw,
            )
        )
    return buf.getvalue()
