import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given, settings

from gridgov.cli import main
from gridgov.duty.export import roster_html, roster_table_csv
from gridgov.duty.export.ics import team_calendars
from gridgov.duty.formats import native
from gridgov.duty.model import (
    Assignment,
    Horizon,
    Post,
    Problem,
    Resource,
    Roster,
    ShiftType,
    StaffNeed,
)
from gridgov.errors import InvalidInput
from gridgov.strategies import duty_problems

PROBLEM = {
    "horizon": {"start": "2026-12-01", "days": 3, "timezone": "Asia/Shanghai"},
    "shifts": [
        {"id": "D", "minutes": 480, "start": "08:00"},
        {"id": "N", "minutes": 600, "start": "22:00", "night": True, "forbidden_next": ["D"]},
    ],
    "posts": [
        {
            "id": "K1",
            "name": "Gate <K1> & co",
            "needs": [{"shift": "D", "min": 1, "max": 1}, {"shift": "N", "min": 1, "max": 1}],
        }
    ],
    "resources": [
        {"id": "t1", "name": "Zhang Wei", "kind": "person", "unavailable": ["2026-12-02"]},
        {"id": "t2", "name": "Team <b>2</b>"},
        {"id": "t3", "name": "Team 3", "requests": [{"day": "2026-12-03", "on": False}]},
    ],
}


@settings(max_examples=30)
@given(duty_problems(max_resources=4, max_days=6))
def test_native_round_trip(problem) -> None:
    assert native.loads(native.dumps(problem)) == problem


def test_dates_become_day_indexes() -> None:
    p = native.from_data(json.loads(json.dumps(PROBLEM)))
    assert p.resources[0].unavailable == (1,)
    assert p.resources[2].requests[0].day == 2


def test_bad_fields_are_named() -> None:
    bad = json.loads(json.dumps(PROBLEM))
    bad["resources"][1]["limits"] = {"max_minutes": "lots"}
    with pytest.raises(InvalidInput) as exc:
        native.from_data(bad, file="p.json")
    assert "p.json: $.resources[1].limits.max_minutes" in str(exc.value.errors[0])
    bad = json.loads(json.dumps(PROBLEM))
    bad["posts"][0]["needs"][1]["shift"] = "X"
    with pytest.raises(InvalidInput) as exc:
        native.from_data(bad, file="p.json")
    assert str(exc.value.errors[0]) == "p.json: $.posts[0].needs[1].shift: unknown shift type 'X'"
    bad = json.loads(json.dumps(PROBLEM))
    bad["resources"][0]["colour"] = "red"
    with pytest.raises(InvalidInput, match="colour"):
        native.from_data(bad, file="p.json")


def _problem() -> Problem:
    return native.from_data(json.loads(json.dumps(PROBLEM)))


def test_html_escapes_and_marks_nights() -> None:
    roster = Roster((Assignment("t2", 0, "N", "K1"), Assignment("t1", 0, "D", "K1")))
    page = roster_html(_problem(), roster)
    assert "<b>2</b>" not in page
    assert "Team &lt;b&gt;2&lt;/b&gt;" in page
    assert "Gate &lt;K1&gt; &amp; co" in page
    assert 'class="night"' in page
    assert "☾" in page
    assert "Zhang Wei" not in page  # masked by default
    assert "Zhang Wei" in roster_html(_problem(), roster, mask=False)


def test_csv_table_and_calendars() -> None:
    roster = Roster((Assignment("t2", 0, "N", "K1"), Assignment("t1", 2, "D", "K1")))
    text = roster_table_csv(_problem(), roster)
    assert "2026-12-01T22:00,2026-12-02T08:00,yes" in text
    assert "Zhang Wei" not in text
    cals = team_calendars(_problem(), roster, now=dt.datetime(2026, 11, 30, tzinfo=dt.UTC))
    assert set(cals) == {"t1", "t2"}
    from icalendar import Calendar

    ev = next(iter(Calendar.from_ical(cals["t2"]).walk("VEVENT")))
    assert ev.decoded("dtstart").isoformat() == "2026-12-01T22:00:00+08:00"
    assert ev.decoded("dtend").isoformat() == "2026-12-02T08:00:00+08:00"
    assert "night" in str(ev["summary"])
    # every calendar carries the horizon's zone (made once, the same in each)
    zones = [Calendar.from_ical(c).walk("VTIMEZONE") for c in cals.values()]
    assert [[str(z["tzid"]) for z in found] for found in zones] == [["Asia/Shanghai"]] * 2
    assert zones[0][0].to_ical() == zones[1][0].to_ical()


def test_plan_check_export_cli(tmp_path: Path, capsys) -> None:
    prob = tmp_path / "p.json"
    prob.write_text(json.dumps(PROBLEM))
    out = tmp_path / "roster.csv"
    assert main(["roster", "plan", str(prob), "--time-limit", "0.5", "--out", str(out)]) == 0
    assert out.read_text().splitlines()[0] == "employee,day,shift,post"
    assert main(["roster", "check", str(prob), str(out)]) == 0
    assert (
        main(
            ["roster", "export", str(prob), str(out), "--to", "ics", "--out", str(tmp_path / "cal")]
        )
        == 0
    )
    assert len(list((tmp_path / "cal").glob("*.ics"))) >= 2
    assert (
        main(
            [
                "roster",
                "export",
                str(prob),
                str(out),
                "--to",
                "html",
                "--out",
                str(tmp_path / "r.html"),
            ]
        )
        == 0
    )
    capsys.readouterr()
    prob.write_text(json.dumps({**PROBLEM, "shifts": [{"id": "D"}]}))
    assert main(["roster", "plan", str(prob), "--out", str(out)]) == 1
    assert "$.shifts[0].minutes" in capsys.readouterr().err


def test_minimal_problem_round_trip() -> None:
    p = Problem(
        Horizon(dt.date(2026, 12, 1), 1),
        (ShiftType("D", 60),),
        (Post("P", needs=(StaffNeed("D", min=1),)),),
        (Resource("r"),),
    )
    assert native.loads(native.dumps(p)) == p
