"""The one visit format (CSV and JSON Lines) and the enum spelling rule."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridgov.errors import InvalidInput, SourceProblem
from gridgov.examples import reference_county
from gridgov.examples.sweep_day import reference_households, simulated_sweep_day
from gridgov.spelling import canonical, lookup_enum, parse_enum, spelling_key
from gridgov.sweep import coverage, coverage_from_csv, households_csv_text
from gridgov.sweep.model import Occupancy, Outcome, Visit
from gridgov.sweep.visit_format import (
    iter_visits_text,
    read_visits,
    read_visits_text,
    visits_csv_text,
    visits_jsonl_text,
)
from gridgov.testing import strategies as gst

T0 = dt.datetime(2020, 2, 10, 8, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@st.composite
def respelled(draw: st.DrawFn, value: str) -> str:
    """``value`` with random case, separators between words and blanks around it."""
    words = value.split("-")
    seps = [draw(st.sampled_from(["-", "_", " ", "  ", "_-", " - "])) for _ in words[1:]]
    text = words[0] + "".join(s + w for s, w in zip(seps, words[1:], strict=True))
    text = "".join(c.upper() if draw(st.booleans()) else c for c in text)
    return draw(st.sampled_from(["", " ", "\t"])) + text + draw(st.sampled_from(["", " "]))


@settings(max_examples=60)
@given(data=st.data(), cls=st.sampled_from([Outcome, Occupancy]))
def test_every_spelling_of_a_value_reads_as_that_value(data: st.DataObject, cls: type) -> None:
    member = data.draw(st.sampled_from(list(cls)))
    text = data.draw(respelled(member.value))
    assert lookup_enum(cls, text) is member
    assert canonical(member) == member.value == spelling_key(member.value)


def test_unknown_values_name_file_row_field_and_the_accepted_values() -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_enum(Outcome, "sleeping", field="outcome", row=7, file="v.csv")
    assert str(exc.value.errors[0]) == (
        "v.csv:7: outcome: unknown outcome 'sleeping' (expected one of verified, "
        "partly-verified, not-at-home, refused, vacant-confirmed, no-access)"
    )
    assert lookup_enum(Outcome, "not at-homes") is None
    assert lookup_enum(Outcome, "") is None


@settings(max_examples=60, deadline=None)
@given(
    visits=st.lists(
        gst.visits(sweeps=("S1", "s 2"), households=("h1", "h,2", 'h"3')),
        max_size=6,
    )
)
def test_csv_and_jsonl_round_trip_every_field_exactly(visits: list[Visit]) -> None:
    assert read_visits_text(visits_csv_text(visits)) == visits
    assert read_visits_text(visits_jsonl_text(visits), jsonl=True) == visits


def test_both_old_dialects_and_mixed_spellings_read_as_one_format(tmp_path: Path) -> None:
    demo = (
        "id,household,at,visitor,outcome,persons,returnees,sweep,note\n"
        "a,h1,2020-02-10T09:00:00+08:00,W1,Not at home,0,0,S1,\n"
        "b,h1,2020-02-10T18:00:00+08:00,W1,VERIFIED,3,1,,back\n"
    )
    store = (
        "id,sweep,household,at,outcome,persons_seen,persons_registered,note\n"
        "a,S1,h1,2020-02-10T09:00:00+08:00,not_at_home,0,0,\n"
        "b,S1,h1,2020-02-10T18:00:00+08:00,verified,3,3,back\n"
    )
    one = read_visits_text(demo, sweep="S1")
    two = read_visits_text(store)
    a = Visit("a", "S1", "h1", T0 + dt.timedelta(hours=1), "W1", Outcome.NOT_AT_HOME)
    assert one[0] == a
    assert one[1] == Visit(
        "b", "S1", "h1", T0 + dt.timedelta(hours=10), "W1", Outcome.VERIFIED, 3, 3, "back", 1
    )
    assert [(v.id, v.outcome, v.persons_seen, v.persons_registered) for v in two] == [
        (v.id, v.outcome, v.persons_seen, v.persons_registered) for v in one
    ]
    spelled = "ID,Household,AT,Persons Seen,Outcome\nx,h1,2020-02-10T09:00,2,Partly_Verified\n"
    (got,) = read_visits_text(spelled, sweep="S9")
    assert (got.sweep, got.persons_seen, got.outcome) == ("S9", 2, Outcome.PARTLY_VERIFIED)
    line = {"id": "j", "household": "h1", "at": "2020-02-10T09:00", "outcome": "NO ACCESS"}
    path = tmp_path / "v.jsonl"
    path.write_text(json.dumps(line) + "\n\n", encoding="utf-8")
    assert [v.outcome for v in read_visits(path, sweep="S1")] == [Outcome.NO_ACCESS]


def test_bad_rows_are_each_named_by_file_row_and_field() -> None:
    text = (
        "id,household,at,outcome,persons,sweep\n"
        "a,h1,2020-02-10T09:00,sleeping,1,S1\n"
        ",h1,yesterday,verified,-1,S1\n"
        "c,h1,2020-02-10T09:00,,1,\n"
        "d,h1\n"
    )
    rows = list(iter_visits_text(text, file="v.csv"))
    errors = [str(e) for _, e in rows if isinstance(e, SourceProblem)]
    assert errors[0].startswith("v.csv:2: outcome: unknown outcome 'sleeping' (expected one of")
    assert errors[1:] == [
        "v.csv:3: id: empty id",
        "v.csv:3: at: not an ISO 8601 date-time: 'yesterday'",
        "v.csv:3: persons: not a whole number >= 0: '-1'",
        "v.csv:4: sweep: no sweep: fill the field or name the sweep (--sweep)",
        "v.csv:4: outcome: empty outcome",
        "v.csv:5: expected 6 fields, found 2",
    ]
    with pytest.raises(InvalidInput, match=re.escape("v.csv:1: house: unknown column")):
        read_visits_text("id,house,at\n", file="v.csv")
    bad = '{"id": "a", "household": "h", "at": "2020-02-10T09:00", "sweep": "S", "colour": 1}\n'
    with pytest.raises(InvalidInput, match=re.escape("v.jsonl:1: colour: unknown field")):
        read_visits_text(bad, jsonl=True, file="v.jsonl")


def test_the_demo_files_give_the_same_coverage_through_every_reader(tmp_path: Path) -> None:
    tree = reference_county(seed=2, scale=0.02)
    households = reference_households(tree, seed=2)
    sweep, visits = simulated_sweep_day(tree, households, seed=2)
    hp, vp, jp = tmp_path / "h.csv", tmp_path / "v.csv", tmp_path / "v.jsonl"
    hp.write_text(households_csv_text(households), encoding="utf-8")
    vp.write_text(visits_csv_text(visits), encoding="utf-8")
    jp.write_text(visits_jsonl_text(visits), encoding="utf-8")
    assert read_visits(vp) == visits == read_visits(jp)
    batch = coverage(tree, households, visits, sweep)
    fast = coverage_from_csv(tree, hp, vp, sweep)
    assert fast.columns == batch.columns
    # the same file with its outcomes spelled as other field apps spell them
    spelled = vp.read_text(encoding="utf-8").replace(",not-at-home,", ",Not at home,")
    spelled = spelled.replace(",partly-verified,", ",PARTLY_VERIFIED,")
    vp.write_text(spelled, encoding="utf-8")
    assert coverage_from_csv(tree, hp, vp, sweep).columns == batch.columns
