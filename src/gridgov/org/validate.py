"""Checking a set of (unit, parent) rows for everything that stops them forming a tree.

Every problem is collected, not just the first: empty or duplicate ids, unknown
parents, no root or several roots, cycles, unknown levels and a level that is
not deeper than its parent's. Each error names the row and field it came from
when the rows came from a file.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from gridgov.errors import SourceError
from gridgov.org.levels import Levels
from gridgov.org.unit import Unit


@attrs.frozen
class Row:
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


def _err(row: Row, field: str, message: str) -> SourceError:
    return SourceError(message, field=field, row=row.row, file=row.file, unit_id=row.unit.id)


def check_rows(rows: Iterable[Row], levels: Levels) -> Checked:
    """Check ``rows`` against each other and the level scheme; collect every error."""
    errors: list[SourceError] = []
    units: dict[str, Unit] = {}
    parent: dict[str, str | None] = {}
    origin: dict[str, Row] = {}
    roots: list[Row] = []
    for row in rows:
        uid = row.unit.id
        if not uid.strip():
            errors.append(_err(row, "id", "empty id"))
            continue
        if uid in units:
            first = origin[uid]
            where = f"row {first.row}" if first.row is not None else "an earlier unit"
            errors.append(_err(row, "id", f"duplicate id {uid!r} (first seen at {where})"))
            continue
        if row.unit.level not in levels:
            errors.append(
                _err(
                    row,
                    "level",
                    f"unknown level {row.unit.level!r} (expected one of {', '.join(levels.names)})",
                )
            )
        units[uid] = row.unit
        origin[uid] = row
        par = row.parent if row.parent else None
        if par == uid:
            errors.append(_err(row, "parent", f"unit {uid!r} is its own parent"))
            par = None
            parent[uid] = None
            continue
        parent[uid] = par
        if par is None:
            roots.append(row)

    children: dict[str, list[str]] = {}
    for uid, par in parent.items():
        if par is None:
            continue
        if par not in units:
            errors.append(_err(origin[uid], "parent", f"unknown parent {par!r}"))
            continue
        children.setdefault(par, []).append(uid)
        child_level = units[uid].level
        parent_level = units[par].level
        if (
            child_level in levels
            and parent_level in levels
            and not levels.is_deeper(child_level, parent_level)
        ):
            errors.append(
                _err(
                    origin[uid],
                    "level",
                    f"level {child_level!r} is not deeper than its parent {par!r} "
                    f"at level {parent_level!r}",
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
    errors.extend(_cycle_errors(units, parent, origin))
    errors.sort(key=lambda e: (e.row is None, e.row or 0))
    return Checked(tuple(errors), units, parent, children, root)


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
