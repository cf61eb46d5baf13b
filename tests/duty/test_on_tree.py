"""Rosters on the organisation tree: on_tree, the locality rule, the builders."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridgov.duty import Problem, RuleConfig, on_tree, solve, validate
from gridgov.duty.build import (
    cadres_from_pairings,
    checkpoints_from_text,
    posts_at_units,
    teams_from_party,
)
from gridgov.duty.compiled import compile_problem
from gridgov.duty.formats import native
from gridgov.duty.grid import to_grid
from gridgov.duty.rules import bind_rules
from gridgov.duty.state import RosterState
from gridgov.duty.validate import evaluate
from gridgov.errors import InvalidInput
from gridgov.examples import reference_county, reference_duty
from gridgov.org import Hierarchy
from gridgov.strategies import duty_problems, hierarchies, rosters


def _placed(data: st.DataObject, tree: Hierarchy, problem: Problem) -> Problem:
    """``problem`` with posts and resources placed at units of ``tree`` (some at none)."""
    ids = [u.id for u in tree]
    pick = st.one_of(st.none(), st.sampled_from(ids))
    posts = tuple(attrs.evolve(p, unit=data.draw(pick)) for p in problem.posts)
    resources = tuple(attrs.evolve(r, home_unit=data.draw(pick)) for r in problem.resources)
    return attrs.evolve(problem, posts=posts, resources=resources)


def _brute_anchor(tree: Hierarchy, unit: str, level: str) -> str:
    want = tree.levels.rank(level)
    for uid in [unit, *tree.ancestors(unit)]:
        if tree.levels.rank(tree[uid].level) <= want:
            return uid
    return tree.root


def _brute_locality(tree: Hierarchy, problem: Problem, roster, hard: bool, within: str | None):
    """The locality amounts of ``roster`` from the Hierarchy's own queries."""
    res = {r.id: r for r in problem.resources}
    post = {p.id: p for p in problem.posts}
    total = 0
    for a in set(roster.assignments):
        home, unit = res[a.resource].home_unit, post[a.post].unit
        if home is None or unit is None:
            continue
        anchor = None if within is None else _brute_anchor(tree, home, within)
        outside = anchor is not None and not (unit == anchor or tree.is_ancestor(anchor, unit))
        if hard:
            total += outside
        elif anchor is None or outside:
            lca = tree.lca(home, unit)
            total += tree.depth(home) + tree.depth(unit) - 2 * tree.depth(lca)
    return total


LEVEL = st.sampled_from(("county", "township", "community", "grid", "building", "household"))


@settings(max_examples=40)
@given(st.data(), hierarchies(max_units=15), st.booleans(), LEVEL)
def test_locality_cost_is_what_the_tree_says(data, tree, hard, level) -> None:
    problem = _placed(data, tree, data.draw(duty_problems(max_resources=4, max_days=5)))
    within = level if hard or data.draw(st.booleans()) else None
    params = {"within": within} if within is not None else {}
    rule = RuleConfig("locality", hard=hard, weight=3, params=params)
    bound = attrs.evolve(on_tree(problem, tree), rules=(rule,))
    roster = data.draw(rosters(bound))
    ev = evaluate(bound, roster)
    amount = _brute_locality(tree, bound, roster, hard, within)
    assert (ev.score.hard, ev.score.soft) == ((amount, 0) if hard else (0, 3 * amount))
    assert sum(v.penalty for v in ev.violations) == (amount if hard else 3 * amount)


