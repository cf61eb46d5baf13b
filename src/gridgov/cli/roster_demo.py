"""The duty step of ``gridgov demo``: plan the reference checkpoints and write the roster."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from pathlib import Path

from gridgov.cli.common import progress, progress_done
from gridgov.duty.export import write_export
from gridgov.duty.fairness import fairness
from gridgov.duty.formats import native
from gridgov.duty.formats.roster_csv import roster_csv_text
from gridgov.duty.model import Problem, Roster
from gridgov.duty.places import PlaceIndex
from gridgov.duty.privacy import masked
from gridgov.duty.solver.local import solve
from gridgov.examples.duty import reference_duty
from gridgov.fsutil import atomic_write_text
from gridgov.org.hierarchy import Hierarchy


def duty_demo(
    out: Path,
    *,
    seed: int = 0,
    scale: float = 1.0,
    time_limit: float = 5.0,
    county: Hierarchy | None = None,
) -> tuple[Problem, Roster]:
    """Plan the reference duty scenario on ``county`` (default: the reference county).

    Writes problem.json (bound to the county), checkpoints.csv, roster.csv,
    roster.html and calendars/, and prints a summary. Returns the problem and
    its roster (for the demo's report).
    """
    problem = reference_duty(seed=seed, scale=scale, county=county)
    atomic_write_text(out / "problem.json", native.dumps(problem) + "\n")
    atomic_write_text(out / "checkpoints.csv", checkpoints_csv_text(problem))
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
    print(f"  {locality_line(problem, roster)}")
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
    print(
        f"files written under {out}/: problem.json, checkpoints.csv, roster.csv, roster.html, "
        f"calendars/ ({len(cals)} .ics)"
    )
    return problem, roster


def checkpoints_csv_text(problem: Problem) -> str:
    """The problem's posts as a checkpoints CSV (``id,unit,name,kind``)."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(("id", "unit", "name", "kind"))
    for post in problem.posts:
        writer.writerow((post.id, post.unit or "", post.name, post.kind))
    return buf.getvalue()


def locality_line(problem: Problem, roster: Roster) -> str:
    """Where the posts sit and how many team shifts stay in the team's own township."""
    places = problem.places
    if places is None:
        return "posts not bound to the organisation tree"
    ix = PlaceIndex(places)
    level = "township" if "township" in places.levels else places.levels[0]
    units = Counter(ix.level[p.unit] for p in problem.posts if p.unit is not None)
    homes = {r.home_unit for r in problem.resources if r.kind == "team" and r.home_unit}
    res = {r.id: r for r in problem.resources}
    post = {p.id: p for p in problem.posts}
    team = [a for a in roster.assignments if res[a.resource].kind == "team"]
    local = 0
    for a in team:
        home, unit = res[a.resource].home_unit, post[a.post].unit
        if home is None or unit is None or ix.within(unit, ix.anchor(home, level)):
            local += 1
    at = ", ".join(f"{n} at {lvl} units" for lvl, n in units.items())
    return (
        f"posts {at}; teams from {len(homes)} grid party branches; "
        f"{local:,} of {len(team):,} team shifts in the team's own {level}"
    )
