"""Checking a set of (unit, parent) rows for everything that stops them forming a tree.

Every problem is collected, not just the first: empty or duplicate ids, unknown
parents, no root or several roots, cycles, unknown levels and a level that is
not deeper than its parent's. Each error names the row and field it came from
when the rows came from a file.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import attrs

from gridgov.errors import SourceError
from gridgov.org.index import TreeIndex
from gridgov.org.levels import Levels
from gridgov.org.unit import Unit


class Row(NamedTuple):
    """One unit as read from some input, with its parent id and where it came from."""

    unit: Unit
    parent: str | None
    row: int | None = None
    file: str | None = None


@attrs.frozen
class Checked:
    """The outcome of :func:`check_rows`: the tree's parts, or the errors."""

    errors: tuple[SourceError, ...]
    units: dict[str, Unit]
    parent: dict[str, str | None]
    children: dict[str, list[str]]
    root: str | None
    index: TreeIndex | None = None
    """The pre-order index, built while checking (``None`` when there are errors)."""


def _err(row: Row, field: str, message: str) -> SourceError:
    return SourceError(message, field=field, row=row.row, file=row.file, unit_id=row.unit.id)


def check_rows(rows: Iterable[Row], levels: Levels) -> Checked:
    """Check ``rows`` against each other and the level scheme; collect every error."""
    errors: list[SourceError] = []
    units: dict[str, Unit] = {}
    parent: dict[str, str | None] = {}
    origin: dict[str, Row] = {}
    roots: list[Row] = []
    rank_of = {name: i for i, name in enumerate(levels.names)}
    rank: dict[str, int] = {}  # id -> rank of its level, for units at a known level
    for row in rows:
        unit = row[0]
        uid = unit.id
        if uid in units or not uid or uid.isspace():
            if uid in units:
                first = origin[uid]
                where = f"row {first.row}" if first.row is not None else "an earlier unit"
                errors.append(_err(row, "id", f"duplicate id {uid!r} (first seen at {where})"))
            else:
                errors.append(_err(row, "id", "empty id"))
            continue
        r = rank_of.get(unit.level)
        if r is None:
            expected = ", ".join(levels.names)
            errors.append(
                _err(row, "level", f"unknown level {unit.level!r} (expected one of {expected})")
            )
        else:
            rank[uid] = r
        units[uid] = unit
        origin[uid] = row
        par = row[1] or None
        if par == uid:
            errors.append(_err(row, "parent", f"unit {uid!r} is its own parent"))
            par = None
        elif par is None:
            roots.append(row)
        parent[uid] = par

    children: dict[str, list[str]] = {}
    for uid, par in parent.items():
        if par is None:
            continue
        kids = children.get(par)
        if kids is None:
            if par not in units:
                errors.append(_err(origin[uid], "parent", f"unknown parent {par!r}"))
                continue
            children[par] = [uid]
        else:
            kids.append(uid)
        rc = rank.get(uid)
        rp = rank.get(par)
        if rc is not None and rp is not None and rc <= rp:
            errors.append(
                _err(
                    origin[uid],
                    "level",
                    f"level {units[uid].level!r} is not deeper than its parent {par!r} "
                    f"at level {units[par].level!r}",
                )
            )

    root: str | None = None
    if not units:
        pass
    elif not roots:
        errors.append(SourceError("no root: every unit has a parent", field="parent"))
    else:
        root = roots[0].unit.id
        for extra in roots[1:]:
            errors.append(
                _err(
                    extra,
                    "parent",
                    f"several roots: {extra.unit.id!r} has no parent, "
                    f"but {root!r} is already the root",
                )
            )
    index = TreeIndex(root, children) if root is not None else None
    if index is None or len(index) < len(units):
        # Some units cannot be reached from the root: their parent links form a cycle.
        errors.extend(_cycle_errors(units, parent, origin))
    errors.sort(key=lambda e: (e.row is None, e.row or 0))
    return Checked(tuple(errors), units, parent, children, root, None if errors else index)


def _cycle_errors(
    units: dict[str, Unit], parent: dict[str, str | None], origin: dict[str, Row]
) -> list[SourceError]:
    """One error per cycle of parent links, found by following parents iteratively."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    errors: list[SourceError] = []
    for start in units:
        if start in state:
            continue
        path: list[str] = []
        node: str | None = start
        while node is not None and node in units and node not in state:
            state[node] = 1
            path.append(node)
            node = parent.get(node)
        if node is not None and state.get(node) == 1:
            cycle = path[path.index(node) :]
            loop = " -> ".join([*cycle, cycle[0]])
            first = min(cycle, key=lambda u: origin[u].row or 0)
            errors.append(_err(origin[first], "parent", f"cycle: {loop}"))
        for done in path:
            state[done] = 2
    return errors
