"""The row dynamic program against brute force over every row of tiny problems."""

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from gridgov.duty.compiled import OFF, Compiled, compile_problem
from gridgov.duty.solver.rowdp import _dp, _time_units, _tracked_caps, best_row
from gridgov.strategies import duty_problems


def _stretches(row: list[int]) -> list[tuple[bool, int, int]]:
    """(working, first day, length) of each maximal stretch."""
    out: list[tuple[bool, int, int]] = []
    for d, s in enumerate(row):
        w = s >= 0
        if out and out[-1][0] == w:
            out[-1] = (w, out[-1][1], out[-1][2] + 1)
        else:
            out.append((w, d, 1))
    return out


def exact_ok(cp: Compiled, r: int, row: list[int]) -> bool:
    """The rules the program keeps exactly, checked independently."""
    lim = cp.limits[r]
    D = len(row)
    for d, s in enumerate(row):
        if s >= 0 and (cp.unavailable[r][d] or s not in cp.allowed_shifts[r]):
            return False
        if d and row[d - 1] >= 0 and s >= 0 and s in cp.forbidden_next[row[d - 1]]:
            return False
    for work, a, n in _stretches(row):
        exempt = a == 0 or a + n == D
        if work and lim.max_consecutive and n > lim.max_consecutive:
            return False
        if work and not exempt and n < (lim.min_consecutive or 0):
            return False
        if not work and not exempt and n < (lim.min_days_off or 0):
            return False
    if lim.max_weekends is not None:
        worked = sum(any(row[x] >= 0 for x in days) for days in cp.weekends)
        if worked > lim.max_weekends:
            return False
    return True


def totals_ok(cp: Compiled, r: int, row: list[int]) -> bool:
    lim = cp.limits[r]
    minutes = sum(cp.minutes[s] for s in row if s >= 0)
    if lim.min_minutes is not None and minutes < lim.min_minutes:
        return False
    if lim.max_minutes is not None and minutes > lim.max_minutes:
        return False
    return all(m is None or sum(x == s for x in row) <= m for s, m in enumerate(cp.max_per_type[r]))


@settings(max_examples=60, deadline=None)
@given(duty_problems(max_resources=2, max_days=6, max_shifts=2, max_posts=1), st.data())
def test_row_dp_matches_brute_force(problem, data) -> None:
    cp = compile_problem(problem)
    r = data.draw(st.integers(0, cp.R - 1))
    cost = [[float(data.draw(st.integers(-9, 9))) for _ in range(cp.S + 1)] for _ in range(cp.D)]
    rows = [list(x) for x in itertools.product(range(OFF, cp.S), repeat=cp.D)]
    exact = [row for row in rows if exact_ok(cp, r, row)]
    row = best_row(cp, r, cost)
    if not exact:
        assert row is None
        return
    assert row is not None
    assert exact_ok(cp, r, row)
    price = sum(cost[d][row[d] + 1] for d in range(cp.D))
    both = [x for x in exact if totals_ok(cp, r, x)]
    unlimited = all(m is None for m in cp.max_per_type[r]) and (
        cp.limits[r].min_minutes is None and cp.limits[r].max_minutes is None
    )
    if unlimited:
        # nothing priced by multipliers: the row is the cheapest that keeps the rules
        assert price == min(sum(cost[d][x[d] + 1] for d in range(cp.D)) for x in exact)
    if both and len(both) == len(exact):
        assert totals_ok(cp, r, row)
    if both and _kept_exactly(cp, r):
        # window and maxima in the program's state: the cheapest row that keeps everything
        assert totals_ok(cp, r, row)
        assert price == min(sum(cost[d][x[d] + 1] for d in range(cp.D)) for x in both)


