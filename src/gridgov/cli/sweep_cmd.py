"""``gridgov sweep ...``: coverage, the re-visit queue and sweeper assignment from files.

Times: ``--tz`` (default ``UTC``; an IANA name or an offset like ``+08:00``) is
the sweep's zone: naive visit times and naive ``--start``/``--end``/``--now``
are read in it. Without ``--start``/``--end`` the window is open (1900-2200).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gridgov.cli.common import (
    UsageError,
    add_levels_option,
    emit_table,
    engine,
    levels_for,
    load_tree,
    progress,
    progress_done,
)
from gridgov.cli.groups import add_store_options
from gridgov.fsutil import atomic_write_text

if TYPE_CHECKING:  # loaded only when a command runs (fast start-up)
    from gridgov.org.hierarchy import Hierarchy
    from gridgov.sweep.model import Sweep
    from gridgov.sweep.report import CoverageReport, TableRow

_OFFSET = re.compile(r"^(?:UTC)?([+-])(\d{2}):?(\d{2})$")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``sweep`` and its sub-commands."""
    sweep = sub.add_parser("sweep", help="door-to-door sweeps: coverage, re-visits, assignment")
    ssub = sweep.add_subparsers(dest="sweep_command", metavar="SUBCOMMAND", required=True)

    p = ssub.add_parser(
        "coverage",
        help="coverage of every unit (or every unit at --by LEVEL), from files or the workspace",
    )
    _inputs(p, required=False)
    add_store_options(p)
    p.add_argument("--by", default=None, metavar="LEVEL", help="one row per unit at LEVEL")
    p.add_argument("--format", choices=("csv", "json", "table"), default="table")
    p.add_argument(
        "--rejects", default=None, metavar="FILE", help="write rejected visits here (CSV)"
    )
    p.set_defaults(func=cmd_coverage)

    p = ssub.add_parser("missed", help="the re-visit queue: target households not verified")
    _inputs(p)
    p.add_argument("--unit", default=None, help="only households under this unit")
    p.add_argument("--now", default=None, help="ISO time the ages are counted to (default: now)")
    p.add_argument("--limit", type=int, default=None, help="show at most N households")
    p.add_argument("--format", choices=("csv", "json", "table"), default="table")
    p.set_defaults(func=cmd_missed)

    p = ssub.add_parser("assign", help="balanced assignment of buildings to sweepers")
    p.add_argument("--org", required=True, metavar="ORG.csv")
    p.add_argument("--households", required=True, metavar="HH.csv")
    p.add_argument("--sweepers", required=True, type=int, metavar="N", help="how many sweepers")
    p.add_argument("--within", default="grid", metavar="LEVEL", help="keep sweepers in one unit")
    p.add_argument("--floor-weight", type=float, default=1.0, help="workload of one floor")
    add_levels_option(p)
    p.add_argument("--format", choices=("csv", "json", "table"), default="table")
    p.set_defaults(func=cmd_assign)


def _inputs(p: argparse.ArgumentParser, *, required: bool = True) -> None:
    where = "" if required else " (all three, or none to read the workspace's store)"
    p.add_argument("--org", required=required, metavar="ORG.csv", help="the hierarchy" + where)
    p.add_argument("--households", required=required, metavar="HH.csv")
    p.add_argument("--visits", required=required, metavar="VISITS.csv", help="CSV or JSON Lines")
    p.add_argument("--sweep", default=None, metavar="ID", help="the sweep the visits belong to")
    p.add_argument("--scope", default=None, metavar="UNIT", help="the sweep's scope (root)")
    p.add_argument("--start", default=None, help="start of the window (ISO 8601)")
    p.add_argument("--end", default=None, help="end of the window (ISO 8601)")
    p.add_argument("--tz", default="UTC", help="the sweep's zone (IANA name or +HH:MM)")
    add_levels_option(p)


def parse_zone(text: str) -> dt.tzinfo:
    """``UTC``, an offset (``+08:00``, ``UTC+8`` is not accepted) or an IANA zone name."""
    if text.upper() in ("UTC", "Z"):
        return dt.UTC
    m = _OFFSET.match(text)
    if m:
        sign = 1 if m.group(1) == "+" else -1
        delta = dt.timedelta(hours=int(m.group(2)), minutes=int(m.group(3)))
        if delta >= dt.timedelta(hours=24):
            raise UsageError(f"--tz: offset out of range: {text!r}")
        return dt.timezone(sign * delta)
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(text)
    except Exception:  # ZoneInfoNotFoundError, ValueError for odd keys
        raise UsageError(f"--tz: unknown time zone {text!r}") from None


def parse_time(text: str, option: str, zone: dt.tzinfo) -> dt.datetime:
    """An ISO 8601 option value; naive values are read in ``zone``."""
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{option}: not an ISO 8601 date-time: {text!r}") from None
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)


