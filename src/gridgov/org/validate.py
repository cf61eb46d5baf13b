"""Checking a set of (unit, parent) rows for everything that stops them forming a tree.

Every problem is collected, not just the first: empty or duplicate ids, unknown
parents, no root or several roots, cycles, unknown levels and a level that is
not deeper than its parent's. Each error names the row and field it came from
when the rows came from a file.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

import attrs

from gridgov.errors import SourceProblem
from gridgov.org.index import TreeIndex
from gridgov.org.levels import HOW_TO_DECLARE, Levels
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

    errors: tuple[SourceProblem, ...]
    units: dict[str, Unit]
    parent: dict[str, str | None]
    children: dict[str, list[str]]
    root: str | None
    index: TreeIndex | None = None
    """The pre-order index, built while checking (``None`` when there are errors)."""


def check_rows(rows: Iterable[Row], levels: Levels) -> Checked:
    """Check ``rows`` against each other and the level scheme; collect every error."""
    units: list[Unit] = []
    parents: list[str | None] = []
    rownums: list[int | None] = []
    files: list[str | None] = []
    for row in rows:
        units.append(row[0])
        parents.append(row[1])
        rownums.append(row[2])
        files.append(row[3])
    return check_columns(units, parents, levels, rownums, files)


class _Where:
    """Where input number ``k`` came from, for error messages (built only on the error path)."""

    def __init__(
        self,
        units: Sequence[Unit],
        rownums: Sequence[int | None] | None,
        files: Sequence[str | None] | str | None,
    ) -> None:
        self.units = units
        self.rownums = rownums
        self.files = files
        self._first: dict[str, int] | None = None

    def first(self, uid: str) -> int:
        """Input number of the first unit with id ``uid``."""
        if self._first is None:
            first: dict[str, int] = {}
            for k, unit in enumerate(self.units):
                first.setdefault(unit.id, k)
            self._first = first
        return self._first[uid]

    def row(self, k: int) -> int | None:
        return self.rownums[k] if self.rownums is not None else None

    def err(self, k: int, field: str, message: str) -> SourceProblem:
        files = self.files
        file = files if files is None or isinstance(files, str) else files[k]
        return SourceProblem(
            message, field=field, row=self.row(k), file=file, unit_id=self.units[k].id
        )


def check_columns(
    units_in: Sequence[Unit],
    parents_in: Sequence[str | None],
    levels: Levels,
    rownums: Sequence[int | None] | None = None,
    files: Sequence[str | None] | str | None = None,
) -> Checked:
    """Like :func:`check_rows`, from parallel sequences (the bulk readers' fast path)."""
    errors: list[SourceProblem] = []
    where = _Where(units_in, rownums, files)
    units: dict[str, Unit] = {}
    parent: dict[str, str | None] = {}
    roots: list[int] = []
    rank_of = {name: i for i, name in enumerate(levels.names)}
    hinted = False
    for k, unit in enumerate(units_in):
        uid = unit.id
        if uid in units or not uid or uid.isspace():
            if uid in units:
                first = where.row(where.first(uid))
                at = f"row {first}" if first is not None else "an earlier unit"
                errors.append(where.err(k, "id", f"duplicate id {uid!r} (first seen at {at})"))
            else:
                errors.append(where.err(k, "id", "empty id"))
            continue
        if unit.level not in rank_of:
            expected = ", ".join(levels.names)
            # the first unknown level says how to declare a scheme, the others only what is wrong
            hint = f"; {HOW_TO_DECLARE}" if not hinted else ""
            hinted = True
            errors.append(
                where.err(
                    k, "level", f"unknown level {unit.level!r} (expected one of {expected}{hint})"
                )
            )
        units[uid] = unit
        par = parents_in[k] or None
        if par is None:
            roots.append(k)
        elif par == uid:
            errors.append(where.err(k, "parent", f"unit {uid!r} is its own parent"))
            par = None
        parent[uid] = par

    children: dict[str, list[str]] = {}
    for uid, par in parent.items():
        if par is None:
            continue
        kids = children.get(par)
        if kids is None:
            punit = units.get(par)
            if punit is None:
                errors.append(where.err(where.first(uid), "parent", f"unknown parent {par!r}"))
                continue
            children[par] = [uid]
        else:
            kids.append(uid)
            punit = units[par]
        rc = rank_of.get(units[uid].level)
        rp = rank_of.get(punit.level)
        if rc is not None and rp is not None and rc <= rp:
            errors.append(
                where.err(
                    where.first(uid),
                    "level",
                    f"level {units[uid].level!r} is not deeper than its parent {par!r} "
                    f"at level {punit.level!r}",
                )
            )

    root: str | None = None
    if not units:
        pass
    elif not roots:
        errors.append(SourceProblem("no root: every unit has a parent", field="parent"))
    else:
        root = units_in[roots[0]].id
        for extra in roots[1:]:
            errors.append(
                where.err(
                    extra,
                    "parent",
                    f"several roots: {units_in[extra].id!r} has no parent, "
                    f"but {root!r} is already the root",
                )
            )
    index = TreeIndex(root, children, parent) if root is not None else None
    if index is None or len(index) < len(units):
        # Some units cannot be reached from the root: their parent links form a cycle.
        errors.extend(_cycle_errors(units, parent, where))
    errors.sort(key=lambda e: (e.row is None, e.row or 0))
    return Checked(tuple(errors), units, parent, children, root, None if errors else index)


def _cycle_errors(
    units: dict[str, Unit], parent: dict[str, str | None], where: _Where
) -> list[SourceProblem]:
    """One error per cycle of parent links, found by following parents iteratively."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    errors: list[SourceProblem] = []
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
            first = min((where.first(u) for u in cycle), key=lambda k: where.row(k) or 0)
            errors.append(where.err(first, "parent", f"cycle: {loop}"))
        for done in path:
            state[done] = 2
    return errors