def _kept_exactly(cp: Compiled, r: int) -> bool:
    """True when the program keeps r's minutes window and every per-type maximum exactly."""
    lim = cp.limits[r]
    window = lim.min_minutes is None and lim.max_minutes is None
    tracked = {s for s, _m in _tracked_caps(cp, r)}
    caps = all(
        m is None or s in tracked or s not in cp.allowed_shifts[r] or m >= cp.D
        for s, m in enumerate(cp.max_per_type[r])
    )
    return (window or _time_units(cp, r) is not None) and caps


@settings(max_examples=60, deadline=None)
@given(duty_problems(max_resources=2, max_days=6, max_shifts=2, max_posts=1), st.data())
def test_row_dp_bound_is_a_lower_bound(problem, data) -> None:
    """``bound`` never exceeds the price of any row that keeps every rule of the row."""
    cp = compile_problem(problem)
    r = data.draw(st.integers(0, cp.R - 1))
    cost = [[float(data.draw(st.integers(-9, 9))) for _ in range(cp.S + 1)] for _ in range(cp.D)]
    hint = [float(data.draw(st.integers(0, 20))) for _ in range(cp.S)]
    bound = [0.0]
    row = best_row(cp, r, cost, prices=hint, bound=bound)
    rows = [list(x) for x in itertools.product(range(OFF, cp.S), repeat=cp.D)]
    both = [x for x in rows if exact_ok(cp, r, x) and totals_ok(cp, r, x)]
    if row is not None and both:
        assert bound[0] <= min(sum(cost[d][x[d] + 1] for d in range(cp.D)) for x in both) + 1e-9
    if row is not None:
        assert exact_ok(cp, r, row)


@settings(max_examples=30, deadline=None)
@given(duty_problems(max_resources=2, max_days=6, max_shifts=2, max_posts=1), st.data())
def test_row_dp_keeps_forced_days(problem, data) -> None:
    cp = compile_problem(problem)
    r = data.draw(st.integers(0, cp.R - 1))
    cost = [[float(data.draw(st.integers(-5, 5))) for _ in range(cp.S + 1)] for _ in range(cp.D)]
    d0 = data.draw(st.integers(0, cp.D - 1))
    forced: list[int | None] = [None] * cp.D
    forced[d0] = OFF
    row = best_row(cp, r, cost, forced)
    if row is not None:
        assert row[d0] == OFF
        assert exact_ok(cp, r, row)


@settings(max_examples=80, deadline=None)
@given(duty_problems(max_resources=2, max_days=7, max_shifts=2, max_posts=1), st.data())
def test_row_dp_keeps_a_binding_maximum(problem, data) -> None:
    """A shift type priced far below the rest pushes against its maximum: the row keeps it."""
    cp = compile_problem(problem)
    r = data.draw(st.integers(0, cp.R - 1))
    capped = [
        s for s in cp.allowed_shifts[r] if (m := cp.max_per_type[r][s]) is not None and m < cp.D
    ]
    if not capped:
        return
    s0 = data.draw(st.sampled_from(capped))
    cost = [
        [-20.0 if y == s0 + 1 else float(data.draw(st.integers(-5, 5))) for y in range(cp.S + 1)]
        for _ in range(cp.D)
    ]
    row = best_row(cp, r, cost)
    rows = [list(x) for x in itertools.product(range(OFF, cp.S), repeat=cp.D)]
    both = [x for x in rows if exact_ok(cp, r, x) and totals_ok(cp, r, x)]
    if not both or not _kept_exactly(cp, r):
        return
    assert row is not None
    assert totals_ok(cp, r, row)
    price = sum(cost[d][row[d] + 1] for d in range(cp.D))
    assert price == min(sum(cost[d][x[d] + 1] for d in range(cp.D)) for x in both)