def _sweep_id(args: argparse.Namespace) -> str:
    if args.sweep is not None:
        return str(args.sweep)
    if _has_sweep_field(Path(args.visits)):
        raise UsageError(
            f"{args.visits} has a sweep column: name the sweep to report with --sweep ID"
        )
    return "sweep"


def _has_sweep_field(path: Path) -> bool:
    """Whether a visits file has a ``sweep`` field (its CSV header, or a JSON line's keys)."""
    from gridgov.documents import json_line
    from gridgov.sweep.visit_format import field_key, is_jsonl
    from gridgov.utf8 import open_utf8

    with open_utf8(path) as fh:
        if is_jsonl(path):
            first = next((line for line in fh if line.strip()), "{}")
            data = json_line(first, row=1, file=str(path))
            if not isinstance(data, dict):
                return False  # the reader says what is wrong with it
            keys = list(data)
        else:
            try:
                keys = next(csv.reader(fh), [])
            except csv.Error:
                return False  # the reader says what is wrong with the header, at its row
    return "sweep" in (field_key(str(k)) for k in keys)


def build_sweep(args: argparse.Namespace, tree: Hierarchy) -> Sweep:
    """The :class:`Sweep` the command line describes."""
    from gridgov.sweep.model import Sweep

    zone = parse_zone(args.tz)
    start = (
        parse_time(args.start, "--start", zone)
        if args.start
        else dt.datetime(1900, 1, 1, tzinfo=zone)
    )
    end = parse_time(args.end, "--end", zone) if args.end else dt.datetime(2200, 1, 1, tzinfo=zone)
    if end < start:
        raise UsageError("--end is before --start")
    scope = args.scope if args.scope is not None else tree.root
    if scope not in tree:
        raise UsageError(f"--scope: unknown unit {scope!r}")
    return Sweep(_sweep_id(args), scope, start, end)


def load_report(args: argparse.Namespace) -> CoverageReport:
    """Read the three files and compute coverage (shared by ``coverage`` and ``missed``)."""
    from gridgov.sweep.coverage import coverage
    from gridgov.sweep.csv_coverage import coverage_from_csv
    from gridgov.sweep.csv_io import read_households
    from gridgov.sweep.visit_format import is_jsonl, read_visits

    tree = load_tree(args.org, levels_for(args))
    sweep = build_sweep(args, tree)
    progress(f"reading {args.households} and {args.visits} ...")
    try:
        if is_jsonl(args.visits):
            return coverage(
                tree,
                read_households(args.households),
                read_visits(args.visits, sweep=sweep.id),
                sweep,
            )
        return coverage_from_csv(tree, args.households, args.visits, sweep, engine=engine())
    finally:
        progress_done()


