import pytest
from hypothesis import given, settings

from gridgov.duty.validate import evaluate
from gridgov.strategies import duty_problems, rosters


def test_bad_arguments_fail_at_once() -> None:
    with pytest.raises(TypeError):
        duty_problems(max_days="7")
    with pytest.raises(ValueError, match="max_resources"):
        duty_problems(min_resources=3, max_resources=2)


@settings(max_examples=30)
@given(
    duty_problems(max_resources=3, max_days=5, feasible=True).flatmap(
        lambda p: rosters(p).map(lambda r: (p, r))
    )
)
def test_generated_rosters_are_valid_input(pair) -> None:
    problem, roster = pair
    ids = {r.id for r in problem.resources}
    assert all(a.resource in ids for a in roster.assignments)
    evaluate(problem, roster)  # never an input error


def test_rosters_needs_a_problem() -> None:
    with pytest.raises(TypeError, match="Problem"):
        rosters("not a problem")
