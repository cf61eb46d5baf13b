"""The report as one self-contained HTML page.

Everything is inline (styles, a few lines of script); a Content-Security-Policy
forbids every load from anywhere, so the page opens the same from a USB stick on
an offline laptop. Every text is HTML-escaped. Without script the page still
works (drill-down is ``<details>``); the script only adds expand/collapse
buttons and opens everything before printing.
"""

from __future__ import annotations

import datetime as dt
from html import escape

from gridgov import __version__
from gridgov.report.model import FollowUpSection, QueueSummary, Report, RosterGrid, UnitBar

CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"

_STYLE = """
:root{--ok:#2e7d32;--low:#c62828;--bar:#e0e0e0;--ink:#1b1b1b;--muted:#555;--night:#263047}
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans CJK SC",
sans-serif;color:var(--ink);margin:0 auto;padding:0 12px 32px;max-width:1100px;line-height:1.4}
header{border-bottom:2px solid var(--ink);margin-bottom:8px}
h1{font-size:1.5rem;margin:12px 0 4px}h2{font-size:1.2rem;margin:24px 0 8px}
.meta,.muted{color:var(--muted);font-size:.9rem}
nav a{margin-right:12px}
.controls button{font:inherit;margin:0 6px 6px 0;padding:4px 10px}
.unit{display:grid;grid-template-columns:minmax(8em,14em) 1fr 4.5em 7.5em;gap:6px;
align-items:center;padding:2px 0}
.unit .name{overflow-wrap:anywhere}.unit .pct{text-align:right;font-variant-numeric:tabular-nums}
.unit .n{color:var(--muted);font-size:.85rem;text-align:right}
.bar{position:relative;height:14px;background:var(--bar);border-radius:3px;overflow:hidden}
.bar>span{position:absolute;left:0;top:0;bottom:0;background:var(--ok)}
.bar>i{position:absolute;top:0;bottom:0;width:2px;background:var(--ink)}
.below .bar>span{background:var(--low)}.below .name::after{content:" \\25BC below";
color:var(--low);font-size:.8rem;font-weight:600}
.below .pct{color:var(--low);font-weight:700}
details.below-list{margin:0 0 8px;border:0;padding:0}
.tree details{margin-left:14px;border-left:1px dotted #bbb;padding-left:6px}
details>summary{cursor:pointer;list-style-position:outside}
.tree>.unit{margin-left:14px}
table{border-collapse:collapse;font-size:.9rem;margin:4px 0 12px}
th,td{border:1px solid #bbb;padding:3px 6px;text-align:left;vertical-align:top}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
.roster td{min-width:7.5em;font-size:.8rem}.roster th{font-size:.8rem;white-space:nowrap}
.shift{padding:1px 3px;margin:1px 0;border-radius:2px}
.shift.night{background:var(--night);color:#fff}
.shift.gap{outline:2px solid var(--low);background:#ffebee;color:var(--low);font-weight:600}
.shift.night.gap{background:#5c1a1a;color:#fff}
.badge{display:inline-block;padding:0 6px;border-radius:8px;background:#ffebee;color:var(--low);
font-weight:600}
.legend span{margin-right:12px}
@media (max-width:640px){
 .unit{grid-template-columns:1fr 3.8em;grid-template-areas:"name pct" "bar bar" "n n"}
 .unit .name{grid-area:name}.unit .pct{grid-area:pct}.unit .bar{grid-area:bar}
 .unit .n{grid-area:n;text-align:left}
 .tree details{margin-left:6px}
 body{padding:0 6px 24px}
}
@media print{
 nav,.controls{display:none}
 body{max-width:none;font-size:10pt}
 .scroll{overflow:visible}
 .bar{-webkit-print-color-adjust:exact;print-color-adjust:exact}
 .shift.night,.shift.gap{-webkit-print-color-adjust:exact;print-color-adjust:exact}
 section{break-inside:auto}h2{break-after:avoid}tr{break-inside:avoid}
}
"""

_SCRIPT = """
(function(){
  var all=function(open){document.querySelectorAll('details').forEach(function(d){d.open=open;});};
  var below=function(){document.querySelectorAll('.tree details').forEach(function(d){
    d.open=Array.prototype.some.call(d.children,function(c){
      return c.tagName!=='SUMMARY'&&(c.matches('.below')||c.querySelector('.below')!==null);
    });});};
  var bind=function(id,fn){
    var b=document.getElementById(id);if(b){b.addEventListener('click',fn);}};
  bind('expand',function(){all(true);});
  bind('collapse',function(){all(false);});
  bind('below',below);
  window.addEventListener('beforeprint',function(){all(true);});
  document.documentElement.classList.add('js');
})();
"""


def _pct(x: float) -> str:
    return f"{x:.1%}"


