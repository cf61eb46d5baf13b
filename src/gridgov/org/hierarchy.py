"""The organisation hierarchy: a rooted tree of units over a level scheme."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import attrs

from gridgov.bulk import paused_gc
from gridgov.errors import ChangeRefused, HierarchyError, SourceProblem, UnknownUnit
from gridgov.org.index import TreeIndex
from gridgov.org.levels import DEFAULT_LEVELS, Levels
from gridgov.org.relations import Relations
from gridgov.org.unit import AttrValue, PartyOrg, Unit
from gridgov.org.validate import Checked, Row, check_columns, check_rows


class Hierarchy:
    """A rooted tree of :class:`Unit` values, each deeper than its parent.

    Build one with :meth:`from_rows` / :meth:`from_units` (which validate and
    report *every* problem at once), or from a file with
    :func:`gridgov.org.read_csv` and friends. Queries are answered from a
    :class:`~gridgov.org.index.TreeIndex` that is built once per version of the
    tree; changes (:meth:`add`, :meth:`move`, :meth:`remove`, :meth:`rename`,
    :meth:`update`) are validated first and bump :attr:`version`.

    :attr:`graph` gives the tree as a :class:`networkx.DiGraph` (edges parent →
    child, the unit under the node attribute ``unit``) for networkx algorithms.
    """

    __slots__ = (
        "_children",
        "_graph",
        "_index",
        "_levels",
        "_ordered",
        "_parent",
        "_root",
        "_units",
        "_version",
        "relations",
    )

    def __init__(self, levels: Levels = DEFAULT_LEVELS) -> None:
        self._levels = levels
        self._units: dict[str, Unit] = {}
        self._parent: dict[str, str | None] = {}
        self._children: dict[str, list[str]] = {}
        self._root: str | None = None
        self._version = 0
        self._index: TreeIndex | None = None
        self._graph: Any = None
        self._ordered: list[Unit] | None = None
        self.relations: Relations = Relations(self)

    # -- construction -------------------------------------------------------------

    @classmethod
    def from_rows(cls, rows: Iterable[Row], *, levels: Levels = DEFAULT_LEVELS) -> Hierarchy:
        """Build from :class:`~gridgov.org.validate.Row` values in any order.

        Raises :class:`~gridgov.errors.HierarchyError` carrying every problem.
        """
        with paused_gc():
            checked = check_rows(rows, levels)
        return cls.from_checked(checked, levels=levels)

    @classmethod
    def from_checked(cls, checked: Checked, *, levels: Levels = DEFAULT_LEVELS) -> Hierarchy:
        """Build from the outcome of a check; raises its errors when there are any."""
        if checked.errors:
            raise HierarchyError(checked.errors)
        tree = cls(levels)
        tree._units = checked.units
        tree._parent = checked.parent
        tree._children = checked.children
        tree._root = checked.root
        tree._index = checked.index
        return tree

    @classmethod
    def from_units(
        cls, pairs: Iterable[tuple[Unit, str | None]], *, levels: Levels = DEFAULT_LEVELS
    ) -> Hierarchy:
        """Build from ``(unit, parent_id)`` pairs in any order (``None`` for the root)."""
        return cls.from_rows((Row(u, p) for u, p in pairs), levels=levels)

    def copy(self) -> Hierarchy:
        """An independent copy (units are immutable and shared)."""
        other = Hierarchy(self._levels)
        other._units = dict(self._units)
        other._parent = dict(self._parent)
        other._children = {k: list(v) for k, v in self._children.items()}
        other._root = self._root
        other.relations = self.relations.copy_for(other)
        return other

    # -- basic access ---------------------------------------------------------------

    @property
    def levels(self) -> Levels:
        """The level scheme."""
        return self._levels

    @property
    def version(self) -> int:
        """Incremented by every change; the index is rebuilt once per version."""
        return self._version

    @property
    def root(self) -> str:
        """Id of the root unit; :class:`~gridgov.errors.ChangeRefused` when empty."""
        if self._root is None:
            raise ChangeRefused("the hierarchy is empty")
        return self._root

    def __len__(self) -> int:
        return len(self._units)

    def __contains__(self, unit_id: object) -> bool:
        return unit_id in self._units

    def __iter__(self) -> Iterator[Unit]:
        """Units in pre-order (parents before children)."""
        return iter(self.ordered_units())

    def __getitem__(self, unit_id: str) -> Unit:
        try:
            return self._units[unit_id]
        except KeyError:
            raise UnknownUnit(unit_id) from None

    def get(self, unit_id: str) -> Unit | None:
        """The unit with this id, or ``None``."""
        return self._units.get(unit_id)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Hierarchy):
            return NotImplemented
        return (
            self._levels == other._levels
            and self._units == other._units
            and self._parent == other._parent
            and self.relations == other.relations
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<Hierarchy {len(self)} units, root={self._root!r}, version={self._version}>"

    @property
    def index(self) -> TreeIndex:
        """The pre-order index of the current version (built on first use)."""
        if self._index is None:
            with paused_gc():
                self._index = TreeIndex(self._root, self._children, self._parent)
        return self._index

    @property
    def graph(self) -> Any:
        """The tree as a ``networkx.DiGraph`` (parent → child), cached per version."""
        if self._graph is None:
            import networkx as nx

            graph = nx.DiGraph()
            graph.add_nodes_from((uid, {"unit": unit}) for uid, unit in self._units.items())
            graph.add_edges_from((p, c) for c, p in self._parent.items() if p is not None)
            self._graph = graph
        return self._graph

    def _pos(self, unit_id: str) -> int:
        try:
            return self.index.pos[unit_id]
        except KeyError:
            raise UnknownUnit(unit_id) from None

    # -- queries ----------------------------------------------------------------------

    def parent(self, unit_id: str) -> str | None:
        """Id of the parent, ``None`` for the root."""
        try:
            return self._parent[unit_id]
        except KeyError:
            raise UnknownUnit(unit_id) from None

    def children(self, unit_id: str) -> tuple[str, ...]:
        """Ids of the direct children, in insertion order."""
        if unit_id not in self._units:
            raise UnknownUnit(unit_id)
        return tuple(self._children.get(unit_id, ()))

    def ancestors(self, unit_id: str) -> list[str]:
        """Ids from the parent up to the root (nearest first)."""
        idx = self.index
        order, parent = idx.order, idx.parent
        out: list[str] = []
        p = parent[self._pos(unit_id)]
        while p >= 0:
            out.append(order[p])
            p = parent[p]
        return out

    def path(self, unit_id: str) -> list[str]:
        """Ids from the root down to ``unit_id`` (both included)."""
        out = self.ancestors(unit_id)
        out.reverse()
        out.append(unit_id)
        return out

    def descendants(self, unit_id: str) -> list[str]:
        """Ids of every unit below ``unit_id``, in pre-order (one slice of the index)."""
        i = self._pos(unit_id)
        idx = self.index
        return idx.order[i + 1 : i + idx.size[i]]

    def subtree(self, unit_id: str) -> list[str]:
        """``unit_id`` followed by its descendants, in pre-order."""
        i = self._pos(unit_id)
        idx = self.index
        return idx.order[i : i + idx.size[i]]

    def subtree_size(self, unit_id: str) -> int:
        """Number of units in the subtree of ``unit_id``, itself included."""
        return self.index.size[self._pos(unit_id)]

    def depth(self, unit_id: str) -> int:
        """Distance from the root (the root has depth 0)."""
        return self.index.depth[self._pos(unit_id)]

    def is_ancestor(self, ancestor: str, unit_id: str) -> bool:
        """Whether ``ancestor`` is a proper ancestor of ``unit_id`` (O(1) from the index)."""
        idx = self._index or self.index
        pos = idx.pos
        try:
            a = pos[ancestor]
            b = pos[unit_id]
        except KeyError as exc:
            raise UnknownUnit(str(exc.args[0])) from None
        return a < b < a + idx.size[a]

    def lca(self, a: str, b: str) -> str:
        """The lowest common ancestor of ``a`` and ``b`` (a unit is its own ancestor here)."""
        idx = self._index or self.index
        pos = idx.pos
        try:
            pa = pos[a]
            pb = pos[b]
        except KeyError as exc:
            raise UnknownUnit(str(exc.args[0])) from None
        return idx.order[idx.lca(pa, pb)]

    def at_level(self, level: str, *, under: str | None = None) -> list[str]:
        """Ids of the units at ``level`` (in pre-order), optionally only under ``under``."""
        if level not in self._levels:
            raise ChangeRefused(f"unknown level {level!r}")
        ids = self.subtree(under) if under is not None else self.index.order
        units = self._units
        return [i for i in ids if units[i].level == level]

    def leaves(self, *, under: str | None = None) -> list[str]:
        """Ids of units without children, in pre-order."""
        ids = self.subtree(under) if under is not None else self.index.order
        kids = self._children
        return [i for i in ids if not kids.get(i)]

    def level_of_ancestor(self, unit_id: str, level: str) -> str | None:
        """The ancestor (or the unit itself) at ``level``, if there is one on the path."""
        units = self._units
        if units[unit_id].level == level:
            return unit_id
        for anc in self.ancestors(unit_id):
            if units[anc].level == level:
                return anc
        return None

    def ordered_units(self) -> list[Unit]:
        """Every unit in pre-order (a list cached per version; do not mutate)."""
        if self._ordered is None:
            units = self._units
            self._ordered = [units[i] for i in self.index.order]
        return self._ordered

    def unit_map(self) -> Mapping[str, Unit]:
        """Read-only mapping of id → unit (do not mutate; use the change methods)."""
        return self._units

    def parent_map(self) -> Mapping[str, str | None]:
        """Read-only view of id → parent id."""
        from types import MappingProxyType

        return MappingProxyType(self._parent)

    # -- changes ------------------------------------------------------------------------

    def _changed(self) -> None:
        self._version += 1
        self._index = None
        self._graph = None
        self._ordered = None

    def _check_level(self, unit: Unit, parent: str) -> None:
        plevel = self._units[parent].level
        if unit.level not in self._levels:
            raise ChangeRefused(f"unknown level {unit.level!r}")
        if not self._levels.is_deeper(unit.level, plevel):
            raise ChangeRefused(
                f"level {unit.level!r} of {unit.id!r} is not deeper than its parent "
                f"{parent!r} at level {plevel!r}"
            )

    def add(self, unit: Unit, parent: str | None) -> None:
        """Add ``unit`` under ``parent`` (``None`` only for the first unit, the root)."""
        if not unit.id.strip():
            raise ChangeRefused("empty id")
        if unit.id in self._units:
            raise ChangeRefused(f"duplicate id {unit.id!r}")
        if parent is None:
            if self._root is not None:
                raise ChangeRefused(f"several roots: {self._root!r} is already the root")
            if unit.level not in self._levels:
                raise ChangeRefused(f"unknown level {unit.level!r}")
            self._root = unit.id
        else:
            if parent not in self._units:
                raise UnknownUnit(parent)
            self._check_level(unit, parent)
            self._children.setdefault(parent, []).append(unit.id)
        self._units[unit.id] = unit
        self._parent[unit.id] = parent
        self._changed()

    def move(self, unit_id: str, new_parent: str) -> None:
        """Move the subtree of ``unit_id`` under ``new_parent``; refuses cycles."""
        unit = self[unit_id]
        if new_parent not in self._units:
            raise UnknownUnit(new_parent)
        if unit_id == new_parent or self.is_ancestor(unit_id, new_parent):
            raise ChangeRefused(
                f"cannot move {unit_id!r} under {new_parent!r}: that would make a cycle"
            )
        old = self._parent[unit_id]
        if old is None:
            raise ChangeRefused(f"cannot move the root {unit_id!r}")
        self._check_level(unit, new_parent)
        self._children[old].remove(unit_id)
        if not self._children[old]:
            del self._children[old]
        self._children.setdefault(new_parent, []).append(unit_id)
        self._parent[unit_id] = new_parent
        self._changed()

    def remove(self, unit_id: str, *, subtree: bool = False) -> list[str]:
        """Remove a leaf, or with ``subtree=True`` the unit and everything below it.

        Returns the removed ids; relations that touch them are dropped too.
        """
        if unit_id not in self._units:
            raise UnknownUnit(unit_id)
        kids = self._children.get(unit_id)
        if kids and not subtree:
            raise ChangeRefused(
                f"{unit_id!r} has {len(kids)} children; remove them first or pass subtree=True"
            )
        gone = self.subtree(unit_id)
        par = self._parent[unit_id]
        if par is None:
            self._root = None
        else:
            self._children[par].remove(unit_id)
            if not self._children[par]:
                del self._children[par]
        for uid in gone:
            del self._units[uid]
            del self._parent[uid]
            self._children.pop(uid, None)
        self.relations.forget(set(gone))
        self._changed()
        return gone

    def replace(self, unit: Unit) -> None:
        """Replace the unit with the same id (name, attributes, party; level checked)."""
        old = self[unit.id]
        if unit.level != old.level:
            par = self._parent[unit.id]
            if par is not None:
                self._check_level(unit, par)
            for kid in self._children.get(unit.id, ()):
                if not self._levels.is_deeper(self._units[kid].level, unit.level):
                    raise ChangeRefused(f"child {kid!r} would no longer be deeper than {unit.id!r}")
        self._units[unit.id] = unit
        self._changed()

    def rename(self, unit_id: str, name: str) -> None:
        """Give ``unit_id`` a new display name."""
        self.replace(attrs.evolve(self[unit_id], name=name))

    def update(
        self,
        unit_id: str,
        attributes: Mapping[str, AttrValue] | None = None,
        *,
        party: PartyOrg | None = None,
    ) -> None:
        """Merge ``attributes`` into the unit's attributes and/or set its party organisation."""
        unit = self[unit_id]
        changes: dict[str, Any] = {}
        if attributes is not None:
            changes["attributes"] = {**unit.attributes, **attributes}
        if party is not None:
            changes["party"] = party
        self.replace(attrs.evolve(unit, **changes))

    def check(self) -> list[SourceProblem]:
        """Re-check the whole tree; an empty list for a valid one (for tests and imports)."""
        with paused_gc():
            units = list(self._units.values())
            parent = self._parent
            parents = [parent[i] for i in self._units]
            errors = list(check_columns(units, parents, self._levels).errors)
        return errors + self.relations.check()
