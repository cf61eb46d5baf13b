"""Strategies for organisation hierarchies."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from gridgov.org.hierarchy import Hierarchy
from gridgov.org.levels import DEFAULT_LEVELS, Levels
from gridgov.org.relations import GovUnit
from gridgov.org.unit import AttrValue, PartyOrg, Unit

_ID_ALPHABET = st.characters(
    codec="utf-8",
    categories=["L", "N"],
    include_characters="-_.:/ ",
)
_TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs"], exclude_characters="\x00"),
    max_size=12,
)  # any text a unit may hold: everything but NUL (see gridgov.org.unit)
_WORD = st.text(st.characters(codec="utf-8", categories=["L"]), min_size=1, max_size=8)
_NUMBER: st.SearchStrategy[AttrValue] = st.one_of(
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False),
)


def _check_bounds(min_units: int, max_units: int) -> None:
    for name, value in (("min_units", min_units), ("max_units", max_units)):
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"{name} must be an int, got {value!r}")
    if min_units < 1:
        raise ValueError(f"min_units must be at least 1, got {min_units}")
    if max_units < min_units:
        raise ValueError(f"max_units ({max_units}) must be >= min_units ({min_units})")


def unit_ids() -> st.SearchStrategy[str]:
    """Ids: non-empty, no surrounding spaces, letters, digits and a little punctuation."""
    return st.text(_ID_ALPHABET, min_size=1, max_size=10).map(str.strip).filter(bool)


@st.composite
def units(
    draw: st.DrawFn,
    *,
    level: str | st.SearchStrategy[str] = "household",
    unit_id: str | st.SearchStrategy[str] | None = None,
    numeric: tuple[str, ...] = ("households", "residents", "party_members"),
    text: tuple[str, ...] = ("note",),
    party: bool = True,
) -> Unit:
    """A :class:`Unit` at ``level`` with some of the ``numeric`` and ``text`` attributes."""
    lvl = draw(level) if isinstance(level, st.SearchStrategy) else level
    if unit_id is None:
        uid = draw(unit_ids())
    elif isinstance(unit_id, st.SearchStrategy):
        uid = draw(unit_id)
    else:
        uid = unit_id
    attributes: dict[str, AttrValue] = {}
    for name in numeric:
        if draw(st.booleans()):
            attributes[name] = draw(_NUMBER)
    for name in text:
        if draw(st.booleans()):
            attributes[name] = draw(_WORD)
    org = None
    if party and draw(st.booleans()):
        org = PartyOrg(draw(st.sampled_from(("branch", "group"))), draw(_TEXT), draw(_TEXT))
    return Unit(uid, lvl, draw(_TEXT), attributes, org)


def hierarchies(
    *,
    levels: Levels = DEFAULT_LEVELS,
    min_units: int = 1,
    max_units: int = 30,
    skip_levels: bool = True,
    numeric: tuple[str, ...] = ("households", "residents", "party_members"),
    text: tuple[str, ...] = ("note",),
    party: bool = True,
    relations: bool = False,
) -> st.SearchStrategy[Hierarchy]:
    """A valid :class:`Hierarchy` over ``levels`` with between ``min_units`` and ``max_units``.

    The tree is drawn first (each unit picks an earlier unit as parent and a deeper
    level), so it is valid by construction and shrinks towards small, shallow trees.
    With ``skip_levels=False`` each child sits exactly one level below its parent.
    With ``relations=True`` the tree also gets central-household links between
    units of the scheme's household level (:attr:`gridgov.org.Levels.household`)
    and government units paired with some units.
    Bad arguments raise ``TypeError``/``ValueError`` at once.
    """
    _check_bounds(min_units, max_units)
    if not isinstance(levels, Levels):
        raise TypeError(f"levels must be a gridgov.org.Levels, got {levels!r}")
    if len(levels) == 1 and min_units > 1:
        raise ValueError("a one-level scheme holds a single unit; min_units must be 1")
    return _hierarchies(
        levels=levels,
        min_units=min_units,
        max_units=max_units,
        skip_levels=skip_levels,
        numeric=numeric,
        text=text,
        party=party,
        relations=relations,
    )


@st.composite
def _hierarchies(
    draw: st.DrawFn,
    *,
    levels: Levels = DEFAULT_LEVELS,
    min_units: int = 1,
    max_units: int = 30,
    skip_levels: bool = True,
    numeric: tuple[str, ...] = ("households", "residents", "party_members"),
    text: tuple[str, ...] = ("note",),
    party: bool = True,
    relations: bool = False,
) -> Hierarchy:
    n = draw(st.integers(min_value=min_units, max_value=max_units))
    names = levels.names
    ids = draw(st.lists(unit_ids(), min_size=n, max_size=n, unique=True))
    ranks: list[int] = [0]
    parents: list[int | None] = [None]
    for i in range(1, n):
        candidates = [j for j in range(i) if ranks[j] < len(names) - 1]
        if not candidates:
            break
        p: int = draw(st.sampled_from(candidates))
        if skip_levels:
            r = draw(st.integers(min_value=ranks[p] + 1, max_value=len(names) - 1))
        else:
            r = ranks[p] + 1
        ranks.append(r)
        parents.append(p)
    kw: dict[str, Any] = {"numeric": numeric, "text": text, "party": party}
    pairs = []
    for i, (r, par) in enumerate(zip(ranks, parents, strict=True)):
        unit = draw(units(level=names[r], unit_id=ids[i], **kw))
        pairs.append((unit, None if par is None else ids[par]))
    tree = Hierarchy.from_units(pairs, levels=levels)
    if relations:
        _draw_relations(draw, tree)
    return tree


def _draw_relations(draw: st.DrawFn, tree: Hierarchy) -> None:
    """Central-household links among the units of the household level (when the scheme has
    one), and some paired government units."""
    rel = tree.relations
    level = tree.levels.household
    free = list(tree.at_level(level)) if level is not None else []
    while len(free) >= 2 and draw(st.booleans()):
        central = draw(st.sampled_from(free))
        others = [h for h in free if h != central and h not in rel.central]
        if not others:
            break
        picked = draw(st.lists(st.sampled_from(others), max_size=4, unique=True))
        rel.link_central_household(central, picked)
        free = [h for h in free if h not in rel.looked_after and h != central]
    ids = [u.id for u in tree]
    for g in range(draw(st.integers(min_value=0, max_value=3))):
        gov = GovUnit(f"GOV{g}", draw(_TEXT), draw(st.integers(min_value=0, max_value=50)))
        rel.pair(gov, draw(st.lists(st.sampled_from(ids), max_size=3, unique=True)), level=None)