@settings(max_examples=30)
@given(st.data(), hierarchies(max_units=15), st.integers(0, 2**32 - 1))
def test_incremental_score_with_locality_equals_full_rescore(data, tree, seed) -> None:
    problem = _placed(data, tree, data.draw(duty_problems(max_resources=4, max_days=6)))
    extra = (
        RuleConfig("locality", hard=True, params={"within": "community"}),
        RuleConfig("locality", hard=False, weight=2),
    )
    bound = on_tree(attrs.evolve(problem, rules=problem.rules + extra), tree)
    cp = compile_problem(bound)
    shifts, posts, _ = to_grid(cp, data.draw(rosters(bound)))
    state = RosterState(cp, bind_rules(cp), shifts, posts)
    rng = random.Random(seed)
    for _ in range(40):
        r, d = rng.randrange(cp.R), rng.randrange(cp.D)
        cell = (
            (r, d, -1, -1)
            if rng.random() < 0.3
            else (r, d, rng.randrange(cp.S), rng.randrange(cp.P))
        )
        before = state.score
        dh, ds = state.try_cells([cell])
        if rng.random() < 0.5:
            state.commit()
            assert (state.hard, state.soft) == (before.hard + dh, before.soft + ds)
        else:
            state.rollback()
            assert state.score == before
        fresh = RosterState(
            cp, state.rules, [row[:] for row in state.shifts], [row[:] for row in state.posts]
        )
        assert fresh.score == state.score


@settings(max_examples=15)
@given(st.data(), hierarchies(min_units=3, max_units=15), LEVEL, st.integers(0, 99))
def test_with_hard_locality_the_solver_never_sends_anyone_outside(data, tree, level, seed) -> None:
    problem = _placed(
        data, tree, data.draw(duty_problems(max_resources=5, max_days=6, max_posts=3))
    )
    rule = RuleConfig("locality", hard=True, params={"within": level})
    bound = on_tree(attrs.evolve(problem, rules=(*problem.rules, rule)), tree)
    result = solve(bound, max_iterations=400, time_limit=3600, seed=seed)
    assert _brute_locality(tree, bound, result.roster, True, level) == 0
    assert not [v for v in validate(bound, result.roster) if v.rule == "locality"]


@settings(max_examples=40)
@given(st.data(), hierarchies(max_units=12))
def test_on_tree_rejects_exactly_the_unknown_ids(data, tree) -> None:
    problem = data.draw(duty_problems(max_resources=4, max_days=3, max_posts=3))
    names = st.one_of(
        st.none(), st.sampled_from([u.id for u in tree]), st.sampled_from(["ghost", "x-1"])
    )
    posts = tuple(attrs.evolve(p, unit=data.draw(names)) for p in problem.posts)
    res = tuple(attrs.evolve(r, home_unit=data.draw(names)) for r in problem.resources)
    problem = attrs.evolve(problem, posts=posts, resources=res)
    unknown = {
        (f"posts[{i}].unit", p.unit)
        for i, p in enumerate(posts)
        if p.unit is not None and p.unit not in tree
    } | {
        (f"resources[{i}].home_unit", r.home_unit)
        for i, r in enumerate(res)
        if r.home_unit is not None and r.home_unit not in tree
    }
    if not unknown:
        bound = on_tree(problem, tree)
        assert bound.places is not None
        assert native.loads(native.dumps(bound)) == bound
        named = {p.unit for p in posts} | {r.home_unit for r in res}
        kept = {u.id for u in bound.places.units}
        assert {x for x in named if x is not None} <= kept
        assert all(set(tree.ancestors(u)) <= kept for u in kept)
        return
    with pytest.raises(InvalidInput) as info:
        on_tree(problem, tree)
    got = {(e.field, e.message.split("'")[3]) for e in info.value.errors}
    assert got == unknown


def test_locality_needs_a_bound_problem_and_a_known_level() -> None:
    problem = reference_duty(scale=0.1)
    unbound = attrs.evolve(problem, places=None)
    with pytest.raises(InvalidInput, match=r"rules\[\d+\]\.params: locality needs a problem bound"):
        solve(unbound, max_iterations=10)
    bad = attrs.evolve(problem, rules=(RuleConfig("locality", params={"within": "galaxy"}),))
    with pytest.raises(InvalidInput, match="not a level of the tree"):
        validate(bad, solve(problem, max_iterations=10).roster)


