"""``sweep follow-up``, ``lqas``, ``reinforce``, ``roster --org`` and a 5-level scheme."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest

from gridgov.cli import main
from gridgov.duty import Horizon, Post, Problem, Resource, RuleConfig, ShiftType, StaffNeed
from gridgov.duty.formats import native
from gridgov.examples import (
    reference_county,
    reference_households,
    reference_residents,
    simulated_sweep_day,
)
from gridgov.org import write_csv
from gridgov.sweep import Household, Outcome, Visit
from gridgov.sweep.csv_io import households_csv_text
from gridgov.sweep.followup import follow_up
from gridgov.sweep.lqas import choose_plan
from gridgov.sweep.reinforce import households_per_community, plan_reinforcement
from gridgov.sweep.residents_io import read_residents, write_residents
from gridgov.sweep.visit_format import visits_csv_text

from .test_cli_org_more import FIVE, five_level_tree


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory):
    d = tmp_path_factory.mktemp("county")
    tree = reference_county(seed=3, scale=0.1)
    households = reference_households(tree, seed=3)
    sweep, visits = simulated_sweep_day(tree, households, seed=3)
    residents = reference_residents(tree, households, seed=3)
    write_csv(tree, d / "county.csv", mask=False)
    (d / "hh.csv").write_text(households_csv_text(households), encoding="utf-8")
    (d / "visits.csv").write_text(visits_csv_text(visits), encoding="utf-8")
    write_residents(residents, d / "residents.jsonl")
    return tree, households, sweep, visits, residents, d


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_follow_up_per_unit_matches_the_library(county, capsys) -> None:
    tree, households, sweep, visits, residents, d = county
    args = ["--org", str(d / "county.csv"), "--households", str(d / "hh.csv")]
    args += ["--visits", str(d / "visits.csv"), "--residents", str(d / "residents.jsonl")]
    assert main(["sweep", "follow-up", *args, "--tz", "+08:00", "--format", "csv"]) == 0
    out = capsys.readouterr()
    rows = _rows(out.out)
    zone = dt.timezone(dt.timedelta(hours=8))
    day = sweep.start.date()
    by_unit: dict[str, list] = {}
    for r in read_residents(d / "residents.jsonl"):
        hh = next(h for h in households if h.id == r.household)
        unit = tree.level_of_ancestor(hh.id if hh.id in tree else hh.building, "community")
        by_unit.setdefault(unit, []).append(r)
    assert [r["unit_id"] for r in rows] == [u for u in tree.at_level("community") if u in by_unit]
    for row in rows:
        want = follow_up(by_unit[row["unit_id"]], visits, day, day, zone=zone)
        assert int(row["due"]) == want.days[0].due
        assert int(row["seen"]) == want.days[0].seen
        assert row["name"] == tree[row["unit_id"]].name
        assert int(row["last_seen_never"]) == want.last_seen["never"]
    assert "due checks done" in out.err
    assert len(residents) == len(read_residents(d / "residents.jsonl"))


def test_residents_file_errors_name_the_line(tmp_path: Path) -> None:
    from gridgov.errors import InvalidInput
    from gridgov.sweep.residents_io import read_residents_text

    text = '{"id": "r1", "household": "h1"}\n{"id": "r1", "household": "h2"}\nnot json\n{"id": 3}\n'
    with pytest.raises(InvalidInput) as info:
        read_residents_text(text, file="r.jsonl")
    lines = [str(e) for e in info.value.errors]
    assert lines[0].startswith("r.jsonl:2: id: resident 'r1' appears twice")
    assert lines[1].startswith("r.jsonl:3: not valid JSON")
    assert all(line.startswith("r.jsonl:4:") for line in lines[2:])


def test_lqas_plan_samples_and_decide(county, tmp_path: Path, capsys) -> None:
    tree, *_, d = county
    assert main(["sweep", "lqas", "plan"]) == 0
    plan = choose_plan(0.8, 0.5)
    assert f"n={plan.n}" in capsys.readouterr().out
    out = tmp_path / "checks.csv"
    args = ["--org", str(d / "county.csv"), "--households", str(d / "hh.csv"), "--by", "grid"]
    assert main(["sweep", "lqas", "plan", *args, "--out", str(out)]) == 0
    rows = _rows(out.read_text(encoding="utf-8"))
    grids = tree.at_level("grid")
    assert {r["lot"] for r in rows} == set(grids)
    assert all(r["lot_name"] == tree[r["lot"]].name for r in rows)
    lots: dict[str, int] = {}
    for r in rows:
        lots[r["lot"]] = lots.get(r["lot"], 0) + 1
    assert all(n == plan.n for n in lots.values())
    # the first lot fails every check, the others pass
    first = grids[0]
    checked = tmp_path / "checked.csv"
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(("lot", "household", "covered"))
    for r in rows:
        w.writerow((r["lot"], r["household"], "no" if r["lot"] == first else "yes"))
    checked.write_text(buf.getvalue(), encoding="utf-8")
    capsys.readouterr()
    code = main(["sweep", "lqas", "decide", str(checked), "--d", str(plan.d), "--format", "json"])
    assert code == 1
    verdicts = {x["lot"]: x["verdict"] for x in json.loads(capsys.readouterr().out)}
    assert verdicts[first] == "rejected"
    assert all(v == "accepted" for lot, v in verdicts.items() if lot != first)
    checked.write_text("lot,household,covered\ng1,h1,perhaps\n", encoding="utf-8")
    assert main(["sweep", "lqas", "decide", str(checked), "--d", "1"]) == 1
    assert f"{checked}:2: covered: expected yes or no" in capsys.readouterr().err


def test_reinforce_is_the_library_plan(county, capsys) -> None:
    tree, households, *_, d = county
    args = ["--org", str(d / "county.csv"), "--households", str(d / "hh.csv"), "--format", "json"]
    assert main(["sweep", "reinforce", *args]) == 0
    rows = json.loads(capsys.readouterr().out)
    counts: dict[str, int] = {}
    for h in households:
        counts[h.building] = counts.get(h.building, 0) + 1
    plan = plan_reinforcement(tree, households_per_community(tree, counts))
    assert [(r["gov_unit"], r["unit_id"], r["cadres"]) for r in rows] == [
        (x.gov_unit, x.community, x.cadres) for x in plan.dispatches
    ]
    assert all(r["name"] == tree[r["unit_id"]].name for r in rows)
    plain = d / "plain.csv"
    plain.write_text((d / "county.csv").read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["sweep", "reinforce", "--org", str(plain)]) == 1
    assert "no government unit is paired" in capsys.readouterr().err


def _five_level_problem(tree) -> Problem:
    counties = tree.at_level("county")[:4]
    towns = [t for c in counties for t in tree.children(c)[:4]]
    shifts = (ShiftType("D", 480), ShiftType("N", 480, dt.time(20, 0), night=True))
    posts = tuple(
        Post(f"P{i}", unit=c, needs=(StaffNeed("D", min=1, max=1), StaffNeed("N", min=1, max=1)))
        for i, c in enumerate(counties)
    )
    teams = tuple(Resource(f"R{i:02d}", home_unit=t) for i, t in enumerate(towns))
    rules = (
        RuleConfig("cover"),
        RuleConfig("locality", hard=True, params={"within": "county"}),
    )
    return Problem(Horizon(dt.date(2020, 2, 10), 3), shifts, posts, teams, rules=rules)


def test_five_levels_through_sweep_and_roster_commands(tmp_path: Path, capsys) -> None:
    tree = five_level_tree()
    write_csv(tree, tmp_path / "five.csv")
    levels = ",".join(FIVE)
    towns = tree.at_level("township")
    households = [Household(f"{t}-H{k}", t) for t in towns[:200] for k in range(3)]
    (tmp_path / "hh.csv").write_text(households_csv_text(households), encoding="utf-8")
    at = dt.datetime(2020, 2, 10, 9, tzinfo=dt.UTC)
    visits = [
        Visit(f"V{i}", "S1", h.id, at, outcome=Outcome.VERIFIED)
        for i, h in enumerate(households)
        if i % 2 == 0
    ]
    (tmp_path / "v.csv").write_text(visits_csv_text(visits), encoding="utf-8")
    args = ["--org", str(tmp_path / "five.csv"), "--households", str(tmp_path / "hh.csv")]
    args += ["--visits", str(tmp_path / "v.csv"), "--sweep", "S1"]
    assert main(["sweep", "coverage", *args, "--by", "county", "--format", "csv"]) == 1
    assert "--levels" in capsys.readouterr().err  # the hint says how to declare the scheme
    assert (
        main(["sweep", "coverage", *args, "--levels", levels, "--by", "county", "--format", "csv"])
        == 0
    )
    rows = _rows(capsys.readouterr().out)
    assert sum(int(r["target"]) for r in rows) == len(households)
    assert sum(int(r["reached"]) for r in rows) == len(visits)
    assert rows[0]["name"] == tree[rows[0]["unit_id"]].name

    problem = _five_level_problem(tree)
    (tmp_path / "p.json").write_text(native.dumps(problem), encoding="utf-8")
    plan = ["roster", "plan", str(tmp_path / "p.json"), "--org", str(tmp_path / "five.csv")]
    plan += [
        "--levels",
        levels,
        "--time-limit",
        "60",
        "--max-iterations",
        "20000",
        "--workers",
        "1",
    ]
    assert main([*plan, "--out", str(tmp_path / "r.csv")]) == 0
    out = _rows((tmp_path / "r.csv").read_text(encoding="utf-8"))
    home = {r.id: r.home_unit for r in problem.resources}
    unit = {p.id: p.unit for p in problem.posts}
    assert out
    assert all(tree.parent(home[r["employee"]]) == unit[r["post"]] for r in out)
    check = ["roster", "check", str(tmp_path / "p.json"), str(tmp_path / "r.csv")]
    assert main([*check, "--org", str(tmp_path / "five.csv"), "--levels", levels]) == 0
    capsys.readouterr()
    # without --org the locality rule has no tree to read: one clear line, exit 1
    assert main(check) == 1
    assert "locality needs a problem bound to the organisation tree" in capsys.readouterr().err
    bad = _five_level_problem(tree)
    import attrs

    bad = attrs.evolve(bad, posts=(attrs.evolve(bad.posts[0], unit="Atlantis"), *bad.posts[1:]))
    (tmp_path / "bad.json").write_text(native.dumps(bad), encoding="utf-8")
    assert (
        main(
            [
                "roster",
                "check",
                str(tmp_path / "bad.json"),
                str(tmp_path / "r.csv"),
                "--org",
                str(tmp_path / "five.csv"),
                "--levels",
                levels,
            ]
        )
        == 1
    )
    assert (
        "posts[0].unit: post 'P0' names unit 'Atlantis', which is not in the tree"
        in capsys.readouterr().err
    )


def test_roster_build_makes_a_bound_problem_from_the_tree(county, tmp_path: Path, capsys) -> None:
    tree, *_, d = county
    community = tree.at_level("community")[0]
    grid = tree.at_level("grid")[0]
    (tmp_path / "cp.csv").write_text(
        f"id,unit,name,staff,shifts,leader\nA1,{community},Main road,1,D E N,yes\n"
        f"G1,{grid},North gate,1,D,no\n",
        encoding="utf-8",
    )
    args = [
        "roster",
        "build",
        "--org",
        str(d / "county.csv"),
        "--checkpoints",
        str(tmp_path / "cp.csv"),
    ]
    args += ["--start", "2020-02-10", "--days", "7", "--teams-per-unit", "2", "--cadres", "3"]
    args += ["--within", "township", "--out", str(tmp_path / "p.json")]
    assert main(args) == 0
    problem = native.load(tmp_path / "p.json")
    assert problem.places is not None
    assert [p.unit for p in problem.posts] == [community, grid]
    teams = [r for r in problem.resources if r.kind == "team"]
    assert len(teams) == 2 * len(tree.at_level("grid"))
    assert sum(1 for r in problem.resources if r.cadre) == 3
    assert any(r.name == "locality" and r.hard for r in problem.rules)
    assert problem.horizon.start == dt.date(2020, 2, 10) and problem.horizon.days == 7
    plan = ["roster", "plan", str(tmp_path / "p.json"), "--time-limit", "60"]
    plan += ["--max-iterations", "20000", "--workers", "1"]
    assert main([*plan, "--out", str(tmp_path / "r.csv")]) == 0
    capsys.readouterr()
    bad = [*args[:6], "--start", "2020-02-10", "--teams-level", "planet", "--out", "x.json"]
    assert main(bad) == 2
    assert "--teams-level: unknown level 'planet'" in capsys.readouterr().err
