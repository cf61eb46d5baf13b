"""``gridgov roster ...``: solve, plan, check, export, repair and swap duty rosters."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gridgov.cli.common import (
    UsageError,
    add_levels_option,
    levels_for,
    load_tree,
    progress,
    progress_done,
)
from gridgov.errors import InvalidInput, SourceProblem
from gridgov.fsutil import atomic_write_text

if TYPE_CHECKING:  # loaded only when a command runs (fast start-up)
    from gridgov.duty.compiled import RuleTable
    from gridgov.duty.model import Assignment, Problem, Roster

FORMATS = ("auto", "curtois", "native")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``roster`` and its sub-commands."""
    roster = sub.add_parser("roster", help="duty rosters: solve, plan, check, export, repair, swap")
    rsub = roster.add_subparsers(dest="roster_command", metavar="SUBCOMMAND", required=True)

    p = rsub.add_parser(
        "solve",
        help="solve a problem; print one JSON line with the objective",
        description=(
            'Solve PROBLEM; print one JSON line {"objective", "hard_violations", '
            '"optimal" (proved by the solver), "bound" (proven lower bound or null), '
            '"wall_s"}.'
        ),
    )
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
    _roster_args(p)
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=cmd_check)

    p = rsub.add_parser("export", help="export a roster as csv, ics (one per team) or html")
    _roster_args(p)
    p.add_argument("--to", required=True, choices=("csv", "ics", "html"))
    p.add_argument("--out", required=True, help="file (csv, html) or folder (ics) to write")
    p.add_argument(
        "--raw",
        action="store_true",
        help="CSV: write cells exactly, without neutralising formula-like text (CSV injection)",
    )
    p.set_defaults(func=cmd_export)

    p = rsub.add_parser(
        "repair",
        help="re-plan a roster after a resource drops out, changing as few assignments as possible",
        description=(
            "Re-plan ROSTER after RESOURCE drops out from --from to --to (inclusive), changing "
            "as few assignments as possible and nothing before --frozen-before. Writes the "
            "repaired roster to --out (also when a hard rule is still broken) and prints one "
            'JSON line {"objective", "hard", "hard_violations", "feasible", "changes", '
            '"removed", "added"}. Exit 1 when a hard rule is still broken (the reasons on stderr).'
        ),
        epilog=DAY_HELP,
    )
    _roster_args(p)
    p.add_argument("--drop", required=True, metavar="RESOURCE", help="the resource that drops out")
    p.add_argument(
        "--from",
        dest="from_day",
        metavar="DAY",
        help="first day it cannot work (default: --frozen-before, else day 0)",
    )
    p.add_argument("--to", dest="to_day", metavar="DAY", help="last day (default: the last day)")
    p.add_argument(
        "--frozen-before",
        metavar="DAY",
        help="keep every assignment before this day as it is (e.g. already published)",
    )
    _solver_args(p, time_limit=5.0)
    p.add_argument("--out", required=True, help="repaired roster CSV to write")
    p.set_defaults(func=cmd_repair)

    p = rsub.add_parser(
        "swap",
        help="may two assignments be swapped? yes, or no and why",
        description=(
            "Check whether the resources of assignments A and B may exchange them: A's resource "
            "takes B's shift and B's resource takes A's. Prints 'yes' (exit 0), or 'no' and "
            "each hard rule the swap would break, one a line (exit 1). Name an assignment as "
            "RESOURCE@DAY (the resource's assignment that day), or RESOURCE@DAY:SHIFT when it "
            "has more than one that day. A malformed name, or a resource, day or shift the "
            "problem does not know, is a usage error (exit 2); a resource without that "
            "assignment in ROSTER is bad input (exit 1)."
        ),
        epilog=SWAP_HELP,
    )
    _roster_args(p)
    p.add_argument("a", metavar="A", help="first assignment, RESOURCE@DAY[:SHIFT]")
    p.add_argument("b", metavar="B", help="second assignment, RESOURCE@DAY[:SHIFT]")
    p.add_argument("--json", action="store_true", help="print the answer as a JSON object")
    p.add_argument(
        "--out", default=None, help="write the swapped roster here when the answer is yes"
    )
    p.set_defaults(func=cmd_swap)


DAY_HELP = (
    "DAY is a 0-based day index of the horizon; for native problems also an ISO date (2026-12-03)."
)
SWAP_HELP = DAY_HELP + (
    " Examples: 'gridgov roster swap Instance1.txt roster.csv A@3 B@3' (A and B exchange "
    "their day-3 shifts); T017@2026-12-04; T017@3:N (T017's N shift of day 3)."
)


