"""``gridgov report``: the coordinator's HTML page of a stored sweep and its roster."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
from pathlib import Path
from typing import TYPE_CHECKING

from gridgov.cli.common import UsageError
from gridgov.cli.groups import add_store_options
from gridgov.errors import InvalidInput
from gridgov.fsutil import atomic_write_text

if TYPE_CHECKING:  # loaded only when a command runs (fast start-up)
    from gridgov.duty.model import Problem, Roster


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``report``."""
    p = sub.add_parser(
        "report",
        help="write one self-contained HTML page: coverage, re-visits, follow-up, roster",
        description=(
            "Write one self-contained HTML page (no network, styles and script inline) "
            "for a coordinator: coverage by unit as bars with drill-down, units under "
            "the threshold marked, the re-visit queue, follow-up of isolated and "
            "vulnerable residents, and the published roster by post and day with "
            "nights and gaps in cover marked. Personal data are masked unless "
            "--reveal-personal."
        ),
    )
    add_store_options(p)
    p.add_argument("--sweep", help="sweep id (default: the latest stored sweep)")
    p.add_argument("--roster", help="published roster id (default: one with a stored problem)")
    p.add_argument(
        "--residents",
        metavar="FILE",
        help="residents for follow-up (JSON Lines, gridgov.sweep.residents_io)",
    )
    p.add_argument(
        "--at",
        metavar="TIME",
        help="the moment the report is for, ISO 8601 (default: now, within the sweep's window)",
    )
    p.add_argument(
        "--threshold",
        type=float,
        default=0.9,
        help="units under this coverage are marked (default: 0.9)",
    )
    p.add_argument(
        "--down-to", metavar="LEVEL", help="deepest level of the bars (default: above buildings)"
    )
    p.add_argument(
        "--out", metavar="FILE.html", help="output file (default: report.html in the workspace)"
    )
    p.add_argument(
        "--reveal-personal",
        action="store_true",
        help="show people's names and health flags (the file is then confidential)",
    )
    p.set_defaults(func=cmd_report)


def _at(text: str | None) -> dt.datetime:
    if text is None:
        return dt.datetime.now(dt.UTC).replace(microsecond=0)  # the CLI reads the clock
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--at: not an ISO 8601 time: {text!r}") from None


def cmd_report(args: argparse.Namespace) -> int:
    """Write the report page and say where it is."""
    from gridgov.cli.workspace_cmd import open_for
    from gridgov.report import load_report, report_html
    from gridgov.sweep.residents_io import read_residents

    if not 0.0 <= args.threshold <= 1.0:
        raise UsageError(f"--threshold must be between 0 and 1, got {args.threshold}")
    at = _at(args.at)
    residents = read_residents(args.residents) if args.residents else []
    ws, store = open_for(args)
    try:
        try:
            report = load_report(
                store,
                at=at,
                sweep_id=args.sweep,
                roster_id=args.roster,
                residents=residents,
                threshold=args.threshold,
                down_to=args.down_to,
                mask=not args.reveal_personal,
            )
        except InvalidInput:
            raise
        except ValueError as exc:  # an unknown --down-to level
            raise UsageError(str(exc)) from None
    finally:
        store.close()
    out = Path(args.out) if args.out else ws.root / "report.html"
    atomic_write_text(out, report_html(report))
    top = report.coverage
    print(
        f"report: {out}: sweep {report.sweep}, {top.reached:,} of {top.target:,} reached "
        f"({top.coverage:.1%}), {len(report.below)} units below {report.threshold:.0%}, "
        f"{report.queue.total:,} households to re-visit"
        + (
            f", roster {report.roster.roster} with {report.roster.gaps} gaps"
            if report.roster
            else ""
        )
    )
    return 0


def demo_report_step(out: Path, problem: Problem, roster: Roster) -> Path:
    """The demo's last step: publish its roster in the workspace store and write report.html.

    The duty problem is stored under the id ``duty`` and the roster as its
    published version (as ``gridgov roster publish`` stores a roster CSV), so the
    report shows it; the report is made for the end of the demo's sweep, with the
    follow-up of the residents the demo wrote (``residents.jsonl``).
    """
    from gridgov.duty.formats.roster_csv import roster_csv_text
    from gridgov.report import load_report, report_html
    from gridgov.serialize import unstructure
    from gridgov.sweep.residents_io import read_residents
    from gridgov.workspace import Workspace

    ws = Workspace.load(out)
    store = ws.open_store()
    try:
        store.save_problem("duty", unstructure(problem))
        rows = list(csv.DictReader(io.StringIO(roster_csv_text(roster, with_post=True))))
        latest = store.roster("duty", status="published")
        if latest is None or latest.doc != rows:
            store.save_roster("duty", rows, status="published")
        sweep = max(store.sweeps(), key=lambda s: (s.start, s.id))
        found = out / "residents.jsonl"
        residents = read_residents(found) if found.exists() else []
        report = load_report(
            store, at=sweep.end, sweep_id=sweep.id, roster_id="duty", residents=residents
        )
    finally:
        store.close()
    path = out / "report.html"
    atomic_write_text(path, report_html(report))
    print(
        f"report: {path}: {len(report.below)} units below {report.threshold:.0%}, "
        f"{report.queue.total:,} households to re-visit, "
        f"{report.roster.gaps if report.roster else 0} roster shifts short of staff"
    )
    return path
