"""The sweep step of ``gridgov demo``: a seeded day of door-to-door sweeping."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from gridgov.cli.sweep_cmd import with_names
from gridgov.examples.residents import reference_residents
from gridgov.examples.sweep_day import reference_households, simulated_sweep_day
from gridgov.fsutil import atomic_write_text
from gridgov.org.hierarchy import Hierarchy
from gridgov.sweep.coverage import coverage
from gridgov.sweep.csv_io import households_csv_text
from gridgov.sweep.model import Household, Sweep, Visit
from gridgov.sweep.report import CSV_HEADER
from gridgov.sweep.residents_io import write_residents
from gridgov.sweep.visit_format import visits_csv_text


def demo_sweep(
    tree: Hierarchy, out: Path, *, seed: int = 0
) -> tuple[list[Household], Sweep, list[Visit]]:
    """Simulate a day of sweeping, print coverage by community, write coverage.csv.

    Returns the households, the sweep and its visits for the demo's later steps.
    """
    households = reference_households(tree, seed=seed)
    sweep, visits = simulated_sweep_day(tree, households, seed=seed)
    report = coverage(tree, households, visits, sweep)
    header, rows = with_names(tree, CSV_HEADER, [r for r in report.table() if r[1] != "household"])
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    atomic_write_text(out / "coverage.csv", buf.getvalue())
    atomic_write_text(out / "households.csv", households_csv_text(households))
    atomic_write_text(out / "visits.csv", visits_csv_text(visits))
    residents = reference_residents(tree, households, seed=seed, day=sweep.start.date())
    write_residents(residents, out / "residents.jsonl")

    total = report.counts()
    day = sweep.start.date().isoformat()
    print(f"sweep {sweep.id} on {day}: {len(visits):,} visits uploaded")
    print(
        f"  reached {total.reached:,} of {total.target:,} target households "
        f"({total.coverage:.1%}); {total.invalid:,} confirmed invalid; "
        f"{report.duplicates:,} repeated uploads counted once"
    )
    print("  coverage by community:")
    for uid in report.units("community"):
        c = report.counts(uid)
        print(
            f"    {tree[uid].name:<24} {c.reached:>6,} / {c.target:<6,} {c.coverage:>6.1%}"
            f"   not at home {c.not_at_home:>4}, refused {c.refused:>3}"
        )
    queue = report.revisit_queue(sweep.end)
    print(
        f"  re-visit queue: {len(queue):,} households "
        f"(not-at-home conversion {total.conversion:.0%}, refusal rate {total.refusal_rate:.1%})"
    )
    print(
        f"sweep files written under {out}/: coverage.csv, households.csv, visits.csv, "
        "residents.jsonl"
    )
    print(
        "  into a workspace: gridgov org import county.csv; gridgov sweep import-households "
        f"households.csv; gridgov sweep create {sweep.id} --scope {sweep.scope} "
        f"--start {sweep.start.isoformat()} --end {sweep.end.isoformat()}; "
        "gridgov sweep import-visits visits.csv"
    )
    return households, sweep, visits