@settings(max_examples=80, deadline=None)
@given(duty_problems(max_resources=2, max_days=7, max_shifts=2, max_posts=1), st.data())
def test_program_state_keeps_window_and_tracked_maxima(problem, data) -> None:
    """The program alone (no multipliers) returns the cheapest row that keeps the exact
    rules, the minutes window it tracks and the maxima it tracks."""
    cp = compile_problem(problem)
    r = data.draw(st.integers(0, cp.R - 1))
    favourite = data.draw(st.integers(0, cp.S - 1))
    cost = [
        [
            -20.0 if y == favourite + 1 else float(data.draw(st.integers(-5, 5)))
            for y in range(cp.S + 1)
        ]
        for _ in range(cp.D)
    ]
    units = _time_units(cp, r)
    caps = _tracked_caps(cp, r)
    row = _dp(cp, r, cost, [None] * cp.D, 0.0, [0.0] * cp.S, units, caps)
    lim = cp.limits[r]

    def keeps(x: list[int]) -> bool:
        minutes = sum(cp.minutes[s] for s in x if s >= 0)
        if units is not None and not (
            (lim.min_minutes or 0) <= minutes
            and (lim.max_minutes is None or minutes <= lim.max_minutes)
        ):
            return False
        return exact_ok(cp, r, x) and all(sum(y == s for y in x) <= m for s, m in caps)

    rows = [list(x) for x in itertools.product(range(OFF, cp.S), repeat=cp.D)]
    good = [x for x in rows if keeps(x)]
    if not good:
        assert row is None
        return
    assert row is not None
    assert keeps(row)
    assert sum(cost[d][row[d] + 1] for d in range(cp.D)) == min(
        sum(cost[d][x[d] + 1] for d in range(cp.D)) for x in good
    )


@settings(max_examples=80, deadline=None)
@given(duty_problems(max_resources=2, max_days=7, max_shifts=2, max_posts=1), st.data())
def test_program_with_forced_days_counts_only_the_free_ones(problem, data) -> None:
    """With some days forced, the window and the tracked maxima still hold for the whole
    row: the program counts the free days against what the forced ones leave."""
    cp = compile_problem(problem)
    r = data.draw(st.integers(0, cp.R - 1))
    cost = [[float(data.draw(st.integers(-9, 9))) for _ in range(cp.S + 1)] for _ in range(cp.D)]
    forced: list[int | None] = [
        data.draw(st.one_of(st.none(), st.integers(OFF, cp.S - 1))) for _ in range(cp.D)
    ]
    units = _time_units(cp, r, forced)
    caps = _tracked_caps(cp, r, forced)
    row = _dp(cp, r, cost, forced, 0.0, [0.0] * cp.S, units, caps)
    lim = cp.limits[r]

    def keeps(x: list[int]) -> bool:
        if any(f is not None and x[d] != f for d, f in enumerate(forced)):
            return False
        minutes = sum(cp.minutes[s] for s in x if s >= 0)
        if units is not None and not (
            (lim.min_minutes or 0) <= minutes
            and (lim.max_minutes is None or minutes <= lim.max_minutes)
        ):
            return False
        # forced days may hold any shift: the exact rules are checked on the free ones
        return exact_ok(cp, r, x) and all(
            sum(y == s for y in x) <= cp.max_per_type[r][s]  # type: ignore[operator]
            for s, _m in caps
        )

    rows = [list(x) for x in itertools.product(range(OFF, cp.S), repeat=cp.D)]
    good = [x for x in rows if keeps(x)]
    if row is not None:
        assert all(f is None or row[d] == f for d, f in enumerate(forced))
    if good:
        assert row is not None
        price = sum(cost[d][row[d] + 1] for d in range(cp.D))
        best = min(sum(cost[d][x[d] + 1] for d in range(cp.D)) for x in good)
        # nothing is checked between two forced days (by contract), so where two forced
        # days are neighbours the program may keep a cheaper row that breaks a rule there
        lenient = any(forced[d] is not None and forced[d - 1] is not None for d in range(1, cp.D))
        if lenient:
            assert price <= best
            minutes = sum(cp.minutes[s] for s in row if s >= 0)
            if units is not None:
                assert (lim.min_minutes or 0) <= minutes
                assert lim.max_minutes is None or minutes <= lim.max_minutes
        else:
            assert keeps(row)
            assert price == best
