"""The duty step of ``gridgov demo``: plan the reference checkpoints and write the roster."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

from gridgov.cli.common import progress, progress_done
from gridgov.duty.export import write_export
from gridgov.duty.fairness import fairness
from gridgov.duty.formats.roster_csv import roster_csv_text
from gridgov.duty.model import Problem, Roster
from gridgov.duty.privacy import masked
from gridgov.duty.solver.local import solve
from gridgov.examples.duty import reference_duty
from gridgov.fsutil import atomic_write_text


def duty_demo(
    out: Path, *, seed: int = 0, scale: float = 1.0, time_limit: float = 5.0
) -> tuple[Problem, Roster]:
    """Plan the reference duty scenario; write roster.csv, roster.html, calendars/; print.

    Returns the problem and its roster (for the demo's report).
    """
    problem = reference_duty(seed=seed, scale=scale)
    progress(f"planning {len(problem.posts)} posts for {problem.horizon.days} days ...")
    try:
        result = solve(
            masked(problem),  # the explanation printed below names cadres masked
            time_limit=time_limit,
            seed=seed,
            progress=lambda it, sc: progress(f"planning: hard {sc.hard}, soft {sc.soft}"),
        )
    finally:
        progress_done()
    roster = result.roster
    atomic_write_text(out / "roster.csv", roster_csv_text(roster, with_post=True))
    write_export(problem, roster, "html", out / "roster.html")
    cals = write_export(problem, roster, "ics", out / "calendars", now=dt.datetime.now(dt.UTC))
    kinds = Counter(p.kind for p in problem.posts)
    teams = sum(1 for r in problem.resources if r.kind == "team")
    cadres = sum(1 for r in problem.resources if r.cadre)
    print(f"{problem.name}: duty roster")
    print(
        f"  {len(problem.posts)} posts ({', '.join(f'{n} {k}' for k, n in kinds.items())}), "
        f"{teams} teams, {cadres} cadres, {len(problem.shifts)} shifts a day, "
        f"{problem.horizon.days} days from {problem.horizon.start}"
    )
    print(
        f"  {len(roster):,} shifts planned in {result.seconds:.1f} s "
        f"({result.iterations:,} moves): hard violations {result.score.hard}, "
        f"soft penalty {result.score.soft:,}"
    )
    village = {p.id for p in problem.posts if p.kind == "village-gate"}
    if village:
        staffed = sum(1 for a in roster.assignments if a.post in village)
        wanted = len(village) * problem.horizon.days
        print(f"  village gate day shifts staffed: {staffed:,} of {wanted:,}")
    for kind, label in (("team", "teams"), ("person", "cadres")):
        figs = fairness(problem, roster, kind=kind)
        print(f"  fairness, {label}: shifts {figs['shifts']}")
        print(f"  fairness, {label}: nights {figs['nights']}; weekends {figs['weekends']}")
    for line in result.explanation[:5]:
        print(f"  {line}")
    print(f"files written under {out}/: roster.csv, roster.html, calendars/ ({len(cals)} .ics)")
    return problem, roster
