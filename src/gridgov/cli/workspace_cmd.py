"""Workspace commands: ``init``, ``org import``, ``roster publish``, ``notify flush|status``.

Each acts on the workspace's store (``--store URL`` overrides it) and sends
the events it produces through the workspace's channels. The demo's storage
step (:func:`demo_store_step`) lives here too.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gridgov import events as ev
from gridgov.cli.common import (
    UsageError,
    add_levels_option,
    emit_table,
    household_level_for,
    levels_for,
    load_tree,
)
from gridgov.cli.groups import add_store_options, command_group
from gridgov.errors import InvalidInput, SourceProblem
from gridgov.redact import redact_text, redact_url

if TYPE_CHECKING:  # loaded only when a command runs (fast start-up)
    from gridgov.duty.model import Problem
    from gridgov.notify.notifier import FlushReport, Notifier
    from gridgov.org.hierarchy import Hierarchy
    from gridgov.store.port import Store
    from gridgov.sweep.model import Household, Sweep, Visit
    from gridgov.workspace import Workspace


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``init``, ``org import``, ``roster publish``, ``notify flush|status``."""
    p = sub.add_parser("init", help="create a workspace: gridgov.toml and its store")
    p.add_argument("dir", nargs="?", default=".", help="folder (default: .)")
    p.add_argument("--store", help="store URL (default: sqlite:///gridgov.db in the folder)")
    p.add_argument("--force", action="store_true", help="overwrite an existing gridgov.toml")
    p.set_defaults(func=cmd_init)

    org = command_group(sub, "org", "organisation hierarchies")
    p = org.add_parser("import", help="store a hierarchy file (csv, json, graphml)")
    p.add_argument("file")
    p.add_argument(
        "--no-households",
        action="store_true",
        help="do not create sweep households from household-level units",
    )
    p.add_argument(
        "--household-level",
        default=None,
        metavar="LEVEL",
        help="the level whose units become sweep households "
        "(default: [org] household_level of gridgov.toml, else household)",
    )
    add_levels_option(p)
    add_store_options(p)
    p.set_defaults(func=cmd_org_import)

    roster = command_group(sub, "roster", "duty rosters")
    p = roster.add_parser("publish", help="store a roster document (json or csv) as a new version")
    p.add_argument("file")
    p.add_argument("--id", required=True, dest="roster_id", help="roster id")
    p.add_argument("--unit", help="the unit the roster is for (default: the root)")
    p.add_argument("--draft", action="store_true", help="store as a draft, do not publish")
    p.add_argument(
        "--problem",
        metavar="PROBLEM",
        help="the duty problem the roster is for (.json/.toml/.txt; default: the stored problem "
        "of the same id, if any): the roster must then cover it (see --allow-partial)",
    )
    p.add_argument(
        "--allow-partial",
        action="store_true",
        help="store a roster that leaves days or posts needing staff without anyone, or whose "
        "last line has no line end (refused by default as cut short)",
    )
    add_store_options(p)
    p.set_defaults(func=cmd_roster_publish)

    notify = command_group(sub, "notify", "event notifications")
    p = notify.add_parser("flush", help="deliver pending notifications")
    p.add_argument(
        "--wait",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="keep retrying through back-off for up to this long (default: one round)",
    )
    add_store_options(p)
    p.set_defaults(func=cmd_notify_flush)
    p = notify.add_parser("status", help="deliveries by channel and status")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    add_store_options(p)
    p.set_defaults(func=cmd_notify_status)


def workspace_for(args: argparse.Namespace) -> Workspace:
    """The workspace of ``--workspace`` (a bare one when only ``--store`` is given)."""
    from gridgov.workspace import CONFIG_NAME, Workspace

    root = Path(args.workspace)
    if not (root / CONFIG_NAME).exists() and getattr(args, "store", None):
        return Workspace(root, args.store)
    return Workspace.load(root)


def open_for(args: argparse.Namespace) -> tuple[Workspace, Store]:
    """The workspace and its open store (``--store`` wins)."""
    ws = workspace_for(args)
    return ws, ws.open_store(getattr(args, "store", None))


