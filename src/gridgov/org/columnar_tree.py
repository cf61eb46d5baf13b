"""The hierarchy in arrays: ids, parent positions, level codes and attribute columns.

:class:`TreeColumns` holds a validated tree in pre-order as numpy arrays and one
pyarrow array of ids; :func:`build_columns` checks rows given as columns
(duplicates, empty ids, unknown parents, roots, level order, and so cycles)
and computes the pre-order, depths and subtree sizes with array operations.
:class:`ColumnarHierarchy` is a :class:`~gridgov.org.hierarchy.Hierarchy` on top
of them: :class:`~gridgov.org.unit.Unit` objects are made on access, queries and
roll-ups read the arrays, and the first change (or any query that needs the
dictionaries) turns it into an ordinary dictionary-backed tree.

The rules are the ones of :mod:`gridgov.org.validate`; this module only
*detects* that rows break one (:func:`build_columns` returns ``None``) and the
caller then runs the reference checker for the messages, so every error reads
exactly as on the pure-Python path. Needs the columnar engine (``gridgov[cli]``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gridgov._arrow import encode, from_numpy, to_numpy
from gridgov._text_keys import first_index
from gridgov.errors import SourceProblem, UnknownUnit
from gridgov.org.hierarchy import Hierarchy
from gridgov.org.index import TreeIndex
from gridgov.org.levels import Levels
from gridgov.org.unit import AttrValue, PartyOrg, Unit

if TYPE_CHECKING:
    from numpy.typing import NDArray

    IntArray = NDArray[np.int64]
else:
    IntArray = Any

INT_SAFE = 2**53
"""Integer columns whose absolute values add up to less than this roll up in int64 exactly."""


@attrs.frozen(eq=False)
class AttrColumn:
    """One attribute column, dictionary-encoded: ``values[codes[i]]`` (``codes[i] < 0``: none).

    ``kind`` is ``"int"`` (every value an ``int``), ``"number"`` (ints and floats)
    or ``"text"``. ``ints`` holds the int64 values per position of an ``"int"``
    column whose absolute values sum below :data:`INT_SAFE` (else ``None``).
    """

    name: str
    codes: Any
    values: list[AttrValue]
    kind: str
    ints: Any = None

    def at(self, i: int) -> AttrValue | None:
        """The value at position ``i``, or ``None``."""
        c = int(self.codes[i])
        return self.values[c] if c >= 0 else None

    def python_values(self) -> list[int | float | None]:
        """Per position the numeric value or ``None`` (text counts as none), as Python objects."""
        if self.kind == "text":
            return [None] * len(self.codes)
        table: list[int | float | None] = [*self.values, None]  # type: ignore[list-item]
        return [table[c] for c in self.codes.tolist()]


@attrs.frozen(eq=False)
class TreeColumns:
    """A validated tree in pre-order, as arrays (see the module docs).

    ``ids`` (pyarrow strings), ``parent`` (position of the parent, -1 for the
    root), ``depth``, ``size`` (subtree sizes, the unit included), ``level``
    (codes into ``levels.names``), ``input_pos`` (pre-order position of the
    ``k``-th input row), ``names`` and the party columns (pyarrow strings or
    ``None``), and the attribute columns in their input order.
    """

    levels: Levels
    ids: Any
    parent: Any
    depth: Any
    size: Any
    level: Any
    input_pos: Any
    names: Any
    attrs: tuple[AttrColumn, ...]
    party: tuple[Any, Any, Any] | None = None

    def __len__(self) -> int:
        return len(self.ids)

    def unit(self, i: int) -> Unit:
        """The unit at pre-order position ``i``, made now."""
        attributes: dict[str, AttrValue] = {}
        for col in self.attrs:
            c = int(col.codes[i])
            if c >= 0:
                attributes[col.name] = col.values[c]
        return Unit.trusted(
            self.ids[i].as_py(),
            self.levels.names[int(self.level[i])],
            self.names[i].as_py() if self.names is not None else "",
            attributes,
            self._party(i),
        )

    def _party(self, i: int) -> PartyOrg | None:
        if self.party is None:
            return None
        kind, name, sec = self.party
        k = kind[i].as_py()
        if not k:
            return None
        return PartyOrg(
            k,
            name[i].as_py() if name is not None else "",
            sec[i].as_py() if sec is not None else "",
        )

    def units(self) -> list[Unit]:
        """Every unit in pre-order, made now in one pass."""
        n = len(self)
        ids = self.ids.to_pylist()
        names = self.names.to_pylist() if self.names is not None else [""] * n
        lv = self.levels.names
        levels = [lv[c] for c in self.level.tolist()]
        cols = [(c.name, c.codes.tolist(), c.values) for c in self.attrs]
        party: list[PartyOrg | None] = [None] * n
        if self.party is not None:
            kind, pname, psec = (a.to_pylist() if a is not None else None for a in self.party)
            assert kind is not None
            for i, k in enumerate(kind):
                if k:
                    party[i] = PartyOrg(
                        k, pname[i] if pname is not None else "", psec[i] if psec else ""
                    )
        trusted = Unit.trusted
        out: list[Unit] = []
        append = out.append
        for i in range(n):
            attributes: dict[str, AttrValue] = {}
            for name, codes, values in cols:
                c = codes[i]
                if c >= 0:
                    attributes[name] = values[c]
            append(trusted(ids[i], levels[i], names[i], attributes, party[i]))
        return out


def _take(array: Any, indices: Any) -> Any:
    """``array`` (pyarrow, maybe chunked) reordered by Arrow ``indices``, as one array."""
    if array is None:
        return None
    out = array.take(indices)
    return out.combine_chunks() if isinstance(out, pa.ChunkedArray) else out


def _chunks(array: Any) -> list[Any]:
    return list(array.chunks) if isinstance(array, pa.ChunkedArray) else [array]


def _any_empty(texts: Any) -> bool:
    return bool(np.any(to_numpy(pc.binary_length(texts)) == 0))


def level_codes(texts: Any, levels: Levels) -> Any:
    """``levels.rank`` of every cell as an int8 numpy array, or ``None`` if one is unknown."""
    values, codes = encode(texts)
    ranks = [levels.rank(t) if t in levels else -1 for t in values]
    if -1 in ranks:
        return None
    return np.array(ranks, dtype=np.int8)[codes]


def build_columns(
    ids: Any,
    parents: Any,
    level_names: Any,
    levels: Levels,
    *,
    names: Any = None,
    attrs_in: Sequence[AttrColumn] = (),
    party: tuple[Any, Any, Any] | None = None,
) -> TreeColumns | None:
    """Check rows given as columns (input order) and lay them out in pre-order.

    ``ids``, ``parents`` (empty for the root) and ``level_names`` are pyarrow
    string arrays, already stripped as the reference reader strips them;
    attribute codes and the other columns are in input order too. Returns
    ``None`` when the rows break any rule of :func:`gridgov.org.validate.check_columns`
    (the caller then asks the reference checker for the messages).
    """
    n = len(ids)
    if n == 0 or _any_empty(ids):
        return None  # empty ids
    lv = level_codes(level_names, levels)
    if lv is None:
        return None  # unknown level
    is_root = to_numpy(pc.binary_length(parents)) == 0
    if int(is_root.sum()) != 1:
        return None  # no root or several roots
    # The first cell of each text among the ids followed by the parents
    # (gridgov._text_keys, no copy of the cells): the ids are distinct exactly when
    # theirs are 0..n-1, and a parent's first below n is the position of the row it names.
    idx: Any = np.int32 if 2 * n < 2**31 - 1 else np.int64
    where = first_index(ids, parents).astype(idx, copy=False)
    if not np.array_equal(where[:n], np.arange(n, dtype=idx)):
        return None  # a duplicate id
    par = where[n:].copy()
    del where
    par[is_root] = -1
    if np.any(par >= n):
        return None  # an unknown parent
    kids = np.flatnonzero(~is_root).astype(idx)
    if np.any(par[kids] == kids):
        return None  # its own parent
    if np.any(lv[kids] <= lv[par[kids]]):
        return None  # a level not deeper than its parent's
    del kids
    # Every parent link goes to a strictly shallower level, so the links cannot form a
    # cycle and every unit reaches the one root in fewer steps than there are levels.
    root = int(np.flatnonzero(is_root)[0])
    depth = np.zeros(n, dtype=np.int8 if len(levels) < 127 else idx)
    for _ in range(len(levels)):
        nxt = depth[par] + 1
        nxt[root] = 0
        if np.array_equal(nxt, depth):
            break
        depth = nxt
    del nxt
    max_depth = int(depth.max())
    by_depth = np.argsort(depth, kind="stable").astype(idx)
    bounds = np.searchsorted(depth[by_depth], np.arange(max_depth + 2))
    layers = [by_depth[bounds[d] : bounds[d + 1]] for d in range(max_depth + 1)]
    # Subtree sizes, deepest layer first.
    size = np.ones(n, dtype=idx)
    for layer in reversed(layers[1:]):
        np.add.at(size, par[layer], size[layer])
    # Among siblings (input order), the sizes of the earlier ones: the offset in the parent.
    sib = np.argsort(par, kind="stable").astype(idx)
    sib_par = par[sib]
    first = np.ones(n, dtype=bool)
    first[1:] = sib_par[1:] != sib_par[:-1]
    del sib_par
    sib_size: IntArray = size[sib]
    before: IntArray = np.cumsum(sib_size, dtype=idx) - sib_size
    start = np.maximum.accumulate(np.where(first, np.arange(n, dtype=idx), 0))
    del first
    offset = np.empty(n, dtype=idx)
    offset[sib] = before - before[start]
    del sib, before, start
    pos = np.zeros(n, dtype=idx)
    for layer in layers[1:]:
        pos[layer] = pos[par[layer]] + 1 + offset[layer]
    del offset, layers, by_depth
    assert pos[root] == 0
    order = np.empty(n, dtype=idx)
    order[pos] = np.arange(n, dtype=idx)
    parent_pre = pos[par[order]]
    parent_pre[0] = -1
    del par
    cols = tuple(
        attrs.evolve(
            c,
            codes=c.codes[order],
            ints=None if c.ints is None else c.ints[order],
        )
        for c in attrs_in
    )
    take = from_numpy(order)
    return TreeColumns(
        levels=levels,
        ids=_take(ids, take),
        parent=parent_pre,
        depth=depth[order],
        size=size[order],
        level=lv[order],
        input_pos=pos,
        names=_take(names, take),
        attrs=cols,
        party=None
        if party is None
        else (_take(party[0], take), _take(party[1], take), _take(party[2], take)),
    )


def recheck(cols: TreeColumns) -> bool:
    """Whether the arrays still describe a valid tree (the vectorised re-check)."""
    n = len(cols)
    if n == 0:
        return True
    if pc.count_distinct(cols.ids).as_py() != n or _any_empty(cols.ids):
        return False
    par = cols.parent
    if int((par < 0).sum()) != 1 or par[0] != -1:
        return False
    kids = np.arange(1, n)
    return bool(np.all(par[1:] < kids) and np.all(cols.level[kids] > cols.level[par[1:]]))


_UNITS = Hierarchy.__dict__["_units"]
_PARENT = Hierarchy.__dict__["_parent"]
_CHILDREN = Hierarchy.__dict__["_children"]


def _lazy(slot: Any) -> Any:
    """A property over one of Hierarchy's dictionaries that builds them on first use."""

    def get(self: ColumnarHierarchy) -> Any:
        if self._cols is not None:
            self.materialize()
        return slot.__get__(self, Hierarchy)

    def put(self: ColumnarHierarchy, value: Any) -> None:
        slot.__set__(self, value)

    return property(get, put)


