from pathlib import Path

import pytest

from gridgov.duty.formats.curtois import POST, load, loads
from gridgov.duty.formats.roster_csv import parse_roster_csv, roster_csv_text
from gridgov.duty.model import Assignment, Roster
from gridgov.duty.validate import evaluate
from gridgov.errors import InvalidInput

DATA = Path("/work/shared/data/curtois")
if not DATA.exists():  # the integrator's checkout keeps the data beside the repo
    DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "curtois"
needs_data = pytest.mark.skipif(not DATA.exists(), reason="benchmark data not present")

TINY = """# tiny
SECTION_HORIZON
7

SECTION_SHIFTS
D,480,
N,600,D

SECTION_STAFF
A,D=7|N=2,2400,960,3,2,2,1
B,D=7|N=0,2400,0,5,1,1,1

SECTION_DAYS_OFF
A,6

SECTION_SHIFT_ON_REQUESTS
A,0,D,2

SECTION_SHIFT_OFF_REQUESTS
B,3,D,5

SECTION_COVER
0,D,1,100,1
1,D,1,100,1
1,N,1,50,1
"""


@needs_data
def test_all_off_instance1_scores_7137_and_breaks_min_minutes() -> None:
    problem = load(DATA / "Instance1.txt")
    ev = evaluate(problem, Roster())
    assert ev.score.soft == 7137
    rules = {v.rule for v in ev.hard_violations}
    assert rules == {"total_minutes"}
    assert len(ev.hard_violations) == 8
    assert "at least 56 h needed" in ev.hard_violations[0].message


def test_tiny_objective_counts_every_soft_term() -> None:
    p = loads(TINY)
    # empty: A's on-request (2) + cover 100 + 100 + 50 on the listed slots
    assert evaluate(p, Roster()).score.soft == 252
    r = Roster(
        (
            Assignment("A", 0, "D", POST),
            Assignment("B", 1, "D", POST),
            Assignment("A", 1, "N", POST),
            Assignment("B", 3, "D", POST),
        )
    )
    ev = evaluate(p, r)
    # B's off request (5) + an uncovered slot? none; day 3 D has no need: target 0, over weight 0
    assert ev.score.soft == 5
    kinds = sorted(v.rule for v in ev.hard_violations)
    # A: 1 day off then... A works days 0-1 (run of 2 starting at day 0: exempt)
    # B: works day 1 alone (min 1 ok), day 3 alone ok; B min days off 1 ok
    assert "min_consecutive" not in kinds


def test_forbidden_succession_and_weekends_are_caught() -> None:
    p = loads(TINY)
    r = Roster(
        (
            Assignment("A", 3, "N", POST),
            Assignment("A", 4, "D", POST),
            Assignment("A", 5, "D", POST),
            Assignment("A", 6, "D", POST),
        )
    )
    rules = sorted(v.rule for v in evaluate(p, r).hard_violations)
    assert "forbidden_succession" in rules  # D after N
    assert "unavailable" in rules  # day 6 off
    assert "max_consecutive" in rules  # 4 > 3


def test_errors_name_row_and_field() -> None:
    bad = TINY.replace("A,0,D,2", "Z,0,Q,x")
    with pytest.raises(InvalidInput) as exc:
        loads(bad, file="t.txt")
    msgs = [str(e) for e in exc.value.errors]
    assert any("t.txt:17: EmployeeID: unknown employee 'Z'" in m for m in msgs)
    assert any("ShiftID" in m for m in msgs)


def test_roster_csv_round_trip() -> None:
    r = Roster((Assignment("A", 0, "D", POST), Assignment("B", 2, "N", POST)))
    text = roster_csv_text(r, with_post=False)  # the benchmark form
    assert text.splitlines()[0] == "employee,day,shift"
    assert parse_roster_csv(text, post=POST).sorted() == r.sorted()
    with pytest.raises(InvalidInput, match="day"):
        parse_roster_csv("employee,day,shift\nA,x,D\n", file="r.csv")


def _errors(text: str) -> list[str]:
    with pytest.raises(InvalidInput) as exc:
        loads(text, file="t.txt")
    return [str(e) for e in exc.value.errors]


@pytest.mark.parametrize(
    ("value", "why"), [("x", "expected a whole number, got 'x'"), ("0", "must be >= 1, got 0")]
)
def test_bad_horizon_is_named_without_knock_on_day_errors(value: str, why: str) -> None:
    msgs = _errors(TINY.replace("SECTION_HORIZON\n7\n", f"SECTION_HORIZON\n{value}\n"))
    assert msgs == [f"t.txt:3: horizon: {why}"]


def test_bad_horizon_is_named_beside_missing_sections() -> None:
    msgs = _errors("SECTION_HORIZON\n-2\n\nSECTION_COVER\n0,D,1,100,1\n")
    assert msgs == [
        "t.txt:1: SECTION_SHIFTS: section missing or empty",
        "t.txt:1: SECTION_STAFF: section missing or empty",
        "t.txt:2: horizon: must be >= 1, got -2",
    ]


def test_bad_horizon_keeps_the_other_errors() -> None:
    bad = TINY.replace("SECTION_HORIZON\n7\n", "SECTION_HORIZON\nseven\n")
    msgs = _errors(bad.replace("1,N,1,50,1", "x,N,1,50,1"))
    assert msgs == [
        "t.txt:3: horizon: expected a whole number, got 'seven'",
        "t.txt:25: Day: expected a whole number, got 'x'",
    ]


def test_days_outside_a_good_horizon_are_still_caught() -> None:
    msgs = _errors(TINY.replace("1,N,1,50,1", "7,N,1,50,1"))
    assert msgs == ["t.txt:25: Day: day 7 is outside the horizon (0..6)"]