def test_a_hand_edited_places_section_is_checked() -> None:
    problem = reference_duty(scale=0.1)
    import json

    doc = json.loads(native.dumps(problem))
    doc["places"]["units"] = [u for u in doc["places"]["units"] if u["level"] != "grid"]
    with pytest.raises(InvalidInput) as info:
        native.from_data(doc, file="p.json")
    text = "\n".join(map(str, info.value.errors))
    assert "p.json: $.posts[" in text and "which is not in places" in text


def test_reference_duty_sits_on_reference_county() -> None:
    county = reference_county(seed=0, scale=0.3)
    problem = reference_duty(seed=0, scale=0.3)
    assert problem == reference_duty(seed=0, scale=0.3, county=county)
    units = {p.unit for p in problem.posts} | {r.home_unit for r in problem.resources}
    assert units <= set(county.unit_map())
    assert {county[p.unit].level for p in problem.posts} == {"township", "community", "grid"}
    teams = [r for r in problem.resources if r.kind == "team"]
    assert {county[t.home_unit].level for t in teams} == {"grid"}
    assert all(r.home_unit == county.root for r in problem.resources if r.cadre)
    from gridgov.examples import reference_households
    from gridgov.examples.sweep_day import simulated_sweep_day

    sweep, _ = simulated_sweep_day(county, reference_households(county), seed=0)
    assert problem.horizon.start == sweep.start.date()
    assert native.loads(native.dumps(problem)) == problem


def test_builders_take_posts_and_people_from_the_tree() -> None:
    county = reference_county(seed=0, scale=0.2)
    grid = county.at_level("grid")[0]
    community = county.at_level("community")[0]
    text = (
        "id,unit,name,kind,staff,shifts,leader,skills\n"
        f"CP1,{grid},North gate,gate,2,D E,yes,medic:1\n"
        f"CP2,{community},,,,,,\n"
    )
    cps = checkpoints_from_text(text, county, file="cp.csv")
    posts = posts_at_units(cps, ["D", "E", "N"])
    assert [p.unit for p in posts] == [grid, community]
    assert [n.shift for n in posts[0].needs] == ["D", "E"]
    assert posts[0].needs[0].min == posts[0].needs[0].max == 2
    assert posts[0].needs[0].skills == {"medic": 1} and posts[0].needs[0].leader
    assert [n.shift for n in posts[1].needs] == ["D", "E", "N"]
    teams = teams_from_party(county, "grid", per_unit=2)
    assert len(teams) == 2 * len(county.at_level("grid"))
    assert all(county[t.home_unit].level == "grid" and t.party_member for t in teams)
    assert len(teams_from_party(county, "grid", total=7)) == 7
    cadres = cadres_from_pairings(county)
    assert len(cadres) == sum(g.cadres for g in county.relations.gov_units.values())
    paired = {u for us in county.relations.pairings.values() for u in us}
    assert {c.home_unit for c in cadres} <= paired
    assert all(c.cadre and "cadre" in c.skills for c in cadres)


def test_checkpoint_errors_name_row_and_field() -> None:
    county = reference_county(seed=0, scale=0.1)
    text = "id,unit,staff,leader,skills,colour\n"
    with pytest.raises(InvalidInput, match="colour: unknown column"):
        checkpoints_from_text(text, county, file="cp.csv")
    text = "id,unit,staff,leader\nA,ghost,0,maybe\nA,C,1,no\nA,C,1,no\n"
    with pytest.raises(InvalidInput) as info:
        checkpoints_from_text(text, county, file="cp.csv")
    lines = [str(e) for e in info.value.errors]
    assert lines == [
        "cp.csv:2: unit: unknown unit 'ghost'",
        "cp.csv:2: staff: expected a whole number >= 1, got '0'",
        "cp.csv:2: leader: expected yes or no, got 'maybe'",
        "cp.csv:3: id: duplicate id 'A' (first at row 2)",
        "cp.csv:4: id: duplicate id 'A' (first at row 2)",
    ]


