"""Roll-ups: an aggregate of a numeric attribute over every subtree, in one pass."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Literal

from gridgov.bulk import paused_gc
from gridgov.errors import ChangeRefused
from gridgov.org.hierarchy import Hierarchy

Aggregate = Literal["sum", "count", "min", "max", "mean"]
Number = int | float | None


class Rollup(Mapping[str, Number]):
    """The result of :func:`rollup`: unit id → aggregate, read through the tree's index.

    No per-unit dictionary is built (a million-unit tree would pay for it on
    every roll-up); it is a snapshot of the version it was computed on.
    """

    __slots__ = ("_order", "_pos", "_values")

    def __init__(self, order: list[str], pos: dict[str, int], values: list[Number]) -> None:
        self._order = order
        self._pos = pos
        self._values = values

    def __getitem__(self, unit_id: str) -> Number:
        return self._values[self._pos[unit_id]]

    def __iter__(self) -> Iterator[str]:
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._order)

    def __contains__(self, unit_id: object) -> bool:
        return unit_id in self._pos

    def __repr__(self) -> str:
        return f"<Rollup of {len(self)} units>"

    def rows(self, tree: Hierarchy, level: str | None = None) -> list[tuple[str, str, str, Number]]:
        """``(id, name, level, value)`` per unit (pre-order), or per unit at ``level``."""
        ids = tree.at_level(level) if level else tree.index.order
        out = []
        for uid in ids:
            unit = tree[uid]
            out.append((uid, unit.name, unit.level, self[uid]))
        return out


AGGREGATES: tuple[Aggregate, ...] = ("sum", "count", "min", "max", "mean")


def rollup(tree: Hierarchy, attribute: str, how: Aggregate = "sum") -> Rollup:
    """For every unit, ``how`` of ``attribute`` over its subtree (itself included).

    One reverse pass over the pre-order index. Units without a numeric value for
    ``attribute`` are skipped; ``sum``/``count`` then give 0 and ``min``/``max``/``mean``
    give ``None`` for a subtree that holds no value at all.
    """
    if how not in AGGREGATES:
        raise ChangeRefused(f"unknown aggregate {how!r} (expected one of {', '.join(AGGREGATES)})")
    if getattr(tree, "columns", None) is not None:
        from gridgov.org.columnar_rollup import rollup_columns

        return rollup_columns(tree, attribute, how)  # type: ignore[arg-type]
    with paused_gc():
        return _rollup(tree, attribute, how)


def has_number(tree: Hierarchy, attribute: str) -> bool:
    """Whether any unit of ``tree`` has a numeric value for ``attribute``."""
    if getattr(tree, "columns", None) is not None:
        from gridgov.org.columnar_rollup import has_number_columns

        return has_number_columns(tree, attribute)  # type: ignore[arg-type]
    return any(u.number(attribute) is not None for u in tree)


def _accumulate(values: list[int | float], parent: list[int]) -> list[int | float]:
    """Add every position's value into its parent's, deepest first (pre-order reversed)."""
    for i in range(len(values) - 1, 0, -1):
        values[parent[i]] += values[i]
    return values


def _rollup(tree: Hierarchy, attribute: str, how: Aggregate) -> Rollup:
    idx = tree.index
    values: list[int | float | None] = [
        None if v is None or v.__class__ is str else v  # type: ignore[misc]
        for v in (u.attributes.get(attribute) for u in tree.ordered_units())
    ]
    return Rollup(idx.order, idx.pos, rollup_values(values, idx.parent, how))


def rollup_values(
    values: list[int | float | None], parent: list[int], how: Aggregate
) -> list[Number]:
    """The reference roll-up over pre-order ``values`` (``None``: no value) and parent positions.

    The columnar roll-up (:mod:`gridgov.org.columnar_rollup`) computes the same
    figures with array operations, and calls this for columns it cannot add up
    exactly in int64 (floats, huge integers).
    """
    if how == "sum":
        return _accumulate([0 if v is None else v for v in values], parent)  # type: ignore[return-value]
    if how in ("count", "mean"):
        counts = _accumulate([0 if v is None else 1 for v in values], parent)
        if how == "count":
            return counts  # type: ignore[return-value]
        sums = _accumulate([0 if v is None else v for v in values], parent)
        return [(s / c if c else None) for s, c in zip(sums, counts, strict=True)]

    best = values
    pick_max = how == "max"
    for i in range(len(best) - 1, 0, -1):
        v = best[i]
        if v is None:
            continue
        p = parent[i]
        cur = best[p]
        if cur is None or (v > cur if pick_max else v < cur):
            best[p] = v
    return best


def level_counts(tree: Hierarchy) -> dict[str, Counter[str]]:
    """For every unit, how many units of each level lie below it (itself excluded)."""
    with paused_gc():
        return _level_counts(tree)


def _level_counts(tree: Hierarchy) -> dict[str, Counter[str]]:
    idx = tree.index
    order, parent = idx.order, idx.parent
    counts: list[Counter[str]] = [Counter() for _ in order]
    levels = [u.level for u in tree.ordered_units()]
    for i in range(len(order) - 1, 0, -1):
        p = parent[i]
        mine = counts[i]
        theirs = counts[p]
        theirs[levels[i]] += 1
        if mine:
            theirs.update(mine)
    return dict(zip(order, counts, strict=True))
