"""``gridgov roster repair`` and ``gridgov roster swap`` run for real on small problems."""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from gridgov.cli import main
from gridgov.duty.formats import native
from gridgov.duty.formats.roster_csv import read_roster_csv, roster_csv_text
from gridgov.duty.model import Assignment, Problem, Roster
from gridgov.duty.solver.local import solve
from gridgov.duty.validate import evaluate
from gridgov.strategies import duty_problems, rosters

from .test_curtois import DATA, needs_data
from .test_repair_swap import _line  # seven days from Tue 2026-12-01, post K3, teams T0-T4


def run(*argv: str) -> tuple[int, str, str]:
    """The exit code, stdout and stderr of ``gridgov argv...``."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def _write(folder: Path, problem: Problem, roster: Roster) -> tuple[str, str]:
    prob, ros = folder / "problem.json", folder / "roster.csv"
    prob.write_text(native.dumps(problem), encoding="utf-8")
    ros.write_text(roster_csv_text(roster, with_post=True), encoding="utf-8")
    return str(prob), str(ros)


@pytest.fixture
def solved(tmp_path: Path) -> tuple[Problem, Roster, str, str]:
    problem = _line()
    roster = solve(problem, max_iterations=6000, time_limit=3600, seed=2).roster
    assert evaluate(problem, roster).score.hard == 0
    return (problem, roster, *_write(tmp_path, problem, roster))


# --- repair -----------------------------------------------------------------


def test_repair_native_with_iso_dates(solved, tmp_path: Path) -> None:
    problem, roster, prob, ros = solved
    victim = next(a.resource for a in roster.sorted().assignments if a.day >= 3)
    out = tmp_path / "new.csv"
    code, stdout, _ = run(
        "roster", "repair", prob, ros, "--drop", victim,
        "--frozen-before", "2026-12-04", "--time-limit", "2", "--out", str(out),
    )  # fmt: skip
    assert code == 0
    line = json.loads(stdout)
    assert line["feasible"] is True and line["hard"] == 0 and line["hard_violations"] == 0
    new = read_roster_csv(out, post="K3")
    assert out.read_text().splitlines()[0] == "employee,day,shift,post"
    before, after = set(roster.assignments), set(new.assignments)
    assert line["changes"] == len(before ^ after)
    assert line["removed"] == len(before - after) and line["added"] == len(after - before)
    assert {a for a in before if a.day < 3} == {a for a in after if a.day < 3}
    assert not any(a.resource == victim and a.day >= 3 for a in after)
    assert evaluate(problem, new).score.hard == 0
    assert run("roster", "check", prob, str(out))[0] == 0


def test_repair_a_window_only(solved, tmp_path: Path) -> None:
    _problem, roster, prob, ros = solved
    victim = next(a for a in roster.sorted().assignments if 2 <= a.day <= 4)
    out = tmp_path / "new.csv"
    code, stdout, _ = run(
        "roster", "repair", prob, ros, "--drop", victim.resource, "--from", "2", "--to", "4",
        "--out", str(out),
    )  # fmt: skip
    assert code == 0, stdout
    after = set(read_roster_csv(out, post="K3").assignments)
    assert not any(a.resource == victim.resource and 2 <= a.day <= 4 for a in after)
    outside = {a for a in roster.assignments if a.resource == victim.resource and a.day > 4}
    assert outside <= after  # no reason to touch the days it can still work


@needs_data
def test_repair_benchmark_that_stays_infeasible(tmp_path: Path) -> None:
    inst = str(DATA / "Instance1.txt")
    ros, out = tmp_path / "r.csv", tmp_path / "new.csv"
    assert run("roster", "solve", inst, "--time-limit", "1", "--out", str(ros))[0] == 0
    # every Instance1 employee must work at least 56 h: dropping one for good cannot be repaired
    code, stdout, stderr = run(
        "roster", "repair", inst, str(ros), "--drop", "A", "--frozen-before", "3",
        "--time-limit", "0.5", "--out", str(out),
    )  # fmt: skip
    assert code == 1
    line = json.loads(stdout)
    assert line["feasible"] is False and line["hard_violations"] >= 1
    assert "at least 56 h needed" in stderr
    assert out.read_text().splitlines()[0] == "employee,day,shift"  # written all the same
    old = {a for a in read_roster_csv(ros).assignments if a.day < 3}
    new = read_roster_csv(out).assignments
    assert {a for a in new if a.day < 3} == old
    assert not any(a.resource == "A" and a.day >= 3 for a in new)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--drop", "T9"], "--drop: unknown resource 'T9'"),
        (["--drop", "T0", "--from", "7"], "--from: day 7 is outside the horizon (0..6)"),
        (["--drop", "T0", "--from", "2026-12-08"], "(2026-12-01..2026-12-07)"),
        (["--drop", "T0", "--to", "monday"], "--to: expected a day index (0..6) or an ISO date"),
        (["--drop", "T0", "--from", "3", "--to", "2"], "--to (day 2) is before --from (day 3)"),
        (["--drop", "T0", "--from", "1", "--frozen-before", "2"], "is before --frozen-before"),
        (["--drop", "T0", "--time-limit", "0"], "--time-limit must be above 0"),
    ],
)
def test_repair_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    prob, ros = _write(tmp_path, _line(), Roster())
    out = tmp_path / "new.csv"
    code, _, stderr = run("roster", "repair", prob, ros, *args, "--out", str(out))
    assert code == 2
    assert message in stderr
    assert not out.exists()


@needs_data
def test_repair_benchmark_days_are_indexes_only(tmp_path: Path) -> None:
    ros = tmp_path / "r.csv"
    ros.write_text("employee,day,shift\nA,1,D\n")
    code, _, stderr = run(
        "roster", "repair", str(DATA / "Instance1.txt"), str(ros), "--drop", "A",
        "--from", "2024-01-02", "--out", str(tmp_path / "new.csv"),
    )  # fmt: skip
    assert code == 2
    assert "--from: expected a day index (0..13), got '2024-01-02'" in stderr


def test_repair_bad_roster_row_is_bad_input(tmp_path: Path) -> None:
    prob, ros = _write(tmp_path, _line(), Roster())
    Path(ros).write_text("employee,day,shift,post\nT0,9,D,K3\n")
    code, _, stderr = run("roster", "repair", prob, ros, "--drop", "T0", "--out", "x.csv")
    assert code == 1
    assert "roster.csv:2: day: day 9 is outside the horizon (0..6)" in stderr


@settings(max_examples=25, deadline=None)
@given(
    duty_problems(min_resources=2, max_resources=4, max_days=5, max_shifts=2, max_posts=2),
    st.data(),
)
def test_repair_keeps_frozen_days_and_clears_the_window(problem: Problem, data) -> None:
    roster = data.draw(rosters(problem))
    days = problem.horizon.days
    victim = data.draw(st.sampled_from([r.id for r in problem.resources]))
    frozen = data.draw(st.integers(0, days - 1))
    first = data.draw(st.integers(frozen, days - 1))
    last = data.draw(st.one_of(st.none(), st.integers(first, days - 1)))
    with tempfile.TemporaryDirectory() as tmp:
        prob, ros = _write(Path(tmp), problem, roster)
        out = Path(tmp) / "new.csv"
        window = ["--from", str(first)] + ([] if last is None else ["--to", str(last)])
        code, stdout, _ = run(
            "roster", "repair", prob, ros, "--drop", victim, "--frozen-before", str(frozen),
            *window, "--time-limit", "0.05", "--out", str(out),
        )  # fmt: skip
        new = read_roster_csv(out)
    line = json.loads(stdout)
    assert code == (0 if line["feasible"] else 1)
    before, after = set(roster.assignments), set(new.assignments)
    assert {a for a in before if a.day < frozen} == {a for a in after if a.day < frozen}
    end = days - 1 if last is None else last
    assert not any(a.resource == victim and first <= a.day <= end for a in after)
    assert line["changes"] == len(before ^ after)


# --- swap -------------------------------------------------------------------

SWAP_ROSTER = Roster(
    (
        Assignment("T0", 0, "N", "K3"),
        Assignment("T0", 2, "N", "K3"),
        Assignment("T1", 1, "D", "K3"),
        Assignment("T2", 0, "D", "K3"),
    )
)


@pytest.fixture
def swap_files(tmp_path: Path) -> tuple[str, str]:
    return _write(tmp_path, _line(), SWAP_ROSTER)


def test_swap_yes_writes_the_swapped_roster(swap_files, tmp_path: Path) -> None:
    prob, ros = swap_files
    out = tmp_path / "swapped.csv"
    code, stdout, _ = run("roster", "swap", prob, ros, "T2@0", "T1@2026-12-02", "--out", str(out))
    assert (code, stdout) == (0, "yes\n")
    swapped = set(read_roster_csv(out).assignments)
    gone = {Assignment("T2", 0, "D", "K3"), Assignment("T1", 1, "D", "K3")}
    new = {Assignment("T2", 1, "D", "K3"), Assignment("T1", 0, "D", "K3")}
    assert swapped == (set(SWAP_ROSTER.assignments) - gone) | new


def test_swap_no_gives_each_reason_and_writes_nothing(swap_files, tmp_path: Path) -> None:
    prob, ros = swap_files
    out = tmp_path / "swapped.csv"
    # T0 would take T1's day shift on day 1, right after its own night on day 0
    code, stdout, _ = run("roster", "swap", prob, ros, "T0@2", "T1@1", "--out", str(out))
    assert code == 1
    lines = stdout.splitlines()
    assert lines[0] == "no"
    assert lines[1].startswith("[forbidden_succession, hard] Team 0 works the D shift on Wed")
    assert not out.exists()


def test_swap_json(swap_files) -> None:
    prob, ros = swap_files
    code, stdout, _ = run("roster", "swap", prob, ros, "T0@2:N", "T1@1", "--json")
    assert code == 1
    answer = json.loads(stdout)
    assert answer["ok"] is False
    assert answer["a"] == {"resource": "T0", "day": 2, "shift": "N", "post": "K3"}
    assert answer["b"]["resource"] == "T1"
    assert [r["rule"] for r in answer["reasons"]] == ["forbidden_succession"]
    assert answer["reasons"][0]["hard"] is True
    code, stdout, _ = run("roster", "swap", prob, ros, "T2@0", "T1@1", "--json")
    assert code == 0
    assert json.loads(stdout)["ok"] is True and json.loads(stdout)["reasons"] == []


@needs_data
def test_swap_on_a_benchmark_roster(tmp_path: Path) -> None:
    inst = str(DATA / "Instance1.txt")
    ros = tmp_path / "r.csv"
    # A is off on day 0 (a fixed day off) and B works it: giving it to A breaks that
    ros.write_text("employee,day,shift\nA,3,D\nB,0,D\n")
    code, stdout, _ = run("roster", "swap", inst, str(ros), "A@3", "B@0")
    assert code == 1
    assert any(line.startswith("[unavailable, hard] A ") for line in stdout.splitlines())


@pytest.mark.parametrize(
    ("a", "b", "code", "message"),
    [
        ("T9@0", "T1@1", 2, "A: unknown resource 'T9'"),
        ("T0@0", "T1@9", 2, "B: day 9 is outside the horizon (0..6)"),
        ("T0", "T1@1", 2, "A: expected RESOURCE@DAY or RESOURCE@DAY:SHIFT, got 'T0'"),
        ("T0@0:X", "T1@1", 2, "A: unknown shift type 'X'"),
        ("T0@0", "T0@2", 2, "a swap needs two different resources"),
        ("T0@0", "T1@0", 1, "roster.csv: B: 'T1@0': T1 works no shift on day 0 (2026-12-01)"),
        ("T0@0:D", "T1@1", 1, "A: 'T0@0:D': T0 works no D shift on day 0"),
    ],
)
def test_swap_bad_arguments_are_named(swap_files, a: str, b: str, code: int, message: str) -> None:
    prob, ros = swap_files
    got, _, stderr = run("roster", "swap", prob, ros, a, b)
    assert got == code
    assert message in stderr


def test_swap_two_shifts_a_day_needs_the_shift_named(tmp_path: Path) -> None:
    double = Roster((*SWAP_ROSTER.assignments, Assignment("T1", 1, "N", "K3")))
    prob, ros = _write(tmp_path, _line(), double)
    code, _, stderr = run("roster", "swap", prob, ros, "T1@1", "T2@0")
    assert code == 1
    assert "T1 has 2 assignments on day 1 (2026-12-02) (D at K3, N at K3)" in stderr
    assert "name one as T1@1:SHIFT" in stderr
    code, stdout, _ = run("roster", "swap", prob, ros, "T1@1:N", "T2@0")
    assert stdout.splitlines()[0] in ("yes", "no")


@settings(max_examples=40, deadline=None)
@given(duty_problems(min_resources=2, max_resources=4, max_days=5, max_posts=2), st.data())
def test_a_yes_swap_adds_no_hard_violation(problem: Problem, data) -> None:
    roster = data.draw(rosters(problem))
    a = data.draw(st.sampled_from(roster.assignments)) if roster.assignments else None
    others = [x for x in roster.assignments if a is not None and x.resource != a.resource]
    if a is None or not others:
        return
    b = data.draw(st.sampled_from(others))
    with tempfile.TemporaryDirectory() as tmp:
        prob, ros = _write(Path(tmp), problem, roster)
        out = Path(tmp) / "swapped.csv"
        code, stdout, _ = run(
            "roster", "swap", prob, ros, f"{a.resource}@{a.day}", f"{b.resource}@{b.day}",
            "--out", str(out),
        )  # fmt: skip
        written = read_roster_csv(out) if out.exists() else None
    assert stdout.splitlines()[0] == ("yes" if code == 0 else "no")
    event(stdout.splitlines()[0])
    if code == 0:
        assert written is not None
        old, new = evaluate(problem, roster), evaluate(problem, written)
        assert len(new.hard_violations) <= len(old.hard_violations)
        assert new.score.hard <= old.score.hard
    else:
        assert code == 1 and written is None
