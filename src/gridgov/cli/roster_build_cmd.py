"""``gridgov roster build``: a duty problem from the organisation tree and a checkpoints CSV."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from gridgov.cli.common import UsageError, add_levels_option, levels_for, load_tree
from gridgov.cli.groups import command_group
from gridgov.fsutil import atomic_write_text


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``roster build``."""
    roster = command_group(sub, "roster", "duty rosters")
    p = roster.add_parser(
        "build",
        help="a problem file from the tree: posts at checkpoints' units, teams from party branches",
        description=(
            "Write a native problem (JSON) bound to ORG: a post per row of CHECKPOINTS "
            "(id,unit[,name,kind,staff,shifts,leader,skills]) at its unit, the teams of the "
            "party organisations at --teams-level, --cadres from the paired government units, "
            "three 8-hour shifts a day; with --within LEVEL a hard locality rule."
        ),
    )
    p.add_argument("--org", required=True, metavar="ORG", help="the hierarchy (csv, json, graphml)")
    p.add_argument("--checkpoints", required=True, metavar="CHECKPOINTS.csv")
    p.add_argument("--start", required=True, help="first day (ISO date)")
    p.add_argument("--days", type=int, default=14)
    p.add_argument("--teams-level", default="grid", metavar="LEVEL")
    p.add_argument("--teams-per-unit", type=int, default=1, metavar="N")
    p.add_argument("--cadres", type=int, default=0, metavar="N", help="cadres from the pairings")
    p.add_argument("--within", default=None, metavar="LEVEL", help="teams stay in their LEVEL")
    p.add_argument("--out", required=True, help="problem JSON to write")
    add_levels_option(p)
    p.set_defaults(func=cmd_build)


def cmd_build(args: argparse.Namespace) -> int:
    """Build, check and write the problem; print what it holds."""
    from gridgov.duty.build import build_problem, read_checkpoints
    from gridgov.duty.formats import native

    try:
        start = dt.date.fromisoformat(args.start)
    except ValueError:
        raise UsageError(f"--start: not an ISO date: {args.start!r}") from None
    if args.days < 1 or args.teams_per_unit < 1 or args.cadres < 0:
        raise UsageError("--days and --teams-per-unit must be at least 1, --cadres 0 or more")
    tree = load_tree(args.org, levels_for(args))
    for option, level in (("--teams-level", args.teams_level), ("--within", args.within)):
        if level is not None and level not in tree.levels:
            raise UsageError(
                f"{option}: unknown level {level!r} (expected one of {', '.join(tree.levels)})"
            )
    checkpoints = read_checkpoints(args.checkpoints, tree)
    try:
        problem = build_problem(
            tree,
            checkpoints,
            start=start,
            days=args.days,
            teams_level=args.teams_level,
            teams_per_unit=args.teams_per_unit,
            cadres=args.cadres,
            within=args.within,
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    atomic_write_text(Path(args.out), native.dumps(problem) + "\n")
    teams = sum(1 for r in problem.resources if r.kind == "team")
    print(
        f"{args.out}: {len(problem.posts)} posts, {teams} teams, "
        f"{len(problem.resources) - teams} cadres, {problem.horizon.days} days from {start}"
        + (f", teams within their {args.within}" if args.within else "")
    )
    return 0