class _UnitView(Mapping[str, Unit]):
    """Read-only id → unit mapping over the columns (units made on access)."""

    __slots__ = ("_tree",)

    def __init__(self, tree: ColumnarHierarchy) -> None:
        self._tree = tree

    def __getitem__(self, key: str) -> Unit:
        i = self._tree._lookup(key)
        if i is None:
            raise KeyError(key)
        return self._tree._columns().unit(i)

    def __iter__(self) -> Iterator[str]:
        cols = self._tree._columns()
        return iter(cols.ids.take(from_numpy(np.argsort(cols.input_pos))).to_pylist())

    def __len__(self) -> int:
        return len(self._tree)


class _ParentView(Mapping[str, "str | None"]):
    """Read-only id → parent id mapping over the columns."""

    __slots__ = ("_tree",)

    def __init__(self, tree: ColumnarHierarchy) -> None:
        self._tree = tree

    def __getitem__(self, key: str) -> str | None:
        return self._tree.parent(key) if key in self._tree else _missing(key)

    def __iter__(self) -> Iterator[str]:
        return iter(_UnitView(self._tree))

    def __len__(self) -> int:
        return len(self._tree)


def _missing(key: str) -> str | None:
    raise KeyError(key)


class ColumnarHierarchy(Hierarchy):
    """A :class:`~gridgov.org.hierarchy.Hierarchy` kept in arrays until it is changed.

    Behaves exactly like the dictionary-backed tree (it *is* one once
    :meth:`materialize` has run, which every change does first).
    """

    __slots__ = ("_cols", "_lookup_map")

    _units = _lazy(_UNITS)
    _parent = _lazy(_PARENT)
    _children = _lazy(_CHILDREN)

    def __init__(self, cols: TreeColumns) -> None:
        self._cols: TreeColumns | None = None
        self._lookup_map: dict[str, int] | None = None
        super().__init__(cols.levels)
        self._cols = cols
        self._root = cols.ids[0].as_py() if len(cols) else None

    @property
    def columns(self) -> TreeColumns | None:
        """The arrays, or ``None`` once the tree has been turned into dictionaries."""
        return self._cols

    def _columns(self) -> TreeColumns:
        assert self._cols is not None
        return self._cols

    def materialize(self) -> None:
        """Build the dictionaries of an ordinary tree (insertion order = input order)."""
        cols = self._cols
        if cols is None:
            return
        units = cols.units()
        ids = [u.id for u in units]
        parent_pos = cols.parent.tolist()
        parent = [ids[p] if p >= 0 else None for p in parent_pos]
        children: dict[str, list[str]] = {}
        for uid, par in zip(ids, parent, strict=True):
            if par is not None:
                children.setdefault(par, []).append(uid)
        order = cols.input_pos.tolist()
        self._cols = None
        _UNITS.__set__(self, {ids[i]: units[i] for i in order})
        _PARENT.__set__(self, {ids[i]: parent[i] for i in order})
        _CHILDREN.__set__(self, children)
        self._ordered = units if self._ordered is None else self._ordered

    def _lookup(self, unit_id: object) -> int | None:
        """Pre-order position of ``unit_id`` (a dictionary built on the first look-up)."""
        if self._lookup_map is None:
            if self._index is not None:
                self._lookup_map = self._index.pos
            else:
                ids = self._columns().ids.to_pylist()
                self._lookup_map = dict(zip(ids, range(len(ids)), strict=True))
        return self._lookup_map.get(unit_id)  # type: ignore[call-overload,no-any-return]

    def _at(self, unit_id: str) -> int:
        i = self._lookup(unit_id)
        if i is None:
            raise UnknownUnit(unit_id)
        return i

    # -- the hot queries, answered from the arrays -------------------------------------

    def __len__(self) -> int:
        return len(self._cols) if self._cols is not None else super().__len__()

    def __contains__(self, unit_id: object) -> bool:
        if self._cols is None:
            return super().__contains__(unit_id)
        return self._lookup(unit_id) is not None

    def __getitem__(self, unit_id: str) -> Unit:
        if self._cols is None:
            return super().__getitem__(unit_id)
        return self._cols.unit(self._at(unit_id))

    def get(self, unit_id: str) -> Unit | None:
        """The unit with this id, or ``None``."""
        if self._cols is None:
            return super().get(unit_id)
        i = self._lookup(unit_id)
        return None if i is None else self._cols.unit(i)

    @property
    def index(self) -> TreeIndex:
        """The pre-order index, made from the arrays on first use."""
        cols = self._cols
        if cols is None or self._index is not None:
            return super().index
        order = cols.ids.to_pylist()
        pos = (
            self._lookup_map
            if self._lookup_map is not None
            else dict(zip(order, range(len(order)), strict=True))
        )
        self._lookup_map = pos
        self._index = TreeIndex.from_preorder(
            order, pos, cols.parent.tolist(), cols.depth.tolist(), cols.size.tolist()
        )
        return self._index

    def parent(self, unit_id: str) -> str | None:
        """Id of the parent, ``None`` for the root."""
        cols = self._cols
        if cols is None:
            return super().parent(unit_id)
        p = int(cols.parent[self._at(unit_id)])
        return cols.ids[p].as_py() if p >= 0 else None

    def children(self, unit_id: str) -> tuple[str, ...]:
        """Ids of the direct children, in insertion order."""
        cols = self._cols
        if cols is None:
            return super().children(unit_id)
        i = self._at(unit_id)
        end = i + int(cols.size[i])
        below = np.flatnonzero(cols.parent[i + 1 : end] == i) + i + 1
        return tuple(cols.ids.take(from_numpy(below)).to_pylist())

    def at_level(self, level: str, *, under: str | None = None) -> list[str]:
        """Ids of the units at ``level`` (in pre-order), optionally only under ``under``."""
        cols = self._cols
        if cols is None or level not in self._levels:
            return super().at_level(level, under=under)
        return cols.ids.take(from_numpy(self.positions_at_level(level, under=under))).to_pylist()  # type: ignore[no-any-return]

    def positions_at_level(self, level: str, *, under: str | None = None) -> Any:
        """Pre-order positions (a numpy array) of the units at ``level``."""
        cols = self._columns()
        lo, hi = 0, len(cols)
        if under is not None:
            lo = self._at(under)
            hi = lo + int(cols.size[lo])
        code = self._levels.rank(level)
        return np.flatnonzero(cols.level[lo:hi] == code) + lo

    def leaves(self, *, under: str | None = None) -> list[str]:
        """Ids of units without children, in pre-order."""
        cols = self._cols
        if cols is None:
            return super().leaves(under=under)
        lo, hi = 0, len(cols)
        if under is not None:
            lo = self._at(under)
            hi = lo + int(cols.size[lo])
        at = np.flatnonzero(cols.size[lo:hi] == 1) + lo
        return cols.ids.take(from_numpy(at)).to_pylist()  # type: ignore[no-any-return]

    def level_of_ancestor(self, unit_id: str, level: str) -> str | None:
        """The ancestor (or the unit itself) at ``level``, if there is one on the path."""
        cols = self._cols
        if cols is None:
            return super().level_of_ancestor(unit_id, level)
        code = self._levels.rank(level) if level in self._levels else -1
        i = self._at(unit_id)
        while i >= 0:
            if int(cols.level[i]) == code:
                return cols.ids[i].as_py()  # type: ignore[no-any-return]
            i = int(cols.parent[i])
        return None

    def ordered_units(self) -> list[Unit]:
        """Every unit in pre-order (made once and cached; do not mutate)."""
        if self._cols is not None and self._ordered is None:
            self._ordered = self._cols.units()
        return super().ordered_units()

    def unit_map(self) -> Mapping[str, Unit]:
        """Read-only mapping of id → unit (units made on access)."""
        return super().unit_map() if self._cols is None else _UnitView(self)

    def parent_map(self) -> Mapping[str, str | None]:
        """Read-only view of id → parent id."""
        return super().parent_map() if self._cols is None else _ParentView(self)

    def check(self) -> list[SourceProblem]:
        """Re-check the whole tree (vectorised while it is in arrays)."""
        cols = self._cols
        if cols is None or not recheck(cols):
            return super().check()
        return self.relations.check()