def _problem_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("problem", help="problem file: a benchmark .txt, or native .json/.toml")
    p.add_argument("--format", choices=FORMATS, default="auto")
    p.add_argument(
        "--reveal-personal",
        action="store_true",
        help="name people in full in messages, JSON and exports (default: masked, 'Z** (K01)')",
    )
    p.add_argument(
        "--org",
        default=None,
        metavar="ORG",
        help="bind the problem to this hierarchy (csv, json, graphml): every post's unit and "
        "resource's home unit is checked, and tree-aware rules (locality) can run",
    )
    add_levels_option(p)


def _roster_args(p: argparse.ArgumentParser) -> None:
    _problem_args(p)
    p.add_argument("roster", help="roster CSV (employee,day,shift[,post])")


def _solver_args(p: argparse.ArgumentParser, *, time_limit: float = 10.0) -> None:
    p.add_argument("--time-limit", type=float, default=time_limit, metavar="S")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--solver", default="local", help="solver registered by a plugin (local, cpsat, ...)"
    )
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="searches run at once, the best kept (default: every core; 1: deterministic)",
    )
    p.add_argument(
        "--max-iterations",
        type=int,
        default=None,
        metavar="N",
        help="stop the local search after N moves (with a seed: the same roster on any machine,"
        " however loaded); --time-limit still caps the run",
    )


def _solver_options(args: argparse.Namespace) -> dict[str, Any]:
    """The solver keyword arguments the command line sets (``workers`` only when given)."""
    if args.time_limit <= 0:
        raise UsageError("--time-limit must be above 0")
    options: dict[str, Any] = {"time_limit": args.time_limit, "seed": args.seed}
    if args.workers is not None:
        if args.workers < 1:
            raise UsageError("--workers must be at least 1")
        options["workers"] = args.workers
    if args.max_iterations is not None:
        if args.max_iterations < 1:
            raise UsageError("--max-iterations must be at least 1")
        options["max_iterations"] = args.max_iterations
    return options


def _solver(args: argparse.Namespace) -> Any:
    """The solver ``--solver`` names (an unknown name is a usage error listing the known)."""
    from gridgov.plugins import get_plugins

    return get_plugins().get("solver", args.solver)


def rule_table(problem: Problem) -> RuleTable:
    """The rule classes plugins registered (the built-ins included), for the duty core's
    ``rules=``: the edge asks the plugin manager, the core never does. A rule of
    ``problem`` whose name two plugins registered raises :class:`PluginConflict`
    naming both."""
    from gridgov.duty.model import DEFAULT_RULES
    from gridgov.plugins import get_plugins

    plugins = get_plugins()
    table = plugins.rule_table()
    disabled = plugins.disabled("rule")
    for cfg in problem.rules or DEFAULT_RULES:
        if cfg.name not in table and cfg.name in disabled:
            plugins.get("rule", cfg.name)  # raises PluginConflict naming both plugins
    return table


def problem_format(path: str, fmt: str) -> str:
    """``curtois`` or ``native``: ``fmt`` itself, or for ``auto`` by the file's extension."""
    if fmt == "auto":
        return "native" if Path(path).suffix.lower() in (".json", ".toml") else "curtois"
    return fmt


def load_problem(path: str, fmt: str) -> Problem:
    """Read a problem in ``fmt`` (``auto``: by the file's extension)."""
    if problem_format(path, fmt) == "curtois":
        from gridgov.duty.formats import curtois

        return curtois.load(path)
    from gridgov.duty.formats import native

    return native.load(path)


def bound_problem(args: argparse.Namespace, fmt: str) -> Problem:
    """The problem of ``args.problem``, bound to ``--org`` when given (:func:`on_tree`)."""
    problem = load_problem(args.problem, fmt)
    if getattr(args, "org", None):
        from gridgov.duty.places import on_tree

        problem = on_tree(problem, load_tree(args.org, levels_for(args)), file=args.problem)
    return problem


def _view(problem: Problem, args: argparse.Namespace) -> Problem:
    """What a command reports on: ``problem`` with people's names masked unless revealed."""
    from gridgov.duty.privacy import masked

    return masked(problem, mask=not args.reveal_personal)


def _roster(path: str, problem: Problem) -> Roster:
    from gridgov.duty.compiled import compile_problem
    from gridgov.duty.formats.roster_csv import read_roster_csv
    from gridgov.duty.grid import to_grid

    post = problem.posts[0].id if len(problem.posts) == 1 else ""
    roster = read_roster_csv(path, post=post)
    to_grid(compile_problem(problem), roster, file=path, first_row=2)  # errors name the row
    return roster


