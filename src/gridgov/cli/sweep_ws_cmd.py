"""``gridgov sweep import-households|conflicts|resolve`` and coverage from the workspace's store.

The coverage a workspace reports is the store's (:meth:`Store.sweep_counts`,
computed in SQL), printed exactly as ``gridgov sweep coverage --org ...
--households ... --visits ...`` prints the same data read from files.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from gridgov.cli.common import UsageError, emit_table
from gridgov.cli.groups import add_store_options, command_group
from gridgov.cli.workspace_cmd import open_for
from gridgov.errors import InvalidInput, SourceProblem
from gridgov.privacy import mask_name

CONFLICT_HEADER = (
    "visit_id",
    "version",
    "kept",
    "household",
    "at",
    "outcome",
    "persons_seen",
    "persons_registered",
    "returnees",
    "visitor",
    "note",
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``sweep import-households``, ``sweep conflicts`` and ``sweep resolve``."""
    sweep = command_group(sub, "sweep", "door-to-door sweeps")
    p = sweep.add_parser(
        "import-households",
        help="store a households file (id,building,floor,occupancy); idempotent",
    )
    p.add_argument("file")
    add_store_options(p)
    p.set_defaults(func=cmd_import_households)

    p = sweep.add_parser(
        "conflicts", help="visit ids stored with different contents, every version"
    )
    p.add_argument("--sweep", required=True, metavar="ID")
    p.add_argument("--format", choices=("csv", "json", "table"), default="table")
    p.add_argument(
        "--unmasked", action="store_true", help="show visitors and notes (personal data) as stored"
    )
    add_store_options(p)
    p.set_defaults(func=cmd_conflicts)

    p = sweep.add_parser("resolve", help="record which version of a conflicting visit counts")
    p.add_argument("visit_id")
    p.add_argument("--sweep", required=True, metavar="ID")
    p.add_argument("--keep", required=True, type=int, metavar="N", help="the version to count")
    p.add_argument("--note", default="", help="why (kept with the resolution)")
    add_store_options(p)
    p.set_defaults(func=cmd_resolve)


def cmd_import_households(args: argparse.Namespace) -> int:
    """Check the file (and its buildings against the stored hierarchy), then upsert it."""
    from gridgov.sweep.csv_io import read_household_rows

    rows = read_household_rows(args.file)
    _, store = open_for(args)
    try:
        tree = store.hierarchy()
        if tree is not None:
            bad = [
                SourceProblem(
                    f"unknown building {h.building!r} (not in the stored hierarchy)",
                    field="building",
                    row=row,
                    file=args.file,
                )
                for row, h in rows
                if h.building not in tree
            ]
            if bad:
                raise InvalidInput(bad[:100])
        before = {h.id: h for h in store.households()}
        households = [h for _, h in rows]
        store.save_households(households)
    finally:
        store.close()
    new = sum(1 for h in households if h.id not in before)
    changed = sum(1 for h in households if h.id in before and before[h.id] != h)
    print(
        f"stored {len(households):,} households from {args.file}: {new:,} new, "
        f"{changed:,} changed, {len(households) - new - changed:,} unchanged"
    )
    return 0


def _sweep_of(store: Any, sweep_id: str) -> Any:
    sweep = store.sweep(sweep_id)
    if sweep is None:
        raise UsageError(f"--sweep: no sweep {sweep_id!r} in the store (see gridgov sweep create)")
    return sweep


def cmd_conflicts(args: argparse.Namespace) -> int:
    """List every conflicting visit id of a sweep with every version (numbered by arrival)."""
    _, store = open_for(args)
    try:
        _sweep_of(store, args.sweep)
        listed = store.conflicts(args.sweep)
    finally:
        store.close()
    show = (lambda t: t) if args.unmasked else mask_name
    rows = [
        (
            c.visit_id,
            v.number,
            "yes" if c.kept == v.number else "",
            v.visit.household,
            v.visit.at.isoformat(),
            v.visit.outcome.value,
            v.visit.persons_seen,
            v.visit.persons_registered,
            v.visit.returnees,
            show(v.visit.visitor),
            show(v.visit.note),
        )
        for c in listed
        for v in c.versions
    ]
    emit_table(CONFLICT_HEADER, rows, args.format)
    open_ = sum(1 for c in listed if c.kept is None)
    print(
        f"gridgov: {len(listed)} visit id(s) with different contents, {open_} unresolved"
        + (f" (gridgov sweep resolve VISIT_ID --sweep {args.sweep} --keep N)" if open_ else ""),
        file=sys.stderr,
    )
    return 0


def cmd_resolve(args: argparse.Namespace) -> int:
    """Record a resolution (a new fact); afterwards the kept version counts."""
    _, store = open_for(args)
    try:
        _sweep_of(store, args.sweep)
        kept = store.resolve(args.sweep, args.visit_id, args.keep, note=args.note)
    finally:
        store.close()
    v = kept.visit
    print(f"visit {args.visit_id!r}: version {kept.number} kept; it now counts")
    print(f"  household {v.household}, {v.at.isoformat()}, {v.outcome.value}")
    return 0