def _bar_row(bar: UnitBar, threshold: float, *, tag: str = "div") -> str:
    cls = "unit below" if bar.below else "unit"
    width = f"{min(max(bar.coverage, 0.0), 1.0) * 100:.1f}%"
    mark = f"{threshold * 100:.1f}%"
    return (
        f'<{tag} class="{cls}" id="u-{escape(bar.unit)}" data-unit="{escape(bar.unit)}" '
        f'data-level="{escape(bar.level)}">'
        f'<span class="name">{escape(bar.name)}</span>'
        f'<span class="bar" role="img" aria-label="{_pct(bar.coverage)} reached">'
        f'<span style="width:{width}"></span><i style="left:{mark}" title="threshold"></i></span>'
        f'<span class="pct">{_pct(bar.coverage)}</span>'
        f'<span class="n">{bar.reached:,} / {bar.target:,}</span>'
        f"</{tag}>"
    )


def _tree(bar: UnitBar, threshold: float) -> str:
    if not bar.children:
        return _bar_row(bar, threshold)
    inner = "".join(_tree(c, threshold) for c in bar.children)
    return f"<details><summary>{_bar_row(bar, threshold, tag='span')}</summary>{inner}</details>"


def _coverage(report: Report) -> str:
    top = report.coverage
    below = report.below
    parts = [
        '<section id="coverage"><h2>Coverage by unit</h2>',
        f'<p class="meta">Reached households per target household (verified or partly '
        f"verified, confirmed-invalid households left out), from "
        f"{escape(top.name)} down to each {escape(_deepest_level(top))}. The line in each bar "
        f"is the threshold, {_pct(report.threshold)}.</p>",
        '<div class="controls"><button type="button" id="expand">expand all</button>'
        '<button type="button" id="collapse">collapse all</button>'
        '<button type="button" id="below">open units below the threshold</button></div>',
    ]
    if below:
        per_level: dict[str, list[UnitBar]] = {}
        for b in top.walk():
            per_level.setdefault(b.level, []).append(b)
        counts = ", ".join(
            f"{sum(b.below for b in bars)} of {len(bars)} {escape(level)}"
            for level, bars in per_level.items()
            if level != top.level
        )
        links = ", ".join(
            f'<a href="#u-{escape(b.unit)}">{escape(b.name)}</a> ({_pct(b.coverage)})'
            for b in below
        )
        parts.append(
            f'<details class="below-list"><summary><span class="badge">{len(below)} units below '
            f"{_pct(report.threshold)}</span> {counts}</summary><p>{links}</p></details>"
        )
    else:
        parts.append(f"<p>No unit is below {_pct(report.threshold)}.</p>")
    parts.append(f'<div class="tree">{_bar_row(top, report.threshold)}')
    parts += [_tree(c, report.threshold) for c in top.children]
    parts.append("</div></section>")
    return "".join(parts)


def _deepest_level(bar: UnitBar) -> str:
    leaves = [b.level for b in bar.walk() if not b.children]
    return leaves[-1] if leaves else bar.level


