"""The public strategies check their arguments and honour their bounds."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridgov.org import Hierarchy, Levels
from gridgov.strategies import hierarchies


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"min_units": 0}, ValueError),
        ({"min_units": 5, "max_units": 2}, ValueError),
        ({"max_units": "9"}, TypeError),
        ({"levels": ("a", "b")}, TypeError),
    ],
)
def test_bad_arguments_fail_at_once(kwargs: dict, error: type[Exception]) -> None:
    with pytest.raises(error):
        hierarchies(**kwargs)


@settings(max_examples=30)
@given(hierarchies(min_units=3, max_units=8, levels=Levels(("a", "b", "c")), skip_levels=False))
def test_bounds_and_no_skipped_levels(t: Hierarchy) -> None:
    assert 3 <= len(t) <= 8
    for u in t:
        p = t.parent(u.id)
        if p is not None:
            assert t.levels.rank(u.level) == t.levels.rank(t[p].level) + 1


@settings(max_examples=10)
@given(st.from_type(Hierarchy))
def test_registered_for_from_type(t: Hierarchy) -> None:
    assert t.check() == []