def now() -> dt.datetime:
    """The current time (the CLI is the edge where the clock is read)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def print_flush(report: FlushReport, out: Any = None) -> None:
    """One line about a flush; errors on stderr."""
    out = out or sys.stdout
    print(
        f"notifications: {report.delivered} delivered, {report.failed} failed, "
        f"{report.dead} given up, {report.pending} pending",
        file=out,
    )
    for err in report.errors[:20]:
        print(f"gridgov: notification failed: {redact_text(err)}", file=sys.stderr)


def cmd_init(args: argparse.Namespace) -> int:
    """``gridgov init [DIR]``."""
    from gridgov.workspace import init_workspace

    ws = init_workspace(args.dir, store_url=args.store, force=args.force)
    print(f"created {ws.config_path} (store {redact_url(ws.resolve_url())})")
    return 0


def households_of(tree: Hierarchy, level: str = "household") -> list[Household]:
    """Sweep households for the units of ``tree`` at ``level`` (in their parent unit).

    Only the level named as the household level makes households, never simply
    the deepest: a scheme without that level has no sweep households.
    """
    from gridgov.sweep.model import Household

    if level not in tree.levels:
        return []
    out = []
    for uid in tree.at_level(level):
        unit = tree[uid]
        floor = unit.attributes.get("floor")
        out.append(
            Household(
                uid,
                tree.parent(uid) or uid,
                floor if isinstance(floor, int) else None,
                door=uid.rsplit("-", 1)[-1] if "-" in uid else "",
            )
        )
    return out


def cmd_org_import(args: argparse.Namespace) -> int:
    """``gridgov org import FILE``: the hierarchy (and its households) into the store."""
    tree = load_tree(args.file, levels_for(args))
    level = household_level_for(args)
    _, store = open_for(args)
    try:
        households = None if args.no_households else households_of(tree, level)
        store.save_hierarchy(tree, households=households)  # one transaction
        n = len(households or ())
    finally:
        store.close()
    print(
        f"stored {len(tree):,} units and {n:,} households from {args.file}"
        f" in {redact_url(store.url)}"
    )
    if not args.no_households and level not in tree.levels:
        print(
            f"gridgov: note: no level {level!r} in the scheme ({', '.join(tree.levels)}): "
            "no sweep households made; name the household level with --household-level "
            "or household_level under [org] in gridgov.toml",
            file=sys.stderr,
        )
    return 0


def _roster_csv_rows(path: Path, *, allow_partial: bool) -> tuple[str, list[dict[str, str]]]:
    """The text and rows of a roster CSV to publish; empty, malformed or cut-short is an error.

    Refused: no header, a header only, a column twice, a record with more or
    fewer fields than the header, an unterminated quote, and (unless
    ``allow_partial``) a last line without a line end, which is what a file
    cut off while written or copied looks like.
    """
    import io

    from gridgov.csvrows import header_errors, records
    from gridgov.utf8 import read_utf8

    file = str(path)
    text = read_utf8(path)
    recs = records(io.StringIO(text, newline=""), file=file)
    first = next(recs, None)
    if first is None:
        message = "empty file: no header row, nothing to publish"
        raise InvalidInput([SourceProblem(message, row=1, file=file)])
    header = first[1]
    errors = header_errors([h.strip() for h in header], file=file)
    rows: list[dict[str, str]] = []
    last = 1
    for n, rec in recs:
        last = n
        if not rec or all(not c.strip() for c in rec):
            continue
        if len(rec) != len(header):
            errors.append(
                SourceProblem(f"expected {len(header)} fields, found {len(rec)}", row=n, file=file)
            )
            continue
        rows.append(dict(zip(header, rec, strict=True)))
    if not rows and not errors:
        errors.append(SourceProblem("no rows: the file has a header row only", row=2, file=file))
    if not errors and not allow_partial and not text.endswith(("\n", "\r")):
        errors.append(
            SourceProblem(
                "the last line has no line end: the file may have been cut short"
                " (end it with a line end, or publish with --allow-partial)",
                row=last,
                file=file,
            )
        )
    if errors:
        raise InvalidInput(errors)
    return text, rows


def _publish_problem(args: argparse.Namespace, store: Store) -> Problem | None:
    """The problem a published roster must cover: ``--problem``, else the stored one of its id."""
    if args.problem:
        from gridgov.cli.roster_cmd import load_problem

        return load_problem(args.problem, "auto")
    data = store.problem(args.roster_id)
    if data is None:
        return None
    from gridgov.duty.formats.native import from_data

    return from_data(data, file=f"stored problem {args.roster_id!r}")


def _check_covers(
    problem: Problem, path: Path, text: str | None, doc: Any, *, allow_partial: bool
) -> None:
    """Refuse a roster with unknown ids, or (unless ``allow_partial``) one that is cut short."""
    from gridgov.duty.compiled import compile_problem
    from gridgov.duty.formats.roster_csv import coverage_gaps, parse_roster_csv
    from gridgov.duty.grid import to_grid
    from gridgov.errors import GridgovError
    from gridgov.report.from_store import roster_from_doc

    file = str(path)
    post = problem.posts[0].id if len(problem.posts) == 1 else ""
    if text is not None:
        roster = parse_roster_csv(text, file=file, post=post)
        first_row = 2
    else:
        try:
            roster = roster_from_doc(doc)
        except GridgovError as exc:
            raise InvalidInput([SourceProblem(str(exc), file=file)]) from None
        first_row = 1
    to_grid(compile_problem(problem), roster, file=file, first_row=first_row)
    gaps = coverage_gaps(problem, roster)
    if gaps and not allow_partial:
        raise InvalidInput(
            [
                SourceProblem(
                    f"not a complete roster of the problem: {gap}"
                    " (publish with --allow-partial if that is meant)",
                    file=file,
                )
                for gap in gaps
            ]
        )


def _roster_doc(path: Path, *, allow_partial: bool) -> tuple[str | None, Any]:
    """``(CSV text or None, document)`` of a roster file to publish (never empty)."""
    if path.suffix.lower() == ".csv":
        return _roster_csv_rows(path, allow_partial=allow_partial)
    from gridgov.documents import read_json_file

    doc = read_json_file(path)
    if doc in ([], {}) or (isinstance(doc, dict) and doc.get("assignments") == []):
        message = "an empty roster document: nothing to publish"
        raise InvalidInput([SourceProblem(message, file=str(path))])
    return None, doc


def cmd_roster_publish(args: argparse.Namespace) -> int:
    """``gridgov roster publish FILE --id ID``: a new version, and a roster-published event.

    Nothing is stored or announced for a roster that is empty, malformed or
    cut short (see :func:`_roster_csv_rows` and, when a problem is known,
    :func:`gridgov.duty.formats.roster_csv.coverage_gaps`).
    """
    path = Path(args.file)
    text, doc = _roster_doc(path, allow_partial=args.allow_partial)
    ws, store = open_for(args)
    try:
        problem = _publish_problem(args, store)
        if problem is not None:
            _check_covers(problem, path, text, doc, allow_partial=args.allow_partial)
        tree = store.hierarchy()
        unit = args.unit or (tree.root if tree is not None else "")
        if args.unit and tree is not None and args.unit not in tree:
            raise UsageError(f"--unit {args.unit!r} is not in the stored hierarchy")
        status = "draft" if args.draft else "published"
        notifier = None if args.draft else ws.notifier(store)
        shifts = len(doc) if isinstance(doc, list) else 0
        events: list[ev.Event] = []

        def outbox(version: int) -> list[tuple[ev.Event, list[str]]]:
            """The roster-published event, enqueued in the roster's own transaction."""
            if notifier is None:
                return []
            event = ev.roster_published(
                roster=args.roster_id,
                version=version,
                unit=unit,
                at=now(),
                shifts=shifts,
                secret=ws.secret(),
            )
            events.append(event)
            return [(event, notifier.channels_for(event))]

        version = store.save_roster(
            args.roster_id, doc, status=status, unit=unit or None, outbox=outbox
        )
        print(f"roster {args.roster_id} version {version} stored as {status}")
        if notifier is not None:
            for event in events:
                notifier.announce(event)
            print_flush(notifier.flush())
    finally:
        store.close()
    return 0


