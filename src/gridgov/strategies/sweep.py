"""Strategies for sweeps: trees with buildings, household registers and visit logs.

Values are valid by construction where they must be (unique household ids in
real buildings) and deliberately messy where real logs are messy: visit logs
mix repeats of the same upload, the same id with another content, unknown
households, times outside the window, and naive with aware times.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import attrs
from hypothesis import strategies as st

from gridgov.org.hierarchy import Hierarchy
from gridgov.org.unit import Unit
from gridgov.sweep.model import Household, Occupancy, Outcome, Sweep, Visit

__all__ = ["households", "sweep_trees", "sweeps", "visit_logs"]

_ZONES = (
    dt.UTC,
    dt.timezone(dt.timedelta(hours=8)),
    dt.timezone(dt.timedelta(hours=-5)),
)


def _check_int(name: str, value: object, low: int = 0) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int, got {value!r}")
    if value < low:
        raise ValueError(f"{name} must be at least {low}, got {value}")


def sweep_trees(
    *,
    max_communities: int = 2,
    max_grids: int = 2,
    max_buildings: int = 3,
    household_units: bool | None = None,
) -> st.SearchStrategy[Hierarchy]:
    """A county > community > grid > building tree (ids ``C``, ``C1``, ``C1G1``, ``C1G1B1``).

    With ``household_units`` (drawn when ``None``) each building also gets a few
    ``household`` units (``C1G1B1H1`` ...), some linked to a central household.
    """
    for name, value in (
        ("max_communities", max_communities),
        ("max_grids", max_grids),
        ("max_buildings", max_buildings),
    ):
        _check_int(name, value, 1)
    return _sweep_trees(max_communities, max_grids, max_buildings, household_units)


@st.composite
def _sweep_trees(
    draw: st.DrawFn,
    max_communities: int,
    max_grids: int,
    max_buildings: int,
    household_units: bool | None,
) -> Hierarchy:
    with_hh = draw(st.booleans()) if household_units is None else household_units
    tree = Hierarchy()
    tree.add(Unit("C", "county"), None)
    for c in range(1, draw(st.integers(1, max_communities)) + 1):
        cid = f"C{c}"
        tree.add(Unit(cid, "community"), "C")
        for g in range(1, draw(st.integers(1, max_grids)) + 1):
            gid = f"{cid}G{g}"
            tree.add(Unit(gid, "grid"), cid)
            for b in range(1, draw(st.integers(1, max_buildings)) + 1):
                bid = f"{gid}B{b}"
                tree.add(Unit(bid, "building", attributes={"floors": b + 1}), gid)
                if with_hh:
                    hids = [f"{bid}H{k}" for k in range(1, draw(st.integers(0, 3)) + 1)]
                    for hid in hids:
                        tree.add(Unit(hid, "household"), bid)
                    if len(hids) >= 2 and draw(st.booleans()):
                        tree.relations.link_central_household(hids[0], hids[1:])
    return tree


def households(
    tree: Hierarchy, *, min_size: int = 0, max_size: int = 20
) -> st.SearchStrategy[list[Household]]:
    """A register of households with unique ids in the buildings of ``tree``.

    Household units of the tree are used as they are (id and building); extra
    households get fresh ids. Occupancy and ``discovered`` are drawn.
    """
    if not isinstance(tree, Hierarchy):
        raise TypeError(f"tree must be a gridgov.org.Hierarchy, got {tree!r}")
    _check_int("min_size", min_size)
    _check_int("max_size", max_size)
    if max_size < min_size:
        raise ValueError(f"max_size ({max_size}) must be >= min_size ({min_size})")
    return _households(tree, min_size, max_size)


@st.composite
def _households(draw: st.DrawFn, tree: Hierarchy, min_size: int, max_size: int) -> list[Household]:
    buildings = tree.at_level("building") if "building" in tree.levels else []
    if not buildings:
        buildings = tree.leaves()
    units = [
        (u, tree.parent(u))
        for u in (tree.at_level("household") if "household" in tree.levels else [])
    ]
    n = draw(st.integers(min_size, max_size))
    out: list[Household] = []
    for i in range(n):
        if i < len(units) and draw(st.booleans()):
            hid, parent = units[i]
            building = parent if parent is not None else buildings[0]
        else:
            hid = f"X{i}"
            building = draw(st.sampled_from(buildings))
        out.append(
            Household(
                hid,
                building,
                draw(st.none() | st.integers(-3, 20)),  # basements are floors too
                draw(st.sampled_from(("", "101", "2B"))),
                draw(st.sampled_from(list(Occupancy))),
                draw(st.booleans()),
            )
        )
    seen: set[str] = set()
    unique = []
    for h in out:
        if h.id not in seen:
            seen.add(h.id)
            unique.append(h)
    return unique


def sweeps(tree: Hierarchy, *, aware: bool | None = None) -> st.SearchStrategy[Sweep]:
    """A one-day sweep over a unit of ``tree`` (naive or with an offset, drawn)."""
    if not isinstance(tree, Hierarchy):
        raise TypeError(f"tree must be a gridgov.org.Hierarchy, got {tree!r}")
    return _sweeps(tree, aware)


@st.composite
def _sweeps(draw: st.DrawFn, tree: Hierarchy, aware: bool | None) -> Sweep:
    is_aware = draw(st.booleans()) if aware is None else aware
    zone = draw(st.sampled_from(_ZONES)) if is_aware else None
    start = dt.datetime(2020, 2, 10, 8, tzinfo=zone)
    scope = draw(st.sampled_from([tree.root, *tree.at_level("community")]))
    return Sweep("S1", scope, start, start + dt.timedelta(hours=12), "test sweep")


def visit_logs(
    households: Sequence[Household],
    sweep: Sweep,
    *,
    max_size: int = 40,
    messy: bool = True,
) -> st.SearchStrategy[list[Visit]]:
    """A log of visits to ``households`` during ``sweep``, as a phone app would upload it.

    With ``messy`` the log also holds repeats of the same upload, the same id with
    another content, unknown households, other sweeps, times outside the window
    and times in another notation (naive or another offset) for the same instant.
    """
    if not isinstance(sweep, Sweep):
        raise TypeError(f"sweep must be a gridgov.sweep.Sweep, got {sweep!r}")
    _check_int("max_size", max_size)
    return _visit_logs(list(households), sweep, max_size, messy)


@st.composite
def _visit_logs(
    draw: st.DrawFn, households: list[Household], sweep: Sweep, max_size: int, messy: bool
) -> list[Visit]:
    ids = [h.id for h in households]
    n = draw(st.integers(0, max_size))
    out: list[Visit] = []
    zone = sweep.start.tzinfo
    for i in range(n):
        kind = draw(st.integers(0, 9)) if messy and out else 0
        if kind == 1:  # the same upload again
            out.append(draw(st.sampled_from(out)))
            continue
        if kind == 2:  # same id, other content
            base = draw(st.sampled_from(out))
            out.append(attrs.evolve(base, note=base.note + "!"))
            continue
        household = f"unknown{i}" if kind == 3 or not ids else draw(st.sampled_from(ids))
        minutes = draw(st.integers(-60, 13 * 60) if kind == 4 else st.integers(0, 12 * 60))
        at = sweep.start + dt.timedelta(minutes=minutes)
        if kind == 5 and zone is not None:
            at = draw(st.sampled_from((at.replace(tzinfo=None), at.astimezone(dt.UTC))))
        if kind == 6 and zone is None:
            at = at.replace(tzinfo=dt.UTC)
        outcome = draw(st.sampled_from(list(Outcome)))
        persons = (
            draw(st.integers(0, 5))
            if outcome
            in (
                Outcome.VERIFIED,
                Outcome.PARTLY_VERIFIED,
            )
            else 0
        )
        out.append(
            Visit(
                f"V{i}",
                "S0" if kind == 7 else sweep.id,
                household,
                at,
                draw(st.sampled_from(("w1", "w2"))),
                outcome,
                persons,
                persons,
                "",
                draw(st.integers(0, min(persons, 2))),
            )
        )
    return out
