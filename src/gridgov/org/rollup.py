"""Roll-ups: an aggregate of a numeric attribute over every subtree, in one pass."""

from __future__ import annotations

from collections import Counter
from typing import Literal

from gridgov.bulk import paused_gc
from gridgov.errors import ChangeRefused
from gridgov.org.hierarchy import Hierarchy

Aggregate = Literal["sum", "count", "min", "max", "mean"]
AGGREGATES: tuple[Aggregate, ...] = ("sum", "count", "min", "max", "mean")


def rollup(
    tree: Hierarchy, attribute: str, how: Aggregate = "sum"
) -> dict[str, float | int | None]:
    """For every unit, ``how`` of ``attribute`` over its subtree (itself included).

    One reverse pass over the pre-order index. Units without a numeric value for
    ``attribute`` are skipped; ``sum``/``count`` then give 0 and ``min``/``max``/``mean``
    give ``None`` for a subtree that holds no value at all.
    """
    with paused_gc():
        return _rollup(tree, attribute, how)


def _rollup(tree: Hierarchy, attribute: str, how: Aggregate) -> dict[str, float | int | None]:
    if how not in AGGREGATES:
        raise ChangeRefused(f"unknown aggregate {how!r} (expected one of {', '.join(AGGREGATES)})")
    idx = tree.index
    order, parent = idx.order, idx.parent
    n = len(order)
    by_id = tree.unit_map()
    values: list[int | float | None] = []
    append = values.append
    for uid in order:
        v = by_id[uid].attributes.get(attribute)
        append(None if v is None or isinstance(v, str) else v)

    if how in ("sum", "count", "mean"):
        sums: list[int | float] = [0] * n
        counts = [0] * n
        for i, v in enumerate(values):
            if v is not None:
                sums[i] = v
                counts[i] = 1
        for i in range(n - 1, 0, -1):
            p = parent[i]
            sums[p] += sums[i]
            counts[p] += counts[i]
        if how == "sum":
            return dict(zip(order, sums, strict=True))
        if how == "count":
            return dict(zip(order, counts, strict=True))
        return {uid: (s / c if c else None) for uid, s, c in zip(order, sums, counts, strict=True)}

    best = list(values)
    pick_max = how == "max"
    for i in range(n - 1, 0, -1):
        v = best[i]
        if v is None:
            continue
        p = parent[i]
        cur = best[p]
        if cur is None or (v > cur if pick_max else v < cur):
            best[p] = v
    return dict(zip(order, best, strict=True))


def level_counts(tree: Hierarchy) -> dict[str, Counter[str]]:
    """For every unit, how many units of each level lie below it (itself excluded)."""
    with paused_gc():
        return _level_counts(tree)


def _level_counts(tree: Hierarchy) -> dict[str, Counter[str]]:
    idx = tree.index
    order, parent = idx.order, idx.parent
    counts: list[Counter[str]] = [Counter() for _ in order]
    by_id = tree.unit_map()
    levels = [by_id[i].level for i in order]
    for i in range(len(order) - 1, 0, -1):
        p = parent[i]
        mine = counts[i]
        theirs = counts[p]
        theirs[levels[i]] += 1
        if mine:
            theirs.update(mine)
    return dict(zip(order, counts, strict=True))
