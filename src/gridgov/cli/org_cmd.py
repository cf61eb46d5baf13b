"""``gridgov org ...``: validate, show, roll up and export hierarchies."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from gridgov.cli.common import UsageError, emit_table, load_tree, parse_levels
from gridgov.errors import InvalidInput, SourceError
from gridgov.org import (
    graphml_text,
    level_counts,
    rollup,
    to_dot,
    to_mermaid,
    write_csv_text,
)
from gridgov.org.hierarchy import Hierarchy
from gridgov.org.json_io import dumps


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``org`` and its sub-commands."""
    org = sub.add_parser("org", help="organisation hierarchies")
    osub = org.add_subparsers(dest="org_command", metavar="SUBCOMMAND", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--levels",
        default=None,
        help="level scheme for CSV input, shallowest first "
        "(default: county,township,community,grid,building,household)",
    )

    p = osub.add_parser(
        "validate", parents=[common], help="check a hierarchy file; list every error"
    )
    p.add_argument("file")
    p.set_defaults(func=cmd_validate)

    p = osub.add_parser("show", parents=[common], help="the tree as indented text with counts")
    p.add_argument("file")
    p.add_argument("--depth", type=int, default=None, help="levels below the root to show")
    p.set_defaults(func=cmd_show)

    p = osub.add_parser("rollup", parents=[common], help="sum an attribute over every subtree")
    p.add_argument("file")
    p.add_argument("--sum", dest="attribute", required=True, metavar="ATTR")
    p.add_argument("--level", default=None)
    p.add_argument("--format", choices=("csv", "json", "table"), default="table")
    p.set_defaults(func=cmd_rollup)

    p = osub.add_parser(
        "export", parents=[common], help="convert to csv, json, graphml, mermaid or dot"
    )
    p.add_argument("file")
    p.add_argument("--to", required=True, choices=("csv", "json", "graphml", "mermaid", "dot"))
    p.add_argument("--out", default=None, help="file to write (default: standard output)")
    p.add_argument("--depth", type=int, default=None, help="depth limit for mermaid and dot")
    p.add_argument(
        "--reveal-personal",
        action="store_true",
        help="do not mask personal data (party secretaries' names)",
    )
    p.set_defaults(func=cmd_export)


def cmd_validate(args: argparse.Namespace) -> int:
    """Exit 0 with units per level, or 1 with every error as ``FILE:ROW: FIELD: message``."""
    try:
        tree = load_tree(args.file, parse_levels(args.levels))
    except InvalidInput as exc:
        for err in exc.errors:
            print(err)
        print(f"{len(exc.errors)} error(s)", file=sys.stderr)
        return 1
    counts = Counter(u.level for u in tree)
    print(f"{args.file}: valid, {len(tree)} units")
    for level in tree.levels:
        if counts[level]:
            print(f"  {level}: {counts[level]}")
    return 0


def show_text(tree: Hierarchy, depth: int | None) -> str:
    """The indented picture used by ``org show``."""
    below = level_counts(tree)
    idx = tree.index
    lines = []
    i, n = 0, len(idx.order)
    while i < n:
        uid = idx.order[i]
        d = idx.depth[i]
        unit = tree[uid]
        counts = below[uid]
        summary = ", ".join(f"{counts[lv]} {lv}" for lv in tree.levels if counts[lv])
        party = f" [{unit.party.kind}]" if unit.party else ""
        lines.append(
            f"{'  ' * d}{unit.name or uid} ({unit.level} {uid}){party}"
            + (f": {summary}" if summary else "")
        )
        if depth is not None and d >= depth:
            i += idx.size[i]
        else:
            i += 1
    return "\n".join(lines)


def cmd_show(args: argparse.Namespace) -> int:
    """Print the tree as indented text."""
    if args.depth is not None and args.depth < 0:
        raise UsageError("--depth must be 0 or more")
    print(show_text(load_tree(args.file, parse_levels(args.levels)), args.depth))
    return 0


def cmd_rollup(args: argparse.Namespace) -> int:
    """Print the sum of an attribute over each unit's subtree."""
    tree = load_tree(args.file, parse_levels(args.levels))
    if args.level is not None and args.level not in tree.levels:
        raise UsageError(f"unknown level {args.level!r} (expected one of {', '.join(tree.levels)})")
    if not any(u.number(args.attribute) is not None for u in tree):
        raise InvalidInput(
            [
                SourceError(
                    f"no unit has a numeric value for {args.attribute!r}",
                    field=args.attribute,
                    file=args.file,
                )
            ]
        )
    sums = rollup(tree, args.attribute, "sum")
    ids = tree.at_level(args.level) if args.level else tree.index.order
    rows = [(uid, tree[uid].level, sums[uid]) for uid in ids]
    emit_table(("id", "level", args.attribute), rows, args.format)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write the tree in another format."""
    tree = load_tree(args.file, parse_levels(args.levels))
    mask = not args.reveal_personal
    if args.to == "csv":
        text = write_csv_text(tree, mask=mask)
    elif args.to == "json":
        text = dumps(tree, mask=mask, indent=1) + "\n"
    elif args.to == "graphml":
        text = graphml_text(tree, mask=mask) + "\n"
    elif args.to == "mermaid":
        text = to_mermaid(tree, max_depth=args.depth)
    else:
        text = to_dot(tree, max_depth=args.depth)
    if args.out:
        from gridgov.fsutil import atomic_write_text

        atomic_write_text(Path(args.out), text)
    else:
        sys.stdout.write(text)
    return 0
