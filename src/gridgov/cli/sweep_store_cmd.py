"""``gridgov sweep import-visits`` and ``gridgov sweep create``: sweep data into the store.

These commands join the ``sweep`` group when another module made it (the
sweep engineer's ``sweep_cmd`` with ``coverage|missed|assign``), or make it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import TYPE_CHECKING

from gridgov import events as ev
from gridgov.cli.common import UsageError, engine
from gridgov.cli.groups import add_store_options, command_group
from gridgov.cli.workspace_cmd import now, open_for, print_flush

if TYPE_CHECKING:  # loaded only when a command runs (fast start-up)
    from gridgov.events import Event
    from gridgov.notify import Notifier
    from gridgov.store.port import AppendResult, Store
    from gridgov.store.visit_io import BatchReport
    from gridgov.workspace import Workspace

MAX_LISTED = 20


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``sweep import-visits`` and ``sweep create``."""
    sweep = command_group(sub, "sweep", "door-to-door sweeps")
    p = sweep.add_parser(
        "import-visits", help="store a visits file (jsonl or csv), batch by batch, idempotent by id"
    )
    p.add_argument("file")
    p.add_argument(
        "--sweep", default=None, metavar="ID", help="the sweep of rows without a sweep field"
    )
    p.add_argument(
        "--batch", type=int, default=50_000, help="visits per transaction (default 50000)"
    )
    add_store_options(p)
    p.set_defaults(func=cmd_import_visits)

    p = sweep.add_parser("create", help="store a sweep campaign")
    p.add_argument("sweep_id")
    p.add_argument("--scope", required=True, help="the unit whose subtree is swept")
    p.add_argument("--start", required=True, type=dt.datetime.fromisoformat)
    p.add_argument("--end", required=True, type=dt.datetime.fromisoformat)
    p.add_argument("--purpose", default="")
    add_store_options(p)
    p.set_defaults(func=cmd_sweep_create)


def cmd_sweep_create(args: argparse.Namespace) -> int:
    """``gridgov sweep create ID --scope U --start T --end T``."""
    from gridgov.sweep.model import Sweep

    if args.end < args.start:
        raise UsageError("--end is before --start")
    _, store = open_for(args)
    try:
        tree = store.hierarchy()
        if tree is not None and args.scope not in tree:
            raise UsageError(f"--scope {args.scope!r} is not in the stored hierarchy")
        store.save_sweep(Sweep(args.sweep_id, args.scope, args.start, args.end, args.purpose))
    finally:
        store.close()
    print(f"sweep {args.sweep_id} over {args.scope} stored")
    return 0


def cmd_import_visits(args: argparse.Namespace) -> int:
    """Check the file, then store it batch by batch; exit 1 on conflicts or rejections."""
    from gridgov.store.visit_io import check_file, import_visits

    if args.batch < 1:
        raise UsageError("--batch must be at least 1")
    checked = check_file(args.file, sweep=args.sweep, engine=engine())
    total_rows = checked.count
    ws, store = open_for(args)

    def committed(b: BatchReport) -> None:
        r = b.result
        print(
            f"batch {b.number} committed: rows {b.first_row}-{b.last_row}, "
            f"{r.added} added, {r.duplicates} already stored",
            flush=True,
        )

    try:
        rejections = _RejectionEvents(ws, store)
        result = import_visits(
            store,
            args.file,
            batch_size=args.batch,
            on_batch=committed,
            sweep=args.sweep,
            checked=checked,
            outbox=rejections,
        )
        _report_problems(args.file, result)
        if rejections.notifier is not None:
            for event in rejections.made:  # observers hear of committed events only
                rejections.notifier.announce(event)
            print_flush(rejections.notifier.flush())
    finally:
        store.close()
    print(
        f"imported {args.file}: {total_rows:,} visits read, {result.added:,} added, "
        f"{result.duplicates:,} already stored, {len(result.conflicts)} conflicts, "
        f"{len(result.rejected)} rejected"
    )
    return 1 if result.conflicts or result.rejected else 0


class _RejectionEvents:
    """The outbox of each batch: a visit-rejected event for each rejection, enqueued in the
    batch's own transaction (visits and events stored together, or neither). The tree,
    the notifier and the secret are read at the first rejection."""

    def __init__(self, ws: Workspace, store: Store) -> None:
        self.ws = ws
        self.store = store
        self.notifier: Notifier | None = None
        self.made: list[Event] = []
        """The events of the batches committed so far (and of the one being written)."""
        self.at = now()

    def __call__(self, result: AppendResult) -> list[tuple[Event, list[str]]]:
        if not result.rejected:
            return []
        if self.notifier is None:
            self.notifier = self.ws.notifier(self.store)
            self.tree = self.store.hierarchy()
            self.secret = self.ws.secret()
        out = []
        for r in result.rejected:
            house = self.store.household(r.visit.household)
            root = self.tree.root if self.tree else ""
            event = ev.visit_rejected(
                visit=r.visit.id,
                household=r.visit.household,
                unit=house.building if house is not None else root,
                reason=r.reason,
                at=self.at,
                secret=self.secret,
            )
            out.append((event, self.notifier.channels_for(event)))
            self.made.append(event)
        return out


def _report_problems(file: str, result: AppendResult) -> None:
    lines = [
        f"{file}: visit {c.id!r}: already stored with different content (both versions kept;"
        f" neither counts until resolved: gridgov sweep conflicts --sweep {c.offered.sweep})"
        for c in result.conflicts
    ] + [f"{file}: visit {r.visit.id!r}: {r.reason}" for r in result.rejected]
    for line in lines[:MAX_LISTED]:
        print(f"gridgov: error: {line}", file=sys.stderr)
    if len(lines) > MAX_LISTED:
        print(f"gridgov: error: ... and {len(lines) - MAX_LISTED} more", file=sys.stderr)
