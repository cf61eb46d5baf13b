"""The benchmark-shaped generator: deterministic, round-trips the file format, and every
person it draws has a row that keeps the hard rules."""

from hypothesis import given, settings
from hypothesis import strategies as st

from gridgov.duty.compiled import compile_problem
from gridgov.duty.formats import curtois
from gridgov.duty.generate import benchmark_like
from gridgov.duty.rules import bind_rules
from gridgov.duty.solver import rowdp
from gridgov.duty.solver.local import solve
from gridgov.duty.solver.rowdp import best_row

EXACT = rowdp.EXACT_UNITS, rowdp.EXACT_COUNTS

sizes = st.tuples(st.integers(1, 6), st.integers(1, 8), st.integers(1, 5), st.integers(0, 99))


@settings(max_examples=20, deadline=None)
@given(sizes)
def test_generated_instances_round_trip_the_benchmark_format(size) -> None:
    weeks, staff, types, seed = size
    p = benchmark_like(days=7 * weeks, staff=staff, shift_types=types, seed=seed)
    assert curtois.loads(curtois.dumps(p), name=p.name) == p
    assert benchmark_like(days=7 * weeks, staff=staff, shift_types=types, seed=seed) == p


@settings(max_examples=15, deadline=None)
@given(sizes)
def test_every_generated_person_has_a_row_that_keeps_the_hard_rules(size) -> None:
    # the row program is exact once it tracks every minutes total and type count
    rowdp.EXACT_UNITS, rowdp.EXACT_COUNTS = 10**6, 10**6
    try:
        _every_row_feasible(size)
    finally:
        rowdp.EXACT_UNITS, rowdp.EXACT_COUNTS = EXACT


def _every_row_feasible(size: tuple[int, int, int, int]) -> None:
    weeks, staff, types, seed = size
    cp = compile_problem(benchmark_like(days=7 * weeks, staff=staff, shift_types=types, seed=seed))
    rules = [r for r in bind_rules(cp) if r.hard and r.scope == "resource"]
    for r in range(cp.R):
        row = best_row(cp, r, [[0.0] * (cp.S + 1) for _ in range(cp.D)])
        assert row is not None
        posts = [0 if s >= 0 else -1 for s in row]
        assert sum(rule.resource_cost(r, row, posts, None)[0] for rule in rules) == 0


def test_solver_is_feasible_on_a_small_generated_instance() -> None:
    p = benchmark_like(days=14, staff=6, shift_types=2, seed=3)
    result = solve(p, max_iterations=4000, time_limit=3600, seed=1)
    assert result.feasible, result.explanation


def test_bad_sizes_are_refused() -> None:
    for kw in ({"days": 10}, {"days": 0}, {"staff": 0}, {"shift_types": 0}):
        try:
            benchmark_like(**kw)
        except ValueError:
            continue
        raise AssertionError(f"accepted {kw}")
