"""The ``cpsat`` solver: its model scores every rule as the rules do, its optimum is the
brute-force optimum, it refuses what it cannot model, and it is reachable by name."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import itertools
import json
from pathlib import Path

import attrs
import pytest
from gridgov_ortools import solve
from gridgov_ortools.model import RosterModel, Unsupported
from gridgov_ortools.plugin import cpsat
from hypothesis import given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from gridgov.cli import main
from gridgov.duty.compiled import OFF, compile_problem
from gridgov.duty.formats import curtois
from gridgov.duty.generate import benchmark_like
from gridgov.duty.grid import from_grid, to_grid
from gridgov.duty.model import (
    DEFAULT_RULES,
    Assignment,
    Horizon,
    Limits,
    Post,
    Problem,
    Resource,
    Roster,
    RuleConfig,
    ShiftType,
    StaffNeed,
)
from gridgov.duty.rules import BUILTIN_RULES, bind_rules
from gridgov.duty.rules.base import RESOURCE, Rule
from gridgov.duty.validate import evaluate
from gridgov.errors import InvalidInput
from gridgov.plugins import get_plugins
from gridgov.strategies import duty_problems, rosters

DATA = Path("/work/shared/data/curtois")
EXTRA = (
    RuleConfig("fairness", hard=False, weight=2, params={"measure": "nights"}),
    RuleConfig("fairness", hard=False, weight=1, params={"measure": "hours"}),
    RuleConfig("fairness", hard=False, weight=1, params={"measure": "weekends"}),
    RuleConfig("continuity", hard=False, weight=3),
)
W = 10**6


@st.composite
def _mixed(draw: st.DrawFn) -> Problem:
    """A small problem with every rule, each hard or soft (weight 1-3) at random."""
    p = draw(duty_problems(max_resources=4, max_days=7, max_shifts=3, max_posts=2))
    configs = []
    for c in DEFAULT_RULES + EXTRA:
        hard = draw(st.booleans()) if c.name not in ("fairness", "continuity") else c.hard
        configs.append(attrs.evolve(c, hard=hard, weight=draw(st.integers(1, 3))))
    return attrs.evolve(p, rules=tuple(configs))


def _fix_all(cp, roster):
    shifts, posts, _ = to_grid(cp, roster)
    return {(r, d): (shifts[r][d], posts[r][d]) for r in range(cp.R) for d in range(cp.D)}


def _solve_model(model: RosterModel) -> tuple[int, float | None]:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 20
    status = solver.solve(model.m)
    value = solver.objective_value if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None
    return status, value


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_the_model_scores_every_rule_as_the_rule_does(data) -> None:
    problem = data.draw(_mixed())
    roster = data.draw(rosters(problem))
    cp = compile_problem(problem)
    rules = bind_rules(cp)
    ev = evaluate(cp, roster)
    fixed = _fix_all(cp, roster)
    # penalties: hard units weigh W, soft ones their weight: the validator's numbers
    status, value = _solve_model(RosterModel(cp, rules, fixed=fixed, strict=False, hard_weight=W))
    assert status == cp_model.OPTIMAL
    assert round(value) == W * ev.score.hard + ev.score.soft
    # constraints: this roster is a solution exactly when it breaks no hard rule
    status, value = _solve_model(RosterModel(cp, rules, fixed=fixed))
    if ev.score.hard == 0:
        assert status == cp_model.OPTIMAL and round(value) == ev.score.soft
    else:
        assert status == cp_model.INFEASIBLE


def _every_roster(problem: Problem):
    cp = compile_problem(problem)
    choices = [(OFF, OFF)] + [(s, p) for s in range(cp.S) for p in range(cp.P)]
    for cells in itertools.product(choices, repeat=cp.R * cp.D):
        shifts = [[cells[r * cp.D + d][0] for d in range(cp.D)] for r in range(cp.R)]
        posts = [[cells[r * cp.D + d][1] for d in range(cp.D)] for r in range(cp.R)]
        yield from_grid(cp, shifts, posts)


@settings(max_examples=12, deadline=None)
@given(_mixed().filter(lambda p: len(p.resources) * p.horizon.days <= 6), st.integers(0, 9))
def test_the_optimum_is_the_brute_force_optimum(problem, seed) -> None:
    cp = compile_problem(problem)
    if (1 + cp.S * cp.P) ** (cp.R * cp.D) > 4000:
        return
    best = min(
        (evaluate(cp, ros).score for ros in _every_roster(problem)),
        key=lambda s: (s.hard, s.soft),
    )
    result = solve(problem, time_limit=20, seed=seed, workers=1)
    assert evaluate(problem, result.roster).score == result.score
    if best.hard == 0:
        assert result.optimal
        assert result.score == best
        assert result.bound == best.soft
    else:
        assert result.score.hard > 0
        assert not result.optimal
        assert result.explanation


class _Mine(Rule):
    name = "my_rule"
    scope = RESOURCE

    def resource_cost(self, r, shifts, posts, out):
        return (0, 0)


def _night_problem() -> Problem:
    """Night shifts (10 h) on three days that only T3 may work; T3 may work 20 h."""
    shifts = (
        ShiftType("D", 480, dt.time(8, 0)),
        ShiftType("N", 600, dt.time(22, 0), night=True, name="Night"),
    )
    post = Post("K3", needs=(StaffNeed("D", min=1, max=1), StaffNeed("N", min=1, max=1)))
    res = (
        Resource("T1", limits=Limits(max_shifts={"N": 0})),
        Resource("T2", limits=Limits(max_shifts={"N": 0})),
        Resource("T3", limits=Limits(max_minutes=1200)),
    )
    return Problem(Horizon(dt.date(2026, 12, 1), 3), shifts, (post,), res)


def test_a_rule_it_cannot_model_is_refused_by_name() -> None:
    cp = compile_problem(_night_problem())
    with pytest.raises(Unsupported, match="my_rule"):
        solve(cp, time_limit=5, extra_rules=[_Mine(cp)], workers=1)


def test_a_plugin_rule_comes_in_the_rule_table_and_is_refused_by_name() -> None:
    """The rule table is an argument (``rules=``): the solver never asks the plugins."""
    problem = attrs.evolve(
        _night_problem(), rules=(*DEFAULT_RULES, RuleConfig("my_rule", hard=False))
    )
    with pytest.raises(InvalidInput, match="unknown rule 'my_rule'"):
        solve(problem, time_limit=5, workers=1)
    with pytest.raises(Unsupported, match="my_rule"):
        solve(problem, time_limit=5, workers=1, rules={**BUILTIN_RULES, "my_rule": _Mine})


def test_infeasibility_names_the_clashing_limits() -> None:
    result = solve(_night_problem(), time_limit=20, workers=1)
    assert result.score.hard > 0 and not result.optimal
    text = result.explanation[0]
    assert text.startswith("CP-SAT proved these cannot all hold together")
    assert "T3's maximum of 20 h" in text
    assert "Night shifts at K3" in text
    # the roster is still the best one: one Night shift uncovered (T3 works two)
    assert result.score.hard == 1


def test_pinned_and_frozen_cells_hold() -> None:
    problem = benchmark_like(days=14, staff=6, shift_types=2, seed=2)
    base = solve(problem, time_limit=10, workers=1, seed=1)
    start = base.roster
    pins = [Assignment("A", 9, problem.shifts[0].id, "ward")]
    result = solve(problem, time_limit=10, workers=1, start=start, frozen_before=4, pinned=pins)
    got = set(result.roster.assignments)
    assert set(pins) <= got
    early = {a for a in start.assignments if a.day < 4}
    assert {a for a in got if a.day < 4} == early


@pytest.mark.skipif(not (DATA / "Instance1.txt").exists(), reason="benchmark data not here")
def test_instance1_is_proved_optimal() -> None:
    result = solve(curtois.load(DATA / "Instance1.txt"), time_limit=60, workers=2, seed=0)
    assert result.optimal
    assert result.score.soft == 607 and result.score.hard == 0
    assert result.bound == 607


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_registered_as_cpsat_and_used_by_solve_and_repair(tmp_path) -> None:
    assert get_plugins().get("solver", "cpsat") is cpsat
    problem = benchmark_like(days=14, staff=6, shift_types=2, seed=4)
    path = tmp_path / "gen.txt"
    path.write_text(curtois.dumps(problem), encoding="utf-8")
    out = tmp_path / "roster.csv"
    code, stdout, _ = _run(
        "roster", "solve", str(path), "--solver", "cpsat", "--time-limit", "10",
        "--workers", "1", "--out", str(out),
    )  # fmt: skip
    assert code == 0
    line = json.loads(stdout)
    assert line["hard_violations"] == 0 and "optimal" in line and "bound" in line
    fixed = tmp_path / "fixed.csv"
    code, stdout, err = _run(
        "roster", "repair", str(path), str(out), "--drop", "A", "--from", "3", "--to", "5",
        "--solver", "cpsat", "--time-limit", "10", "--workers", "1", "--out", str(fixed),
    )  # fmt: skip
    assert code in (0, 1), err
    assert json.loads(stdout)["changes"] >= 0
    ros = Roster(tuple(a for a in curtois_roster(fixed)))
    assert not [a for a in ros.assignments if a.resource == "A" and 3 <= a.day <= 5]


def curtois_roster(path: Path) -> list[Assignment]:
    from gridgov.duty.formats.roster_csv import read_roster_csv

    return list(read_roster_csv(str(path), post="ward").assignments)