def cmd_notify_flush(args: argparse.Namespace) -> int:
    """``gridgov notify flush``: deliver what is due; exit 1 if anything failed."""
    ws, store = open_for(args)
    try:
        notifier = ws.notifier(store)
        report = notifier.drain(timeout=args.wait) if args.wait > 0 else notifier.flush()
    finally:
        store.close()
    print_flush(report)
    return 1 if report.failed else 0


def cmd_notify_status(args: argparse.Namespace) -> int:
    """``gridgov notify status``: how many deliveries per channel and status."""
    _, store = open_for(args)
    try:
        counts = Counter((d.channel, d.status) for d in store.deliveries())
    finally:
        store.close()
    rows = [(ch, st, n) for (ch, st), n in sorted(counts.items())]
    emit_table(("channel", "status", "deliveries"), rows, args.format)
    return 0


def publish_all(notifier: Notifier, events: list[ev.Event]) -> int:
    """Publish events; returns how many deliveries were new."""
    return notifier.publish_all(events)


def _same_coverage(
    store: Store, tree: Hierarchy, households: list[Household], visits: list[Visit], sweep: Sweep
) -> str:
    """Whether the store's coverage (SQL) equals the batch coverage the demo printed."""
    from gridgov.sweep.coverage import coverage

    batch = coverage(tree, households, visits, sweep)
    stored = store.sweep_counts(sweep.id)
    differ = [u for u in batch.units() if stored.get(u) != batch.counts(u)]
    if not differ:
        return (
            f"the store's coverage (computed in SQL) equals the coverage above "
            f"for all {len(stored):,} units"
        )
    return f"WARNING: the store's coverage differs in {len(differ)} units, e.g. {differ[0]}"


