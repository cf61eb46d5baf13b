"""People are named masked in every roster message, explanation, reason and event by default."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridgov.duty import masked, solve, validate
from gridgov.duty.events import violation_events
from gridgov.duty.export.common import display_name
from gridgov.duty.formats import native
from gridgov.duty.formats.roster_csv import roster_csv_text
from gridgov.duty.model import (
    Assignment,
    Horizon,
    Limits,
    Post,
    Problem,
    Resource,
    Roster,
    RuleConfig,
    ShiftRequest,
    ShiftType,
    StaffNeed,
)
from gridgov.duty.privacy import masked_resource
from gridgov.events import payload, render
from gridgov.strategies import duty_problems, rosters

from .test_roster_repair_swap_cli import run

KEY = b"gridgov test secret, 32 bytes"  # the workspace secret event ids are keyed by

FULL = ("Zhang Wei", "Li Na")
SHOWN = ("Z** (P1)", "L** (P2)")


def _problem() -> Problem:
    """Four days at gate K3; Zhang Wei (P1) can never reach his minimum hours (a hard
    violation in every roster), Li Na (P2) asked for day 1 off (soft)."""
    return Problem(
        Horizon(dt.date(2026, 12, 1), 4),
        (
            ShiftType("D", 480, dt.time(8, 0), name="Day"),
            ShiftType("N", 600, dt.time(22, 0), night=True, name="Night", forbidden_next=("D",)),
        ),
        (
            Post(
                "K3",
                name="Gate K3",
                needs=(StaffNeed("D", min=1, max=1), StaffNeed("N", min=1, max=1)),
            ),
        ),
        (
            Resource("P1", name="Zhang Wei", kind="person", limits=Limits(min_minutes=3000)),
            Resource(
                "P2",
                name="Li Na",
                kind="person",
                requests=(ShiftRequest(1, None, weight=3, on=False),),
            ),
            Resource("T0", name="Team 0"),
            Resource("T1", name="Team 1"),
        ),
        name="privacy",
    )


def _roster() -> Roster:
    days = {0: ("T0", "T1"), 1: ("P1", "P2"), 2: ("P1", "T1"), 3: ("T0", "P2")}
    return Roster(
        tuple(
            a
            for d, (day, night) in days.items()
            for a in (Assignment(day, d, "D", "K3"), Assignment(night, d, "N", "K3"))
        )
    )


@pytest.fixture
def files(tmp_path: Path) -> tuple[str, str]:
    prob, ros = tmp_path / "problem.json", tmp_path / "roster.csv"
    prob.write_text(native.dumps(_problem()), encoding="utf-8")
    ros.write_text(roster_csv_text(_roster(), with_post=True), encoding="utf-8")
    return str(prob), str(ros)


def _masked_output(text: str) -> None:
    for name in (*FULL, "Zhang", "Wei"):
        assert name not in text
    assert SHOWN[0] in text


def _revealed_output(text: str) -> None:
    assert FULL[0] in text
    assert SHOWN[0] not in text


# --- the masked view -----------------------------------------------------------


def test_masked_renames_people_only() -> None:
    problem = _problem()
    view = masked(problem)
    assert [r.label for r in view.resources] == [*SHOWN, "Team 0", "Team 1"]
    assert [r.label for r in view.resources] == [display_name(r) for r in problem.resources]
    assert [attrs.evolve(r, name="") for r in view.resources] == [
        attrs.evolve(r, name="") for r in problem.resources
    ]
    assert attrs.evolve(view, resources=problem.resources) == problem
    assert masked(view) == view
    assert masked(problem, mask=False) is problem


def test_nameless_people_and_teams_are_kept_as_they_are() -> None:
    nameless = Resource("E7", kind="person")
    team = Resource("T9", name="Volunteer team 9")
    assert masked_resource(nameless) is nameless
    assert masked_resource(team) is team
    problem = attrs.evolve(_problem(), resources=(nameless, team))
    assert masked(problem) is problem


def test_validate_on_the_view_names_people_masked() -> None:
    problem, roster = _problem(), _roster()
    plain = validate(problem, roster)
    shown = validate(masked(problem), roster)
    assert any(FULL[0] in v.message for v in plain)
    assert any(FULL[1] in v.message for v in plain)
    text = "\n".join(str(v) for v in shown)
    for name in FULL:
        assert name not in text
    assert SHOWN[0] in text and SHOWN[1] in text


# --- the command line: masked unless --reveal-personal ---------------------------


def test_check_masks_people_by_default(files) -> None:
    prob, ros = files
    code, out, err = run("roster", "check", prob, ros)
    assert code == 1
    _masked_output(out + err)
    assert "L** (P2) asked" in out
    code, out, err = run("roster", "check", prob, ros, "--reveal-personal")
    assert code == 1
    _revealed_output(out)
    assert "Li Na asked" in out


def test_check_json_masks_people_by_default(files) -> None:
    prob, ros = files
    code, out, _ = run("roster", "check", prob, ros, "--json")
    assert code == 1
    _masked_output(out)
    doc = json.loads(out)
    assert {v["resource"] for v in doc["violations"]} == {"P1", "P2"}
    code, out, _ = run("roster", "check", prob, ros, "--json", "--reveal-personal")
    _revealed_output(out)
    assert json.loads(out)["objective"] == doc["objective"]


def test_swap_reasons_mask_people_by_default(files) -> None:
    prob, ros = files
    code, out, err = run("roster", "swap", prob, ros, "P1@1", "P2@1")
    assert code == 1 and out.startswith("no\n")
    _masked_output(out + err)
    assert "Z** (P1) works the Day shift" in out
    code, out, _ = run("roster", "swap", prob, ros, "P1@1", "P2@1", "--json")
    assert code == 1
    _masked_output(out)
    assert all(r["resource"] == "P1" for r in json.loads(out)["reasons"])
    for extra in ((), ("--json",)):
        code, out, _ = run("roster", "swap", prob, ros, "P1@1", "P2@1", *extra, "--reveal-personal")
        assert code == 1
        _revealed_output(out)


def test_repair_explanation_masks_people_by_default(files, tmp_path: Path) -> None:
    prob, ros = files
    out_csv = str(tmp_path / "new.csv")
    args = ("roster", "repair", prob, ros, "--drop", "T0", "--from", "2", "--out", out_csv)
    code, out, err = run(*args, "--time-limit", "0.5")
    assert code == 1  # Zhang Wei's minimum hours cannot be met
    _masked_output(out + err)
    code, out, err = run(*args, "--time-limit", "0.5", "--reveal-personal")
    assert code == 1
    _revealed_output(err)


@pytest.mark.parametrize("command", ["plan", "solve"])
def test_plan_and_solve_explanations_mask_people_by_default(files, tmp_path, command) -> None:
    prob, _ = files
    args = ("roster", command, prob, "--time-limit", "0.3", "--out", str(tmp_path / "r.csv"))
    _code, out, err = run(*args)
    _masked_output(out + err)
    _code, out, err = run(*args, "--reveal-personal")
    _revealed_output(out + err)


def test_export_keeps_its_masking(files, tmp_path: Path) -> None:
    prob, ros = files
    table = tmp_path / "table.csv"
    args = ("roster", "export", prob, ros, "--to", "csv", "--out", str(table))
    assert run(*args)[0] == 0
    _masked_output(table.read_text(encoding="utf-8"))
    assert run(*args, "--reveal-personal")[0] == 0
    _revealed_output(table.read_text(encoding="utf-8"))


# --- events ------------------------------------------------------------------------

AT = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def test_violation_events_carry_names_only_as_personal_facts() -> None:
    events = violation_events(_problem(), _roster(), roster_id="r1", unit="C03", at=AT, secret=KEY)
    assert [e.data["rule"] for e in events] == ["total_minutes"]
    (event,) = events
    assert event.personal == {"person_name": "Zhang Wei"}
    _masked_output(render(event))
    _masked_output(json.dumps(payload(event), ensure_ascii=False))
    assert "person_name=Zhang Wei" in render(event, mask=False)
    every = violation_events(
        _problem(), _roster(), roster_id="r1", unit="C03", at=AT, hard_only=False, secret=KEY
    )
    assert [e.personal for e in every] == [{"person_name": "Zhang Wei"}, {"person_name": "Li Na"}]
    for e in every:
        assert "Zhang" not in render(e) and "Li Na" not in render(e)
    again = violation_events(_problem(), _roster(), roster_id="r1", unit="C03", at=AT, secret=KEY)
    assert [e.id for e in again] == [event.id]


# --- properties: masking changes names, never scores -------------------------------

# Names in a script that no message template uses, so a leak cannot hide in other words.
NAMES = st.text(alphabet="张王李赵刘陈伟芳娜秀英敏静丽强磊", min_size=2, max_size=4)
FAIRNESS = (RuleConfig("fairness", hard=False, weight=2, params={"measure": "nights"}),)


@st.composite
def people_problems(draw: st.DrawFn, **bounds: int) -> Problem:
    """A drawn duty problem in which some resources are named people."""
    problem = draw(duty_problems(extra_rules=FAIRNESS, **bounds))
    resources = tuple(
        attrs.evolve(r, kind="person", name=draw(NAMES)) if draw(st.booleans()) else r
        for r in problem.resources
    )
    return attrs.evolve(problem, resources=resources)


def _key(v) -> tuple[object, ...]:
    return (v.rule, v.hard, v.penalty, v.resource, v.day, v.shift, v.post)


@settings(max_examples=60)
@given(people_problems(max_resources=5, max_days=8), st.data())
def test_masking_changes_no_score(problem, data) -> None:
    roster = data.draw(rosters(problem))
    view = masked(problem)
    plain, shown = validate(problem, roster), validate(view, roster)
    assert [_key(v) for v in shown] == [_key(v) for v in plain]
    people = {r.id: r for r in problem.resources if r.kind == "person"}
    for before, after in zip(plain, shown, strict=True):
        who = people.get(before.resource or "")
        expected = before.message
        if who is not None:
            expected = expected.replace(who.name, display_name(who))
        assert after.message == expected
        for person in people.values():
            assert person.name not in after.message
    assert masked(view) == view


@settings(max_examples=10)
@given(people_problems(max_resources=4, max_days=5))
def test_solving_the_view_plans_the_same_roster(problem) -> None:
    plain = solve(problem, max_iterations=500, time_limit=3600, seed=3)
    shown = solve(masked(problem), max_iterations=500, time_limit=3600, seed=3)
    assert shown.roster.sorted() == plain.roster.sorted()
    assert shown.score == plain.score
