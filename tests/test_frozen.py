"""Issue 12: frozen values are deeply frozen (immutable mappings); Problem and Event hash."""

from __future__ import annotations

import datetime as dt
import pickle

import pytest
from hypothesis import given

from gridgov.duty.model import Limits, Problem, RuleConfig, StaffNeed
from gridgov.events import Event, EventKind
from gridgov.frozen import FrozenDict
from gridgov.org.unit import Unit
from gridgov.serialize import structure, unstructure
from gridgov.strategies import duty_problems


def test_a_validated_unit_cannot_change() -> None:
    unit = Unit("C", "county", attributes={"households": 3})
    with pytest.raises(TypeError):
        unit.attributes["x"] = 1  # type: ignore[index]
    assert unit.attributes == {"households": 3}
    trusted = Unit.trusted("C", "county", "", {"households": 3})
    with pytest.raises(TypeError):
        trusted.attributes["households"] = 4  # type: ignore[index]


@pytest.mark.parametrize(
    ("value", "field"),
    [
        (StaffNeed("D", skills={"medic": 1}), "skills"),
        (Limits(max_shifts={"N": 3}), "max_shifts"),
        (RuleConfig("cover", params={"x": 1}), "params"),
        (
            Event("e", EventKind.RULE_VIOLATION, dt.datetime(2026, 1, 1), "C", data={"a": 1}),
            "data",
        ),
    ],
)
def test_mapping_fields_are_immutable_and_hash(value: object, field: str) -> None:
    mapping = getattr(value, field)
    assert isinstance(mapping, FrozenDict)
    with pytest.raises(TypeError):
        mapping["y"] = 2
    assert hash(value) == hash(pickle.loads(pickle.dumps(value)))
    assert structure(unstructure(value), type(value)) == value


@given(duty_problems(max_resources=3, max_days=4))
def test_problems_hash_and_round_trip(problem: Problem) -> None:
    assert hash(problem) == hash(structure(unstructure(problem), Problem))
    assert structure(unstructure(problem), Problem) == problem


def test_frozen_dict_equals_the_dict() -> None:
    f = FrozenDict({"a": 1})
    assert f == {"a": 1} and {"a": 1} == f and f != {"a": 2}  # noqa: SIM300
    assert repr(f) == "{'a': 1}" and len(f) == 1 and list(f) == ["a"]


def test_every_public_exception_lives_in_gridgov_errors_and_at_the_top() -> None:
    import gridgov
    import gridgov.errors as errors
    from gridgov.cli.common import UsageError
    from gridgov.plugins import PluginConflict, UnknownComponent
    from gridgov.store import ScopeError, StoreError

    for cls in (UsageError, PluginConflict, UnknownComponent, ScopeError, StoreError):
        assert cls.__module__ == "gridgov.errors"
        assert getattr(gridgov, cls.__name__) is cls is getattr(errors, cls.__name__)
