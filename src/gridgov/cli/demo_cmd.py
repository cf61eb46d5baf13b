"""``gridgov demo``: the reference county, end to end, as a coordinator would see it."""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from gridgov.cli.common import progress, progress_done
from gridgov.fsutil import atomic_write_text


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``demo``."""
    p = sub.add_parser("demo", help="build and run the reference county scenario")
    p.add_argument("--out", default="gridgov-demo", help="folder for the outputs")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument(
        "--duty-seconds", type=float, default=20.0, help="time to plan the roster (default 20 s)"
    )
    p.set_defaults(func=cmd_demo)


def cmd_demo(args: argparse.Namespace) -> int:
    """Build the reference county, write it out and print a summary."""
    from gridgov.examples import reference_county  # heavy: loaded only when demo runs
    from gridgov.org import level_counts, rollup, to_mermaid, write_csv
    from gridgov.org.json_io import dumps

    out = Path(args.out)
    progress("building the reference county ...")
    tree = reference_county(seed=args.seed, scale=args.scale)
    progress("writing files ...")
    write_csv(tree, out / "county.csv")  # and county.relations.csv beside it
    atomic_write_text(out / "county.json", dumps(tree, indent=1) + "\n")
    atomic_write_text(out / "county.mmd", to_mermaid(tree, max_depth=2))
    progress_done()

    counts = Counter(u.level for u in tree)
    residents = rollup(tree, "residents")
    members = rollup(tree, "party_members")
    root = tree[tree.root]
    rel = tree.relations
    covered = len(rel.looked_after)
    print(f"{root.name}: organisation")
    for level in tree.levels:
        print(f"  {level:<10} {counts[level]:>7,}")
    print(
        f"  residents {residents[tree.root]:,}; party members {members[tree.root]:,}; "
        f"{len(rel.central):,} central households look after {covered:,} households"
    )
    print(
        f"  {len(rel.gov_units)} government units paired with communities, "
        f"{sum(g.cadres for g in rel.gov_units.values())} cadres"
    )
    print("  households per community:")
    below = level_counts(tree)
    for cid in tree.at_level("community"):
        unit = tree[cid]
        hh = below[cid]["household"]
        print(f"    {unit.name:<24} {hh:>6,} households, {residents[cid]:>6,} residents")
    print(f"files written under {out}/: county.csv, county.relations.csv, county.json, county.mmd")

    from gridgov.cli.report_cmd import demo_report_step
    from gridgov.cli.roster_demo import duty_demo
    from gridgov.cli.sweep_demo import demo_sweep
    from gridgov.cli.workspace_cmd import demo_store_step

    households, sweep, visits = demo_sweep(tree, out, seed=args.seed)
    problem, roster = duty_demo(
        out, seed=args.seed, scale=args.scale, time_limit=args.duty_seconds, county=tree
    )
    demo_store_step(out, tree, households=households, sweep=sweep, visits=visits)
    demo_report_step(out, problem, roster)
    return 0
