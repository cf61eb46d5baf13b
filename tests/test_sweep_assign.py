"""Balanced assignment of buildings to sweepers: properties of the plan."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from gridgov.strategies import households, sweep_trees
from gridgov.sweep import Household, Occupancy
from gridgov.sweep.assign import assign_buildings, building_workloads


@st.composite
def cases(draw: st.DrawFn):
    tree = draw(sweep_trees(max_communities=2, max_grids=3, max_buildings=4))
    hhs = draw(households(tree, max_size=40))
    n = draw(st.integers(1, 12))
    return tree, hhs, [f"s{i}" for i in range(n)]


@given(cases())
def test_every_building_once_and_whole(case) -> None:
    tree, hhs, sweepers = case
    loads = building_workloads(tree, hhs)
    plan = assign_buildings(tree, loads, sweepers)
    assert [a.sweeper for a in plan.assignments] == sweepers
    dealt = [b for a in plan.assignments for b in a.buildings]
    assert sorted(dealt) == sorted(b.building for b in loads)
    by_name = {b.building: b.workload for b in loads}
    for a in plan.assignments:
        assert abs(a.workload - sum(by_name[b] for b in a.buildings)) < 1e-9


@given(cases())
def test_one_grid_per_sweeper_when_there_are_enough(case) -> None:
    tree, hhs, sweepers = case
    loads = building_workloads(tree, hhs)
    plan = assign_buildings(tree, loads, sweepers)
    grids = {b.building: tree.level_of_ancestor(b.building, "grid") for b in loads}
    if len(sweepers) >= len(set(grids.values())):
        for a in plan.assignments:
            assert len({grids[b] for b in a.buildings}) <= 1
            if a.buildings:
                assert a.unit == grids[a.buildings[0]]
            # LPT bound inside a grid: within one building of the grid's average
            mates = [x for x in plan.assignments if x.unit == a.unit and a.unit is not None]
            if a.buildings and mates:
                total = sum(x.workload for x in mates)
                biggest = max(
                    w for b, w in ((b.building, b.workload) for b in loads) if grids[b] == a.unit
                )
                assert a.workload <= total / len(mates) + biggest + 1e-9


def test_workload_counts_households_and_floors() -> None:
    from gridgov.org.hierarchy import Hierarchy
    from gridgov.org.unit import Unit

    tree = Hierarchy()
    tree.add(Unit("C", "county"), None)
    tree.add(Unit("G", "grid"), "C")
    tree.add(Unit("B1", "building", attributes={"floors": 6}), "G")
    tree.add(Unit("B2", "building"), "G")
    hhs = [
        Household("a", "B1", 1),
        Household("b", "B1", 2),
        Household("c", "B2", 9),
        Household("d", "B2", 3, occupancy=Occupancy.COMMERCIAL),
    ]
    loads = building_workloads(tree, hhs, floor_weight=0.5)
    assert [(b.building, b.households, b.floors, b.workload) for b in loads] == [
        ("B1", 2, 6, 5.0),
        ("B2", 1, 9, 5.5),
    ]
    plan = assign_buildings(tree, loads, ["x", "y", "z"])
    assert sorted(a.buildings for a in plan.assignments) == [(), ("B1",), ("B2",)]
    assert plan.max_workload == 5.5
    one = assign_buildings(tree, loads, ["x"])
    assert one.assignments[0].buildings == ("B2", "B1")