def with_names(
    tree: Hierarchy, header: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
    """A ``name`` column beside the unit ids of the first column."""
    units = tree.unit_map()

    def name(uid: Any) -> str:
        unit = units.get(uid)
        return unit.name if unit is not None else ""

    return (header[0], "name", *header[1:]), [(r[0], name(r[0]), *r[1:]) for r in rows]


def _reject_lines(report: CoverageReport) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = [
        (r.file or "", r.row or "", r.visit_id, r.household, r.reason) for r in report.rejects
    ]
    for c in report.conflicts:
        rows = " ".join(map(str, c.rows))
        out.append(
            (c.file or "", rows, c.visit_id, "", f"conflict: {len(c.versions)} different contents")
        )
    return out


def check_level(tree: Hierarchy, level: str | None) -> None:
    """``--by``: a level of ``tree``, or a usage error naming the levels."""
    if level is not None and level not in tree.levels:
        raise UsageError(
            f"--by: unknown level {level!r} (expected one of {', '.join(tree.levels)})"
        )


def emit_coverage(tree: Hierarchy, table: list[TableRow], fmt: str) -> None:
    """Print coverage table rows (with unit names) as ``csv``, ``json`` or ``table``."""
    from gridgov.sweep.report import CSV_HEADER

    rows: list[tuple[Any, ...]] = list(table)
    if fmt == "table":
        rows = [(*r[:4], f"{float(r[4]) * 100:.1f}%", *r[5:]) for r in rows]
    elif fmt == "json":
        rows = [(*r[:4], float(r[4]), *r[5:]) for r in rows]
    emit_table(*with_names(tree, CSV_HEADER, rows), fmt)


def cmd_coverage(args: argparse.Namespace) -> int:
    """Print the coverage table; rejects go to stderr or ``--rejects``; exit 0.

    Without ``--org``/``--households``/``--visits`` the workspace's store answers
    (:func:`coverage_from_store`), printed exactly the same way.
    """
    given = [o for o in (args.org, args.households, args.visits) if o is not None]
    if not given:
        return coverage_from_store(args)
    if len(given) != 3:
        raise UsageError(
            "give --org, --households and --visits together, or none of them to read the "
            "workspace's store"
        )
    report = load_report(args)
    check_level(report.tree, args.by)
    emit_coverage(report.tree, report.table(args.by), args.format)
    lines = _reject_lines(report)
    if args.rejects is not None:
        buf = io.StringIO(newline="")
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(("file", "row", "visit_id", "household", "reason"))
        w.writerows(lines)
        atomic_write_text(Path(args.rejects), buf.getvalue())
    else:
        for f, row, vid, hh, reason in lines:
            where = f"{f}:{row}: " if f else ""
            print(f"gridgov: rejected: {where}visit {vid!r} {hh!r}: {reason}", file=sys.stderr)
    if lines:
        dest = args.rejects if args.rejects is not None else "standard error"
        print(f"gridgov: {len(lines)} visit(s) not counted (see {dest})", file=sys.stderr)
    return 0


def coverage_from_store(args: argparse.Namespace) -> int:
    """``gridgov sweep coverage --sweep ID`` in a workspace: the store's counts (SQL)."""
    from gridgov.cli.workspace_cmd import open_for
    from gridgov.sweep.report import table_row

    if args.sweep is None:
        raise UsageError("--sweep ID is required to read coverage from the workspace's store")
    if args.rejects is not None:
        raise UsageError("--rejects needs the visit files (--org, --households, --visits)")
    _, store = open_for(args)
    try:
        tree = store.hierarchy()
        if tree is None:
            raise UsageError("the store has no hierarchy yet (gridgov org import FILE)")
        sweep = store.sweep(args.sweep)
        if sweep is None:
            raise UsageError(
                f"--sweep: no sweep {args.sweep!r} in the store (gridgov sweep create)"
            )
        check_level(tree, args.by)
        counts = store.sweep_counts(sweep.id, level=args.by)
        open_conflicts = sum(1 for c in store.conflicts(sweep.id) if c.kept is None)
    finally:
        store.close()
    units = tree.at_level(args.by, under=sweep.scope) if args.by else tree.subtree(sweep.scope)
    emit_coverage(tree, [table_row(u, tree[u].level, counts[u]) for u in units], args.format)
    if open_conflicts:
        print(
            f"gridgov: {open_conflicts} visit id(s) in conflict, not counted "
            f"(gridgov sweep conflicts --sweep {sweep.id})",
            file=sys.stderr,
        )
    return 0


def cmd_missed(args: argparse.Namespace) -> int:
    """Print the re-visit queue, oldest first."""
    if args.limit is not None and args.limit < 0:
        raise UsageError("--limit must be 0 or more")
    report = load_report(args)
    zone = parse_zone(args.tz)
    now = parse_time(args.now, "--now", zone) if args.now else dt.datetime.now(zone)
    if args.unit is not None and args.unit not in report.tree:
        raise UsageError(f"--unit: unknown unit {args.unit!r}")
    # with an open window, households never visited wait since the sweep's first visit
    since = None if args.start else report.first_visit()
    queue = report.revisit_queue(now, unit=args.unit, unvisited_since=since)
    if args.limit is not None:
        queue = queue[: args.limit]
    rows = [
        (
            q.household,
            q.unit,
            q.reason,
            q.visits,
            q.since.isoformat(),
            round(q.age.total_seconds() / 3600, 1),
        )
        for q in queue
    ]
    emit_table(("household", "unit", "reason", "visits", "since", "age_hours"), rows, args.format)
    return 0


def cmd_assign(args: argparse.Namespace) -> int:
    """Print which buildings each sweeper takes and their workloads."""
    from gridgov.sweep.assign import assign_buildings, building_workloads
    from gridgov.sweep.csv_io import read_households

    if args.sweepers < 1:
        raise UsageError("--sweepers must be at least 1")
    if args.floor_weight < 0:
        raise UsageError("--floor-weight must be 0 or more")
    tree = load_tree(args.org, levels_for(args))
    if args.within not in tree.levels:
        raise UsageError(
            f"--within: unknown level {args.within!r} (expected one of {', '.join(tree.levels)})"
        )
    households = read_households(args.households)
    loads = building_workloads(tree, households, floor_weight=args.floor_weight)
    sweepers = [f"sweeper-{i:03d}" for i in range(1, args.sweepers + 1)]
    plan = assign_buildings(tree, loads, sweepers, within=args.within)
    rows = [
        (a.sweeper, a.unit or "", len(a.buildings), round(a.workload, 1), " ".join(a.buildings))
        for a in plan.assignments
    ]
    emit_table(("sweeper", "within", "buildings", "workload", "building_ids"), rows, args.format)
    return 0
