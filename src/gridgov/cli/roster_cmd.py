"""``gridgov roster ...``: solve benchmark instances, plan, check and export duty rosters."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from gridgov.cli.common import UsageError, progress, progress_done
from gridgov.duty.model import Problem, Roster
from gridgov.fsutil import atomic_write_text

FORMATS = ("auto", "curtois", "native")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``roster`` and its sub-commands."""
    roster = sub.add_parser("roster", help="duty rosters: solve, plan, check, export")
    rsub = roster.add_subparsers(dest="roster_command", metavar="SUBCOMMAND", required=True)

    p = rsub.add_parser("solve", help="solve a problem; print one JSON line with the objective")
    _problem_args(p)
    _solver_args(p)
    p.add_argument("--out", default=None, help="roster CSV to write (employee,day,shift)")
    p.set_defaults(func=cmd_solve)

    p = rsub.add_parser("plan", help="plan a roster for a native problem file (JSON or TOML)")
    _problem_args(p)
    _solver_args(p)
    p.add_argument("--out", required=True, help="roster CSV to write (employee,day,shift,post)")
    p.set_defaults(func=cmd_plan)

    p = rsub.add_parser("check", help="validate a roster: objective and every violation")
    _problem_args(p)
    p.add_argument("roster", help="roster CSV (employee,day,shift[,post])")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=cmd_check)

    p = rsub.add_parser("export", help="export a roster as csv, ics (one per team) or html")
    _problem_args(p)
    p.add_argument("roster", help="roster CSV (employee,day,shift[,post])")
    p.add_argument("--to", required=True, choices=("csv", "ics", "html"))
    p.add_argument("--out", required=True, help="file (csv, html) or folder (ics) to write")
    p.add_argument("--reveal-personal", action="store_true", help="do not mask people's names")
    p.set_defaults(func=cmd_export)


def _problem_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("problem", help="problem file: a benchmark .txt, or native .json/.toml")
    p.add_argument("--format", choices=FORMATS, default="auto")


def _solver_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--time-limit", type=float, default=10.0, metavar="S")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--solver", default="local", help="solver registered by a plugin")


def load_problem(path: str, fmt: str) -> Problem:
    """Read a problem in ``fmt`` (``auto``: by the file's extension)."""
    if fmt == "auto":
        fmt = "native" if Path(path).suffix.lower() in (".json", ".toml") else "curtois"
    if fmt == "curtois":
        from gridgov.duty.formats import curtois

        return curtois.load(path)
    from gridgov.duty.formats import native

    return native.load(path)


def _roster(path: str, problem: Problem) -> Roster:
    from gridgov.duty.compiled import compile_problem
    from gridgov.duty.formats.roster_csv import read_roster_csv
    from gridgov.duty.grid import to_grid

    post = problem.posts[0].id if len(problem.posts) == 1 else ""
    roster = read_roster_csv(path, post=post)
    to_grid(compile_problem(problem), roster, file=path, first_row=2)  # errors name the row
    return roster


def _solve(args: argparse.Namespace, problem: Problem) -> Any:
    from gridgov.plugins import get_plugins

    if args.time_limit <= 0:
        raise UsageError("--time-limit must be above 0")
    solver = get_plugins().get("solver", args.solver)

    def show(it: int, score: Any) -> None:
        progress(f"iteration {it:,}: hard {score.hard}, soft {score.soft}")

    try:
        return solver(problem, time_limit=args.time_limit, seed=args.seed, progress=show)
    finally:
        progress_done()


def cmd_solve(args: argparse.Namespace) -> int:
    """Solve; print ``{"objective", "hard_violations", "wall_s"}``; write the roster CSV."""
    from gridgov.duty.formats.roster_csv import roster_csv_text

    t0 = time.perf_counter()
    problem = load_problem(args.problem, args.format)
    result = _solve(args, problem)
    if args.out:
        atomic_write_text(Path(args.out), roster_csv_text(result.roster))
    hard = sum(1 for v in result.violations if v.hard)
    line = {
        "objective": result.score.soft,
        "hard_violations": hard,
        "wall_s": round(time.perf_counter() - t0, 3),
    }
    print(json.dumps(line))
    for why in result.explanation:
        print(f"gridgov: {why}", file=sys.stderr)
    return 0


def cmd_plan(args: argparse.Namespace) -> int:
    """Plan a native problem; write ``employee,day,shift,post``; print the score."""
    from gridgov.duty.formats.roster_csv import roster_csv_text

    problem = load_problem(args.problem, args.format)
    result = _solve(args, problem)
    atomic_write_text(Path(args.out), roster_csv_text(result.roster, with_post=True))
    print(
        f"planned {len(result.roster)} shifts: hard {result.score.hard}, "
        f"soft {result.score.soft}; written to {args.out}"
    )
    for why in result.explanation:
        print(f"  {why}")
    return 0 if result.feasible else 1


def cmd_check(args: argparse.Namespace) -> int:
    """Print the objective and every violation; exit 1 when a hard rule is broken."""
    from gridgov.duty.validate import evaluate

    problem = load_problem(args.problem, args.format)
    ev = evaluate(problem, _roster(args.roster, problem))
    hard = ev.hard_violations
    if args.json:
        print(
            json.dumps(
                {
                    "objective": ev.score.soft,
                    "hard": ev.score.hard,
                    "hard_violations": len(hard),
                    "violations": [
                        {
                            "rule": v.rule,
                            "hard": v.hard,
                            "penalty": v.penalty,
                            "message": v.message,
                            "resource": v.resource,
                            "day": v.day,
                            "shift": v.shift,
                            "post": v.post,
                        }
                        for v in ev.violations
                    ],
                },
                ensure_ascii=False,
            )
        )
    else:
        print(f"objective: {ev.score.soft}")
        print(f"hard violations: {len(hard)}")
        for v in ev.violations:
            print(f"  {v}")
    return 1 if hard else 0


def cmd_export(args: argparse.Namespace) -> int:
    """Export a roster as CSV, one iCalendar file per team, or a printable HTML table."""
    from gridgov.duty.export import write_export

    problem = load_problem(args.problem, args.format)
    roster = _roster(args.roster, problem)
    written = write_export(problem, roster, args.to, Path(args.out), mask=not args.reveal_personal)
    print(f"wrote {len(written)} file(s) under {args.out}")
    return 0
