"""A printable HTML table: posts down, days across, who works each shift; nights marked.

Every text from the problem (names, posts, shifts) is HTML-escaped.
"""

from __future__ import annotations

from html import escape

from gridgov.duty.export.common import display_name
from gridgov.duty.model import Problem, Roster

_STYLE = """
body{font-family:sans-serif;font-size:11px}
table{border-collapse:collapse}
th,td{border:1px solid #999;padding:2px 4px;vertical-align:top}
td.night,span.night{background:#223;color:#fff}
@media print{th{background:#eee}}
"""


def roster_html(problem: Problem, roster: Roster, *, mask: bool = True, title: str = "") -> str:
    """The roster as one HTML page; night shifts carry ``class="night"`` and a moon sign."""
    res = {r.id: r for r in problem.resources}
    shifts = {s.id: s for s in problem.shifts}
    order = {s.id: i for i, s in enumerate(problem.shifts)}
    cells: dict[tuple[str, int], dict[str, list[str]]] = {}
    for a in roster.assignments:
        cells.setdefault((a.post, a.day), {}).setdefault(a.shift, []).append(
            display_name(res[a.resource], mask=mask)
        )
    days = range(problem.horizon.days)
    head = "".join(f"<th>{escape(problem.horizon.date(d).strftime('%a %d %b'))}</th>" for d in days)
    title = title or problem.name or "Duty roster"
    lines = [
        "<!DOCTYPE html>",
        '<html><head><meta charset="utf-8">',
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f"<p>{escape(problem.horizon.start.isoformat())}, {problem.horizon.days} days, "
        f'{len(roster)} shifts. <span class="night">☾ night</span></p>',
        f"<table><thead><tr><th>post</th>{head}</tr></thead><tbody>",
    ]
    for post in problem.posts:
        row = [f"<th>{escape(post.label)}</th>"]
        for d in days:
            by_shift = cells.get((post.id, d), {})
            parts = []
            night = False
            for sid in sorted(by_shift, key=lambda x: order.get(x, 0)):
                s = shifts[sid]
                night = night or s.night
                mark = "☾ " if s.night else ""
                names = ", ".join(escape(n) for n in sorted(by_shift[sid]))
                cls = ' class="night"' if s.night else ""
                parts.append(f"<div{cls}>{mark}<b>{escape(s.label)}</b>: {names}</div>")
            row.append(f"<td>{''.join(parts)}</td>")
        lines.append(f"<tr>{''.join(row)}</tr>")
    lines.append("</tbody></table></body></html>")
    return "\n".join(lines) + "\n"