def demo_store_step(
    out: Path,
    tree: Hierarchy,
    *,
    households: list[Household],
    sweep: Sweep,
    visits: list[Visit],
    threshold: float = 0.9,
) -> None:
    """The demo's storage step: a workspace in ``out``, the county, a sweep and its events.

    Keeps everything in the workspace's default SQLite store: the county, the
    households, the sweep and its visits (plus one upload for an unknown
    household, which the store rejects), rolls coverage up to communities in SQL,
    and sends a coverage-below-threshold event per community under ``threshold``
    and a visit-rejected event through the configured channels (log by default).
    Running it again adds nothing: visits are idempotent by id.
    """
    from gridgov.sweep.model import Visit
    from gridgov.workspace import CONFIG_NAME, Workspace, init_workspace

    ws = Workspace.load(out) if (out / CONFIG_NAME).exists() else init_workspace(out)
    store = ws.open_store()
    try:
        store.save_hierarchy(tree)
        store.save_households(households)
        store.save_sweep(sweep)
        at = sweep.end
        visits = [*visits, Visit(f"{sweep.id}:ghost", sweep.id, "no-such-household", sweep.end)]
        result = store.append_visits(visits)
        notifier = ws.notifier(store)
        secret = ws.secret()
        events = [
            ev.visit_rejected(
                visit=r.visit.id,
                household=r.visit.household,
                unit=tree.root,
                reason=r.reason,
                at=at,
                secret=secret,
            )
            for r in result.rejected
        ]
        below = []
        for unit, c in store.sweep_counts(sweep.id, level="community").items():
            if c.target and c.coverage < threshold:
                below.append((unit, c.coverage))
                events.append(
                    ev.coverage_below(
                        sweep=sweep.id,
                        unit=unit,
                        coverage=c.coverage,
                        threshold=threshold,
                        at=at,
                        secret=secret,
                    )
                )
        publish_all(notifier, events)
        report = notifier.flush()
        print(
            f"store: {ws.resolve_url()}: {store.count_visits():,} visits in sweep {sweep.id} "
            f"({result.added:,} added, {result.duplicates:,} already there, "
            f"{len(result.rejected)} rejected)"
        )
        print(f"  {_same_coverage(store, tree, households, visits, sweep)}")
        print(
            f"  {len(below)} communities below {threshold:.0%} reached; "
            f"{report.delivered} notifications delivered through "
            f"{', '.join(c.name for c in ws.channels) or 'no channel'}"
        )
    finally:
        store.close()