def _duration(td: dt.timedelta) -> str:
    minutes = int(td.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    return (f"{days} d " if days else "") + f"{hours} h {minutes:02d} min"


def _queue(q: QueueSummary, report: Report) -> str:
    parts = [
        '<section id="queue"><h2>Re-visit queue</h2>',
        f"<p><strong>{q.total:,}</strong> target households still need a visit at "
        f"{escape(report.at.isoformat(timespec='minutes'))}.</p>",
    ]
    if q.total:
        parts.append(
            '<div class="scroll"><table><thead><tr><th>why</th>'
            '<th class="num">households</th></tr></thead><tbody>'
        )
        parts += [
            f'<tr><td>{escape(reason)}</td><td class="num">{n:,}</td></tr>'
            for reason, n in q.by_reason
        ]
        parts.append("</tbody></table></div>")
        parts.append(
            '<div class="scroll"><table><thead><tr><th>waiting</th>'
            '<th class="num">households</th></tr></thead><tbody>'
        )
        parts += [
            f'<tr><td>{escape(label)}</td><td class="num">{n:,}</td></tr>' for label, n in q.by_age
        ]
        parts.append("</tbody></table></div>")
    parts.append(
        '<div class="scroll"><table id="queue-by-unit"><thead><tr><th>unit</th>'
        '<th class="num">households to visit</th></tr></thead><tbody>'
    )
    parts += [
        f'<tr data-unit="{escape(u)}"><td>{escape(name)}</td><td class="num">{n:,}</td></tr>'
        for u, name, n in q.by_unit
    ]
    parts.append("</tbody></table></div>")
    if q.oldest:
        parts.append(
            f"<h3>Waiting longest ({len(q.oldest):,} of {q.total:,})</h3>"
            '<div class="scroll"><table id="queue-oldest"><thead><tr><th>household</th>'
            '<th>where</th><th>status</th><th class="num">visits</th><th>waiting</th>'
            "</tr></thead><tbody>"
        )
        parts += [
            f"<tr><td>{escape(r.household)}</td><td>{escape(' / '.join(r.place))}</td>"
            f'<td>{escape(r.reason)}</td><td class="num">{r.visits}</td>'
            f"<td>{escape(_duration(r.age))}</td></tr>"
            for r in q.oldest
        ]
        parts.append("</tbody></table></div>")
    parts.append("</section>")
    return "".join(parts)


def _followup(f: FollowUpSection | None) -> str:
    parts = ['<section id="followup"><h2>Follow-up of isolated and vulnerable residents</h2>']
    if f is None:
        parts.append(
            '<p class="muted">No residents were given, so there is no follow-up to show '
            "(pass <code>--residents FILE</code>).</p></section>"
        )
        return "".join(parts)
    parts.append(
        f"<p>{escape(f.day.isoformat())}: <strong>{f.seen:,}</strong> of {f.due:,} residents "
        "due a check were seen.</p>"
        '<div class="scroll"><table id="followup-buckets"><thead><tr><th>last seen</th>'
        '<th class="num">residents</th></tr></thead><tbody>'
    )
    labels = {"1": "today or yesterday", "2": "2 days ago", "3": "3 days ago"}
    labels |= {">3": "more than 3 days ago", "never": "never"}
    parts += [
        f"<tr{' class=overdue' if b != '1' and n else ''}><td>{escape(labels.get(b, b))}</td>"
        f'<td class="num">{n:,}</td></tr>'
        for b, n in f.buckets
    ]
    parts.append("</tbody></table></div>")
    if f.overdue:
        parts.append(
            f'<h3>Overdue <span class="badge">{f.overdue_total:,}</span>'
            f" (the first {len(f.overdue):,} listed)</h3>"
            '<div class="scroll"><table id="followup-overdue"><thead><tr><th>resident</th>'
            "<th>name</th><th>household</th><th>why</th><th>last seen</th></tr></thead><tbody>"
        )
        parts += [
            f"<tr><td>{escape(r.resident)}</td><td>{escape(r.name)}</td>"
            f"<td>{escape(r.household)}</td><td>{escape(r.why)}</td>"
            f"<td>{escape(r.bucket)}</td></tr>"
            for r in f.overdue
        ]
        parts.append("</tbody></table></div>")
    parts.append("</section>")
    return "".join(parts)


def _roster(g: RosterGrid | None) -> str:
    parts = ['<section id="roster"><h2>Duty roster</h2>']
    if g is None:
        parts.append('<p class="muted">No published roster in this workspace.</p></section>')
        return "".join(parts)
    gaps = g.gaps
    title = g.name or g.roster
    parts.append(
        f"<p>{escape(title)} (roster {escape(g.roster)}, version {g.version}): "
        f"{len(g.rows):,} posts, {len(g.days)} days, {g.shifts:,} shifts staffed. "
        + (
            f'<span class="badge">{gaps:,} shifts short of staff</span>'
            if gaps
            else "Every shift has its minimum staff."
        )
        + '</p><p class="legend"><span class="shift night">☾ night shift</span>'
        '<span class="shift gap">short of staff</span></p>'
        '<div class="scroll"><table class="roster"><thead><tr><th>post</th>'
    )
    parts += [f"<th>{escape(d.strftime('%a %d %b'))}</th>" for d in g.days]
    parts.append("</tr></thead><tbody>")
    for row in g.rows:
        parts.append(f'<tr data-post="{escape(row.post)}"><th>{escape(row.label)}</th>')
        for cells in row.days:
            parts.append("<td>")
            for c in cells:
                cls = "shift" + (" night" if c.night else "") + (" gap" if c.short else "")
                who = ", ".join(escape(n) for n in c.staff) or "nobody"
                short = f" — {c.short} missing" if c.short else ""
                parts.append(
                    f'<div class="{cls}">{"☾ " if c.night else ""}<b>{escape(c.label)}</b>: '
                    f"{who}{short}</div>"
                )
            parts.append("</td>")
        parts.append("</tr>")
    parts.append("</tbody></table></div></section>")
    return "".join(parts)


def report_html(report: Report) -> str:
    """The page for ``report``: one string of HTML with no external reference."""
    title = f"{report.title}: sweep {report.sweep}"
    window = (
        f"{report.start.isoformat(timespec='minutes')} to "
        f"{report.end.isoformat(timespec='minutes')}"
    )
    privacy = (
        "Personal data are masked."
        if report.masked
        else "Personal data are shown: handle this file as confidential."
    )
    notes = "".join(f'<p class="muted">{escape(n)}</p>' for n in report.notes)
    body = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="generator" content="gridgov ' + escape(__version__) + '">',
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<header><h1>{escape(title)}</h1>",
        f'<p class="meta">{escape(report.purpose + ": " if report.purpose else "")}'
        f"{escape(window)}; as of {escape(report.at.isoformat(timespec='minutes'))}. "
        f"{escape(privacy)}</p>{notes}</header>",
        '<nav><a href="#coverage">coverage</a><a href="#queue">re-visits</a>'
        '<a href="#followup">follow-up</a><a href="#roster">roster</a></nav>',
        _coverage(report),
        _queue(report.queue, report),
        _followup(report.followup),
        _roster(report.roster),
        f'<footer class="muted"><p>Made by gridgov {escape(__version__)}.</p></footer>',
        f"<script>{_SCRIPT}</script>",
        "</body></html>",
    ]
    return "\n".join(body) + "\n"
