"""``gridgov org ...``: validate, show, roll up and export hierarchies."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from gridgov.cli.common import (
    UsageError,
    add_levels_option,
    emit_table,
    levels_for,
    load_tree,
    print_errors,
)
from gridgov.errors import InvalidInput, SourceProblem

if TYPE_CHECKING:  # loaded only when a command runs (fast start-up)
    from gridgov.org.hierarchy import Hierarchy


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``org`` and its sub-commands."""
    org = sub.add_parser("org", help="organisation hierarchies")
    osub = org.add_subparsers(dest="org_command", metavar="SUBCOMMAND", required=True)
    common = argparse.ArgumentParser(add_help=False)
    add_levels_option(common)
    common.add_argument(
        "--text",
        action="append",
        default=[],
        metavar="COLUMN",
        help="CSV input: keep COLUMN as text even when it holds numbers (repeatable)",
    )
    raw = argparse.ArgumentParser(add_help=False)
    raw.add_argument(
        "--raw",
        action="store_true",
        help="CSV output: write cells exactly, without neutralising formula-like text",
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

    p = osub.add_parser("rollup", parents=[common, raw], help="sum an attribute over every subtree")
    p.add_argument("file")
    p.add_argument("--sum", dest="attribute", required=True, metavar="ATTR")
    p.add_argument("--level", default=None)
    p.add_argument("--format", choices=("csv", "json", "table"), default="table")
    p.set_defaults(func=cmd_rollup)

    p = osub.add_parser(
        "export", parents=[common, raw], help="convert to csv, json, graphml, mermaid or dot"
    )
    p.add_argument("file")
    p.add_argument("--to", required=True, choices=("csv", "json", "graphml", "mermaid", "dot"))
    p.add_argument("--out", default=None, help="file to write (default: standard output)")
    p.add_argument("--depth", type=int, default=None, help="depth limit for mermaid and dot")
    p.add_argument("--root", default=None, metavar="UNIT", help="export only the subtree of UNIT")
    p.add_argument(
        "--reveal-personal",
        action="store_true",
        help="do not mask personal data (party secretaries' names)",
    )
    p.set_defaults(func=cmd_export)

    p = osub.add_parser(
        "diff",
        parents=[common, raw],
        help="what changed from A to B: added, removed, moved, changed",
    )
    p.add_argument("old", metavar="A")
    p.add_argument("new", metavar="B")
    p.add_argument("--format", choices=("csv", "json", "table"), default="table")
    p.set_defaults(func=cmd_diff)

    p = osub.add_parser(
        "find", parents=[common, raw], help="units whose name contains NAME, each with its path"
    )
    p.add_argument("file")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--level", default=None, help="only units at this level")
    p.add_argument("--exact", action="store_true", help="the whole name, not a part of it")
    p.add_argument("--format", choices=("csv", "json", "table"), default="table")
    p.set_defaults(func=cmd_find)


def cmd_validate(args: argparse.Namespace) -> int:
    """Exit 0 with units per level, or 1 with every error on stderr.

    Each error is ``gridgov: error: FILE:ROW: FIELD: message``, as every command prints.
    """
    try:
        tree = load_tree(args.file, levels_for(args), args.text)
    except InvalidInput as exc:
        print_errors(exc)
        print(f"gridgov: {len(exc.errors)} error(s)", file=sys.stderr)
        return 1
    counts = Counter(u.level for u in tree)
    print(f"{args.file}: valid, {len(tree)} units")
    for level in tree.levels:
        if counts[level]:
            print(f"  {level}: {counts[level]}")
    return 0


def show_text(tree: Hierarchy, depth: int | None) -> str:
    """The indented picture used by ``org show``."""
    from gridgov.org import level_counts

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
    print(show_text(load_tree(args.file, levels_for(args), args.text), args.depth))
    return 0


def cmd_rollup(args: argparse.Namespace) -> int:
    """Print the sum of an attribute over each unit's subtree."""
    from gridgov.org import rollup
    from gridgov.org.rollup import has_number

    tree = load_tree(args.file, levels_for(args), args.text)
    if args.level is not None and args.level not in tree.levels:
        raise UsageError(f"unknown level {args.level!r} (expected one of {', '.join(tree.levels)})")
    if not has_number(tree, args.attribute):
        raise InvalidInput(
            [
                SourceProblem(
                    f"no unit has a numeric value for {args.attribute!r}",
                    field=args.attribute,
                    file=args.file,
                )
            ]
        )
    sums = rollup(tree, args.attribute, "sum")
    emit_table(
        ("id", "name", "level", args.attribute),
        sums.rows(tree, args.level),
        args.format,
        raw=args.raw,
    )
    return 0


def subtree_or_all(tree: Hierarchy, root: str | None) -> Hierarchy:
    """``tree``, or with ``root`` the subtree of that unit (its relations inside it kept)."""
    if root is None:
        return tree
    if root not in tree:
        raise UsageError(f"--root: unknown unit {root!r}")
    from gridgov.store.codec import subtree_of

    return subtree_of(tree, root)


LEAVING_SHOWN = 20
"""How many of the links a subtree export leaves out are named on stderr (then a count)."""


def _note_links_leaving(tree: Hierarchy, root: str) -> None:
    """Say on stderr which relation links cross the edge of ``root``'s subtree: an export of
    the subtree holds its units only, so a link to a unit outside it cannot be written (a
    file naming a unit it does not hold would not read back); it is left out, not hidden."""
    leaving = tree.relations.links_leaving(set(tree.subtree(root)))
    if not leaving:
        return
    print(
        f"gridgov: note: {len(leaving)} relation link(s) reach outside {root!r} and are "
        "not in the export:",
        file=sys.stderr,
    )
    for line in leaving[:LEAVING_SHOWN]:
        print(f"  {line}", file=sys.stderr)
    if len(leaving) > LEAVING_SHOWN:
        print(f"  ... and {len(leaving) - LEAVING_SHOWN} more", file=sys.stderr)


def cmd_export(args: argparse.Namespace) -> int:
    """Write the tree (or the subtree of ``--root``) in another format.

    CSV written to ``--out FILE`` comes with its relations companion file; on
    standard output only the tree is written (a note on stderr says so).
    """
    from gridgov.org import graphml_text, to_dot, to_mermaid, write_csv, write_csv_text
    from gridgov.org.json_io import dumps
    from gridgov.org.relations_csv import has_relations

    full = load_tree(args.file, levels_for(args), args.text)
    tree = subtree_or_all(full, args.root)
    if args.root is not None:
        _note_links_leaving(full, args.root)
    mask = not args.reveal_personal
    if args.to == "csv":
        if args.out:
            write_csv(tree, args.out, mask=mask, raw=args.raw)
            return 0
        text = write_csv_text(tree, mask=mask, raw=args.raw)
        if has_relations(tree):
            print(
                "gridgov: note: the relations (central households, pairings) are not in "
                "CSV on standard output; use --out FILE to write FILE and its relations file",
                file=sys.stderr,
            )
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


def cmd_diff(args: argparse.Namespace) -> int:
    """Print every difference from A to B, one row each; exit 1 when they differ (like diff)."""
    from gridgov.org.diff import diff

    levels = levels_for(args)
    old, new = load_tree(args.old, levels, args.text), load_tree(args.new, levels, args.text)
    d = diff(old, new)

    def name(uid: str | None) -> str:
        if uid is None:
            return ""
        unit = new.get(uid) or old.get(uid)
        return unit.name if unit is not None else ""

    rows: list[tuple[str, str, str, str]] = []
    rows += [("added", uid, name(uid), f"under {new.parent(uid) or '(root)'}") for uid in d.added]
    rows += [
        ("removed", uid, name(uid), f"was under {old.parent(uid) or '(root)'}") for uid in d.removed
    ]
    rows += [
        ("moved", m.id, name(m.id), f"{m.old_parent or '(root)'} -> {m.new_parent or '(root)'}")
        for m in d.moved
    ]
    rows += [("changed", c.id, name(c.id), ", ".join(c.fields)) for c in d.changed]
    rows += [("central-added", h, name(h), f"looked after by {c}") for c, h in d.central_added]
    rows += [
        ("central-removed", h, name(h), f"was looked after by {c}") for c, h in d.central_removed
    ]
    rows += [("paired", u, name(u), f"with {g}") for g, u in d.paired]
    rows += [("unpaired", u, name(u), f"from {g}") for g, u in d.unpaired]
    rows += [
        ("gov-changed", g, new.relations.gov_units[g].name, "name or cadres") for g in d.gov_changed
    ]
    emit_table(("change", "id", "name", "detail"), rows, args.format, raw=args.raw)
    if args.format == "table":
        print(
            f"{len(d.added)} added, {len(d.removed)} removed, {len(d.moved)} moved, "
            f"{len(d.changed)} changed",
            file=sys.stderr,
        )
    return 1 if rows else 0


def cmd_find(args: argparse.Namespace) -> int:
    """Print every unit whose name matches, with its path of names; exit 1 when none does."""
    tree = load_tree(args.file, levels_for(args), args.text)
    if args.level is not None and args.level not in tree.levels:
        raise UsageError(
            f"--level: unknown level {args.level!r} (expected one of {', '.join(tree.levels)})"
        )
    wanted = args.name.casefold()
    rows = []
    for unit in tree:
        got = unit.name.casefold()
        hit = (got == wanted) if args.exact else (wanted in got)
        if hit and (args.level is None or unit.level == args.level):
            path = " > ".join(tree[a].name or a for a in tree.path(unit.id))
            rows.append((unit.id, unit.name, unit.level, path))
    emit_table(("id", "name", "level", "path"), rows, args.format, raw=args.raw)
    if not rows:
        print(f"gridgov: no unit named like {args.name!r}", file=sys.stderr)
    return 0 if rows else 1
