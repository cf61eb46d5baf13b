"""Rosters on the organisation tree: bind a problem to a hierarchy, and read the binding.

:func:`on_tree` checks that every post's ``unit`` and every resource's
``home_unit`` is a unit of the tree and returns the problem with
:class:`~gridgov.duty.model.Places` filled in: the units it names and their
ancestors, as plain values, so the bound problem still round-trips through the
native JSON/TOML files. :class:`PlaceIndex` answers the questions tree-aware
rules ask (the ancestor at a level, subtree membership, tree distance) from
those values alone: no global tree, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from gridgov.duty.model import Places, PlaceUnit, Problem
from gridgov.errors import InvalidInput, SourceProblem
from gridgov.org.hierarchy import Hierarchy


def _named_units(problem: Problem) -> Iterable[tuple[str, str, str]]:
    """``(unit, field, who)`` for every unit a post or resource names."""
    for i, post in enumerate(problem.posts):
        if post.unit is not None:
            yield post.unit, f"posts[{i}].unit", f"post {post.id!r}"
    for i, res in enumerate(problem.resources):
        if res.home_unit is not None:
            yield res.home_unit, f"resources[{i}].home_unit", f"resource {res.id!r}"


def on_tree(problem: Problem, tree: Hierarchy, *, file: str | None = None) -> Problem:
    """``problem`` bound to ``tree``: every named unit checked, the tree's slice attached.

    Raises :class:`~gridgov.errors.InvalidInput` listing every unknown unit id
    with the post or resource that names it. The result carries the named units
    and their ancestors (:attr:`Problem.places`); binding again replaces them.
    """
    errors: list[SourceProblem] = []
    wanted: dict[str, None] = {}
    for uid, field, who in _named_units(problem):
        if uid not in tree:
            errors.append(
                SourceProblem(
                    f"{who} names unit {uid!r}, which is not in the tree", field, file=file
                )
            )
        else:
            wanted[uid] = None
    if errors:
        raise InvalidInput(errors)
    keep: set[str] = set()
    for uid in wanted:
        if uid in keep:
            continue
        keep.add(uid)
        keep.update(tree.ancestors(uid))
    pos = tree.index.pos
    units = tuple(
        PlaceUnit(uid, tree[uid].level, tree.parent(uid), tree[uid].name)
        for uid in sorted(keep, key=pos.__getitem__)
    )
    return attrs.evolve(problem, places=Places(tuple(tree.levels.names), units))


def check_places(problem: Problem, *, file: str | None = None) -> list[SourceProblem]:
    """What is wrong with a problem's :attr:`~Problem.places` (a hand-edited file, say)."""
    places = problem.places
    if places is None:
        return []
    errors: list[SourceProblem] = []

    def err(field: str, message: str) -> None:
        errors.append(SourceProblem(message, field=field, file=file))

    levels = set(places.levels)
    seen: set[str] = set()
    roots = 0
    for i, unit in enumerate(places.units):
        where = f"places.units[{i}]"
        if unit.id in seen:
            err(f"{where}.id", f"duplicate unit {unit.id!r}")
        if unit.level not in levels:
            err(f"{where}.level", f"unknown level {unit.level!r}")
        if unit.parent is None:
            roots += 1
        elif unit.parent not in seen:
            err(f"{where}.parent", f"parent {unit.parent!r} is not an earlier unit")
        seen.add(unit.id)
    if places.units and roots != 1:
        err("places.units", f"expected one root, found {roots}")
    for uid, field, who in _named_units(problem):
        if uid not in seen:
            err(field, f"{who} names unit {uid!r}, which is not in places")
    return errors


class PlaceIndex:
    """Ancestors, depths and distances over a problem's :class:`Places`."""

    def __init__(self, places: Places) -> None:
        self.levels = places.levels
        self.rank = {name: i for i, name in enumerate(places.levels)}
        self.parent: dict[str, str | None] = {u.id: u.parent for u in places.units}
        self.level: dict[str, str] = {u.id: u.level for u in places.units}
        self.name: dict[str, str] = {u.id: u.name for u in places.units}
        self.depth: dict[str, int] = {}
        for u in places.units:  # parents come first
            self.depth[u.id] = 0 if u.parent is None else self.depth[u.parent] + 1

    def path(self, unit: str) -> list[str]:
        """Ids from ``unit`` up to the root (``unit`` first)."""
        out = [unit]
        p = self.parent[unit]
        while p is not None:
            out.append(p)
            p = self.parent[p]
        return out

    def anchor(self, unit: str, level: str) -> str:
        """The ancestor of ``unit`` (or itself) at ``level``.

        A unit above ``level`` (a county cadre, ``level="township"``) is its own
        anchor: its subtree holds everything at that level below it. A unit below
        with no ancestor at ``level`` (levels may be skipped) takes its deepest
        ancestor above ``level``.
        """
        want = self.rank[level]
        for uid in self.path(unit):
            if self.rank[self.level[uid]] <= want:
                return uid
        return self.path(unit)[-1]

    def within(self, unit: str, ancestor: str) -> bool:
        """Whether ``unit`` is ``ancestor`` or below it."""
        return ancestor in self.path(unit)

    def distance(self, a: str, b: str) -> int:
        """Edges between ``a`` and ``b`` in the tree."""
        up = set(self.path(a))
        for uid in self.path(b):
            if uid in up:
                return self.depth[a] + self.depth[b] - 2 * self.depth[uid]
        raise ValueError(f"{a!r} and {b!r} are not in one tree")

    def label(self, unit: str) -> str:
        """``name (id)`` for messages."""
        name = self.name.get(unit, "")
        return f"{name} ({unit})" if name else unit