@pytest.mark.parametrize("count", ["\u0663", "\uff13", "\u00b3", "1_0", "3.0", "0", "-2", "9" * 30])
def test_checkpoint_counts_follow_the_one_number_grammar(count: str) -> None:
    """Staff and skill counts are ASCII whole numbers >= 1 (not whatever isdigit/int take)."""
    county = reference_county(seed=0, scale=0.1)
    text = f"id,unit,staff,skills\nA,C,{count},medic:{count}\nB,C,+2,medic:02\n"
    with pytest.raises(InvalidInput) as info:
        checkpoints_from_text(text, county, file="cp.csv")
    assert [str(e) for e in info.value.errors] == [
        f"cp.csv:2: staff: expected a whole number >= 1, got {count!r}",
        f"cp.csv:2: skills: expected SKILL or SKILL:COUNT, got {'medic:' + count!r}",
    ]
    good = checkpoints_from_text("id,unit,staff,skills\nB,C,+2,medic:02\n", county)
    assert (good[0].staff, good[0].skills) == (2, (("medic", 2),))


def test_checkpoint_files_read_by_the_readers_rules(tmp_path: Path) -> None:
    """The one located decoder and the strict CSV records of every reader (gridgov.csvrows)."""
    from gridgov.duty.build import read_checkpoints

    county = reference_county(seed=0, scale=0.1)
    latin = tmp_path / "latin.csv"
    latin.write_bytes("id,unit,name\nA,C,Gare du Nord\nB,C,Caf\xe9\n".encode("latin-1"))
    with pytest.raises(InvalidInput) as info:
        read_checkpoints(latin, county)
    assert [str(e) for e in info.value.errors] == [f"{latin}: not UTF-8 text (line 3, byte 37)"]
    open_quote = 'id,unit,staff\nA,ghost,1\nB,C,"2\nC,C,1\n'
    with pytest.raises(InvalidInput) as info:
        checkpoints_from_text(open_quote, county, file="cp.csv")
    assert [str(e) for e in info.value.errors] == [
        "cp.csv:2: unit: unknown unit 'ghost'",  # what came before is still reported
        "cp.csv:3: unterminated quoted field starting at row 3",
    ]
    with pytest.raises(InvalidInput, match=r"cp\.csv:3: expected 3 fields, found 2"):
        checkpoints_from_text("id,unit,staff\n\nA,C\n", county, file="cp.csv")


def test_the_issue_county_ten_townships_four_teams_each() -> None:
    """Ten townships, four teams and one checkpoint each: every shift stays at home."""
    from gridgov.duty import Horizon, Post, Resource, ShiftType, StaffNeed
    from gridgov.org import Unit

    tree = Hierarchy()
    tree.add(Unit("C", "county", "County"), None)
    posts, teams = [], []
    for t in range(10):
        town = f"T{t:02d}"
        tree.add(Unit(town, "township", f"Town {t}"), "C")
        posts.append(Post(f"CP{t}", unit=town, needs=(StaffNeed("D", min=1, max=1),)))
        teams += [Resource(f"{town}-team{k}", home_unit=town) for k in range(4)]
    rules = (RuleConfig("cover"), RuleConfig("locality", params={"within": "township"}))
    problem = Problem(
        Horizon(dt.date(2020, 2, 10), 14), (ShiftType("D", 480),), tuple(posts), tuple(teams)
    )
    bound = on_tree(attrs.evolve(problem, rules=rules), tree)
    result = solve(bound, max_iterations=2000, seed=0)
    assert result.score.hard == 0
    assert len(result.roster) == 140
    home = {r.id: r.home_unit for r in teams}
    unit = {p.id: p.unit for p in posts}
    assert all(home[a.resource] == unit[a.post] for a in result.roster.assignments)
