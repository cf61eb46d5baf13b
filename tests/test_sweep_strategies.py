"""The public sweep strategies and the value model's round trip."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gridgov.serialize import structure, unstructure
from gridgov.strategies import households, sweep_trees, sweeps, visit_logs
from gridgov.sweep import Household, Sweep, Visit


@given(st.data())
def test_strategies_build_valid_registers_and_round_trip(data) -> None:
    tree = data.draw(sweep_trees())
    hhs = data.draw(households(tree, max_size=10))
    assert len({h.id for h in hhs}) == len(hhs)
    for h in hhs:
        assert h.building in tree
        assert structure(unstructure(h), Household) == h
    sweep = data.draw(sweeps(tree))
    assert structure(unstructure(sweep), Sweep) == sweep
    for v in data.draw(visit_logs(hhs, sweep, max_size=10)):
        assert structure(unstructure(v), Visit) == v


def test_strategies_refuse_bad_arguments() -> None:
    with pytest.raises(TypeError):
        households("not a tree")
    with pytest.raises(ValueError, match="max_buildings"):
        sweep_trees(max_buildings=0)
    with pytest.raises(TypeError):
        visit_logs([], "not a sweep")