def _process_started(command_start: float) -> float:
    """When the command started, on the ``perf_counter`` clock: when this process is the
    ``gridgov`` command itself, its start (Linux, from /proc: interpreter start-up and
    imports count against ``--time-limit``); otherwise (``main()`` called from a longer
    running program) ``command_start``."""
    now = time.perf_counter()
    if Path(sys.argv[0]).name != "gridgov":
        return command_start
    try:
        with open("/proc/self/stat", encoding="ascii") as fh:
            start_ticks = int(fh.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime", encoding="ascii") as fh:
            uptime = float(fh.read().split()[0])
        age = uptime - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return command_start
    return min(now - max(age, 0.0), command_start)


def _solve(args: argparse.Namespace, problem: Problem, started: float) -> Any:
    """Run the chosen solver; the time spent reading the problem (since ``started``)
    counts against ``--time-limit``, so that the command keeps it."""
    options = _solver_options(args)
    solver = _solver(args)
    spent = time.perf_counter() - started
    options["time_limit"] = max(args.time_limit - spent, 0.1 * args.time_limit)

    def show(it: int, score: Any) -> None:
        progress(f"iteration {it:,}: hard {score.hard}, soft {score.soft}")

    from gridgov.duty.compiled import compile_problem

    cp = compile_problem(problem, rules=rule_table(problem))
    try:
        return solver(cp, progress=show, **options)
    finally:
        progress_done()


def cmd_solve(args: argparse.Namespace) -> int:
    """Solve; print ``{"objective", "hard_violations", "wall_s"}``; write the roster CSV."""
    from gridgov.cli.roster_answers import SolveAnswer, print_answer
    from gridgov.duty.formats.roster_csv import roster_csv_text

    t0 = time.perf_counter()
    problem = bound_problem(args, args.format)
    result = _solve(args, _view(problem, args), _process_started(t0))
    if args.out:
        # the benchmark's employee,day,shift for one post; the post column otherwise
        one_post = len(problem.posts) == 1
        atomic_write_text(Path(args.out), roster_csv_text(result.roster, with_post=not one_post))
    hard = sum(1 for v in result.violations if v.hard)
    wall = round(time.perf_counter() - t0, 3)
    print_answer(SolveAnswer(result.score.soft, hard, result.optimal, result.bound, wall))
    for why in result.explanation:
        print(f"gridgov: {why}", file=sys.stderr)
    return 0


def cmd_plan(args: argparse.Namespace) -> int:
    """Plan a native problem; write ``employee,day,shift,post``; print the score."""
    from gridgov.duty.formats.roster_csv import roster_csv_text

    t0 = time.perf_counter()
    problem = bound_problem(args, args.format)
    result = _solve(args, _view(problem, args), _process_started(t0))
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
    from gridgov.cli.roster_answers import CheckAnswer, print_answer
    from gridgov.duty.validate import evaluate

    problem = bound_problem(args, args.format)
    ev = evaluate(_view(problem, args), _roster(args.roster, problem), rules=rule_table(problem))
    hard = ev.hard_violations
    if args.json:
        print_answer(CheckAnswer(ev.score.soft, ev.score.hard, len(hard), tuple(ev.violations)))
    else:
        print(f"objective: {ev.score.soft}")
        print(f"hard violations: {len(hard)}")
        for v in ev.violations:
            print(f"  {v}")
    return 1 if hard else 0


def cmd_export(args: argparse.Namespace) -> int:
    """Export a roster as CSV, one iCalendar file per team, or a printable HTML table."""
    from gridgov.duty.export import write_export

    problem = bound_problem(args, args.format)
    roster = _roster(args.roster, problem)
    written = write_export(
        problem, roster, args.to, Path(args.out), mask=not args.reveal_personal, raw=args.raw
    )
    print(f"wrote {len(written)} file(s) under {args.out}")
    return 0


def parse_day(text: str, problem: Problem, option: str, *, dates: bool) -> int:
    """A command-line DAY: a day index, or (``dates``: native problems) an ISO date.

    Anything else, or a day outside the horizon, is a :class:`UsageError` naming ``option``.
    """
    horizon = problem.horizon
    last = horizon.days - 1
    day = _int_or_none(text)
    if day is not None:
        if not 0 <= day <= last:
            raise UsageError(f"{option}: day {day} is outside the horizon (0..{last})")
        return day
    date = _date_or_none(text) if dates else None
    if date is None:
        also = " or an ISO date" if dates else ""
        raise UsageError(f"{option}: expected a day index (0..{last}){also}, got {text!r}")
    day = horizon.day_of(date)
    if not 0 <= day <= last:
        raise UsageError(
            f"{option}: {text} is outside the horizon "
            f"({horizon.date(0).isoformat()}..{horizon.date(last).isoformat()})"
        )
    return day


def _int_or_none(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def _date_or_none(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _resource_arg(problem: Problem, rid: str, option: str) -> str:
    if rid not in {r.id for r in problem.resources}:
        raise UsageError(f"{option}: unknown resource {rid!r}")
    return rid


def cmd_repair(args: argparse.Namespace) -> int:
    """Re-plan after a dropout; write the roster; print the score and the number of changes."""
    from gridgov.cli.roster_answers import RepairAnswer, print_answer
    from gridgov.duty.formats.roster_csv import roster_csv_text
    from gridgov.duty.repair import Dropout, repair

    options = _solver_options(args)
    solver = _solver(args)
    fmt = problem_format(args.problem, args.format)
    problem = bound_problem(args, fmt)
    roster = _roster(args.roster, problem)
    dates = fmt == "native"
    resource = _resource_arg(problem, args.drop, "--drop")
    frozen = 0
    if args.frozen_before is not None:
        frozen = parse_day(args.frozen_before, problem, "--frozen-before", dates=dates)
    first = (
        frozen
        if args.from_day is None
        else parse_day(args.from_day, problem, "--from", dates=dates)
    )
    last = None if args.to_day is None else parse_day(args.to_day, problem, "--to", dates=dates)
    if last is not None and last < first:
        raise UsageError(f"--to (day {last}) is before --from (day {first})")
    if first < frozen:
        raise UsageError(
            f"--from (day {first}) is before --frozen-before (day {frozen}): "
            "assignments before --frozen-before cannot change"
        )
    result = repair(
        _view(problem, args),
        roster,
        Dropout(resource, first, last),
        frozen_before=frozen,
        solver=solver,
        rules=rule_table(problem),
        **options,
    )
    text = roster_csv_text(result.roster, with_post=fmt == "native")
    atomic_write_text(Path(args.out), text)
    hard = [v for v in result.violations if v.hard]
    print_answer(
        RepairAnswer(
            result.score.soft,
            result.score.hard,
            len(hard),
            not hard,
            result.changes,
            len(result.removed),
            len(result.added),
        )
    )
    for why in result.explanation:
        print(f"gridgov: {why}", file=sys.stderr)
    return 1 if hard else 0


def _assignment_arg(
    text: str, problem: Problem, roster: Roster, option: str, *, dates: bool, file: str
) -> Assignment:
    """``RESOURCE@DAY[:SHIFT]`` → the resource's assignment that day in ``roster``."""
    rid, at, when = text.rpartition("@")
    day_text, _, shift = when.partition(":")
    if not at or not rid or not day_text:
        raise UsageError(f"{option}: expected RESOURCE@DAY or RESOURCE@DAY:SHIFT, got {text!r}")
    _resource_arg(problem, rid, option)
    day = parse_day(day_text, problem, option, dates=dates)
    if shift and shift not in {s.id for s in problem.shifts}:
        raise UsageError(f"{option}: unknown shift type {shift!r}")
    found = [
        a
        for a in roster.assignments
        if a.resource == rid and a.day == day and (not shift or a.shift == shift)
    ]
    on = f"day {day} ({problem.horizon.date(day).isoformat()})" if dates else f"day {day}"
    if not found:
        what = f"no {shift} shift" if shift else "no shift"
        raise InvalidInput(
            [SourceProblem(f"{text!r}: {rid} works {what} on {on}", field=option, file=file)]
        )
    if len(found) > 1:
        names = ", ".join(sorted(f"{a.shift} at {a.post}" for a in found))
        raise InvalidInput(
            [
                SourceProblem(
                    f"{rid} has {len(found)} assignments on {on} ({names}); "
                    f"name one as {rid}@{day_text}:SHIFT",
                    field=option,
                    file=file,
                )
            ]
        )
    return found[0]


def cmd_swap(args: argparse.Namespace) -> int:
    """Answer yes (exit 0) or no with the reasons (exit 1); write the swapped roster on yes."""
    from gridgov.cli.roster_answers import SwapAnswer, print_answer
    from gridgov.duty.formats.roster_csv import roster_csv_text
    from gridgov.duty.swap import swap

    fmt = problem_format(args.problem, args.format)
    problem = bound_problem(args, fmt)
    roster = _roster(args.roster, problem)
    dates = fmt == "native"
    a = _assignment_arg(args.a, problem, roster, "A", dates=dates, file=args.roster)
    b = _assignment_arg(args.b, problem, roster, "B", dates=dates, file=args.roster)
    if a.resource == b.resource:
        raise UsageError(f"A and B are both {a.resource!r}'s: a swap needs two different resources")
    verdict = swap(_view(problem, args), roster, a, b, rules=rule_table(problem))
    if verdict.ok and args.out:
        text = roster_csv_text(verdict.roster, with_post=fmt == "native")
        atomic_write_text(Path(args.out), text)
    if args.json:
        print_answer(SwapAnswer(verdict.ok, a, b, verdict.soft_delta, tuple(verdict.reasons)))
    else:
        print("yes" if verdict.ok else "no")
        for v in verdict.reasons:
            print(v)
    return 0 if verdict.ok else 1
