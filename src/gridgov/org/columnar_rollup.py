"""Roll-ups over a tree kept in arrays (:class:`~gridgov.org.columnar_tree.ColumnarHierarchy`).

Dispatched to by :func:`gridgov.org.rollup.rollup`; gives the same figures of the
same types. Integer columns are added up in int64: a subtree is one slice of
the pre-order, so its sum and count are differences of one cumulative sum, and
min/max climb the tree one depth layer at a time. Columns that int64 cannot add
up exactly (floats, integers near its limits) go through the reference loop
(:func:`gridgov.org.rollup.rollup_values`) on the same positions, so the
floating-point additions happen in the reference's order.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from gridgov._arrow import from_numpy
from gridgov.org.columnar_tree import AttrColumn, ColumnarHierarchy, TreeColumns
from gridgov.org.hierarchy import Hierarchy
from gridgov.org.rollup import Aggregate, Number, Rollup, rollup_values


class ArrayRollup(Rollup):
    """A :class:`~gridgov.org.rollup.Rollup` whose values are an array over the pre-order."""

    __slots__ = ("_none", "_tree")

    def __init__(self, tree: ColumnarHierarchy, values: Any, none: Any = None) -> None:
        super().__init__([], {}, [])
        self._tree = tree
        self._values = values
        self._none = none

    def _value(self, i: int) -> Number:
        if self._none is not None and self._none[i]:
            return None
        v = self._values[i]
        return v.item() if isinstance(v, np.generic) else v

    def __getitem__(self, unit_id: str) -> Number:
        i = self._tree._lookup(unit_id)
        if i is None:
            raise KeyError(unit_id)
        return self._value(i)

    def __iter__(self) -> Iterator[str]:
        return iter(self._tree.index.order)

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, unit_id: object) -> bool:
        return unit_id in self._tree

    def at(self, positions: Any) -> list[Number]:
        """The values at pre-order ``positions`` (a numpy array), as Python numbers."""
        values = self._values
        if isinstance(values, list):
            out: list[Number] = [values[i] for i in positions.tolist()]
        else:
            out = values[positions].tolist()
        if self._none is not None:
            none = self._none[positions].tolist()
            out = [None if gone else v for v, gone in zip(out, none, strict=True)]
        return out

    def rows(self, tree: Hierarchy, level: str | None = None) -> list[tuple[str, str, str, Number]]:
        """``(id, name, level, value)`` in pre-order, for every unit or those at ``level``."""
        if tree is not self._tree or self._tree.columns is None:
            return super().rows(tree, level)
        cols = self._tree.columns
        if level:
            at = self._tree.positions_at_level(level)
            names = [level] * len(at)
        else:
            at = np.arange(len(cols))
            lv = cols.levels.names
            names = [lv[c] for c in cols.level.tolist()]
        take = from_numpy(at)
        ids = cols.ids.take(take).to_pylist()
        labels = cols.names.take(take).to_pylist() if cols.names is not None else [""] * len(ids)
        return list(zip(ids, labels, names, self.at(at), strict=True))


def _column(cols: TreeColumns, attribute: str) -> AttrColumn | None:
    for col in cols.attrs:
        if col.name == attribute:
            return col
    return None


def has_number_columns(tree: ColumnarHierarchy, attribute: str) -> bool:
    """Whether any unit has a numeric value for ``attribute`` (from the column's kind)."""
    cols = tree.columns
    assert cols is not None
    col = _column(cols, attribute)
    return col is not None and col.kind != "text" and bool(np.any(col.codes >= 0))


def _subtree_sums(values: Any, size: Any) -> Any:
    """For each pre-order position, the sum of ``values`` over its subtree (one slice each)."""
    cs = np.zeros(len(values) + 1, dtype=np.int64)
    np.cumsum(values, out=cs[1:])
    start = np.arange(len(values))
    return cs[start + size] - cs[start]


def rollup_columns(tree: ColumnarHierarchy, attribute: str, how: Aggregate) -> Rollup:
    """:func:`gridgov.org.rollup.rollup` for a tree in arrays."""
    cols = tree.columns
    assert cols is not None
    n = len(cols)
    col = _column(cols, attribute)
    if col is not None and col.kind != "text" and col.ints is None:
        values = col.python_values()
        return ArrayRollup(tree, rollup_values(values, cols.parent.tolist(), how))
    if col is None or col.kind == "text":
        valid = np.zeros(n, dtype=bool)
        ints = np.zeros(n, dtype=np.int64)
    else:
        valid = col.codes >= 0
        ints = col.ints
    if how == "sum":
        return ArrayRollup(tree, _subtree_sums(ints, cols.size))
    counts = _subtree_sums(valid.astype(np.int64), cols.size)
    if how == "count":
        return ArrayRollup(tree, counts)
    if how == "mean":
        sums = _subtree_sums(ints, cols.size)
        with np.errstate(invalid="ignore", divide="ignore"):
            means = sums.astype(np.float64) / counts.astype(np.float64)
        return ArrayRollup(tree, means, counts == 0)
    pick = np.maximum if how == "max" else np.minimum
    sentinel = np.iinfo(np.int64).min if how == "max" else np.iinfo(np.int64).max
    best = np.where(valid, ints, sentinel)
    depth = cols.depth
    by_depth = np.argsort(depth, kind="stable")
    bounds = np.searchsorted(depth[by_depth], np.arange(int(depth.max()) + 2))
    for d in range(int(depth.max()), 0, -1):
        layer = by_depth[bounds[d] : bounds[d + 1]]
        pick.at(best, cols.parent[layer], best[layer])
    return ArrayRollup(tree, best, counts == 0)
