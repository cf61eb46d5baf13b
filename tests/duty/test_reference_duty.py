from collections import Counter
from pathlib import Path

import attrs

from gridgov.cli.roster_demo import duty_demo
from gridgov.duty.fairness import fairness
from gridgov.duty.formats import native
from gridgov.duty.solver.local import solve
from gridgov.duty.validate import evaluate
from gridgov.examples import reference_duty


def test_reference_shape() -> None:
    p = reference_duty()
    kinds = Counter(x.kind for x in p.posts)
    assert len(p.posts) == 133
    assert kinds["expressway"] == 5
    assert sum(1 for r in p.resources if r.kind == "team") == 170
    assert sum(1 for r in p.resources if r.cadre) == 40
    assert len(p.shifts) == 3
    assert p.horizon.days == 14
    assert reference_duty(seed=1) == reference_duty(seed=1)
    assert native.loads(native.dumps(p)) == p


def test_small_reference_plans_without_hard_violations() -> None:
    # the solver's own quality, on the reference posts and people without the tree's
    # locality (test_on_tree.py checks that hard locality is never broken)
    bound = reference_duty(scale=0.15)
    p = attrs.evolve(bound, rules=tuple(r for r in bound.rules if r.name != "locality"))
    result = solve(p, max_iterations=3000, time_limit=3600, seed=0)
    assert result.score.hard == 0, result.explanation
    assert evaluate(p, result.roster).score == result.score
    figs = fairness(p, result.roster, kind="team")
    assert figs["shifts"].max <= 12


def test_duty_demo_writes_files(tmp_path: Path, capsys) -> None:
    duty_demo(tmp_path, scale=0.1, time_limit=0.5)
    out = capsys.readouterr().out
    assert "hard violations 0" in out
    assert "fairness, teams: nights" in out
    assert (tmp_path / "roster.csv").read_text().startswith("employee,day,shift,post")
    assert "<table>" in (tmp_path / "roster.html").read_text()
    assert list((tmp_path / "calendars").glob("*.ics"))


def test_small_reference_with_hard_locality_gets_its_scarce_skills_to_the_expressway() -> None:
    # hard locality within the township: the medics who may serve an expressway post are
    # a few local teams, the cadres homed at the root may serve anywhere; the solver must
    # bring them where the skills are short (skill prices and skill exchanges), not leave
    # them at gates anyone could staff
    p = reference_duty(scale=0.2)
    assert any(r.name == "locality" and r.hard for r in p.rules)
    assert any(x.kind == "expressway" for x in p.posts)
    result = solve(p, max_iterations=3000, time_limit=3600, seed=1)
    assert result.score.hard == 0, result.explanation
    assert evaluate(p, result.roster).score == result.score
