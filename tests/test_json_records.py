"""Issue 12: what gridgov writes as JSON goes through the library's converter.

The roster commands' answers are records (gridgov.cli.roster_answers), event
payloads and visit objects are the converter's data; each reads back equal.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from gridgov import events as ev
from gridgov.cli import main
from gridgov.cli.roster_answers import (
    CheckAnswer,
    RepairAnswer,
    SolveAnswer,
    SwapAnswer,
    answer_text,
)
from gridgov.duty.formats import native
from gridgov.duty.formats.roster_csv import read_roster_csv
from gridgov.duty.model import Assignment
from gridgov.duty.validate import evaluate
from gridgov.duty.violation import Violation
from gridgov.serialize import structure, unstructure
from gridgov.sweep.visit_format import WRITTEN, visit_object, visits_jsonl_text
from gridgov.testing import strategies as gst

counts = st.integers(0, 2**40)
texts = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12)
violations = st.builds(
    Violation,
    rule=texts,
    hard=st.booleans(),
    penalty=counts,
    message=texts,
    resource=st.none() | texts,
    day=st.none() | counts,
    shift=st.none() | texts,
    post=st.none() | texts,
)
assignments = st.builds(Assignment, resource=texts, day=counts, shift=texts, post=texts)
answers = st.one_of(
    st.builds(
        SolveAnswer,
        objective=counts,
        hard_violations=counts,
        optimal=st.booleans(),
        bound=st.none() | counts,
        wall_s=st.floats(0, 1e6),
    ),
    st.builds(
        CheckAnswer,
        objective=counts,
        hard=counts,
        hard_violations=counts,
        violations=st.lists(violations, max_size=4).map(tuple),
    ),
    st.builds(
        RepairAnswer,
        objective=counts,
        hard=counts,
        hard_violations=counts,
        feasible=st.booleans(),
        changes=counts,
        removed=counts,
        added=counts,
    ),
    st.builds(
        SwapAnswer,
        ok=st.booleans(),
        a=assignments,
        b=assignments,
        soft_delta=st.integers(-(2**40), 2**40),
        reasons=st.lists(violations, max_size=4).map(tuple),
    ),
)


@given(answers)
def test_every_answer_reads_back_equal_from_its_json_line(answer: Any) -> None:
    text = answer_text(answer)
    assert "\n" not in text
    assert structure(json.loads(text), type(answer)) == answer


@given(gst.events(units=("A", "B")))
def test_an_event_payload_is_the_converters_data_with_personal_facts_masked(e: ev.Event) -> None:
    clear = ev.payload(e, mask=False)
    assert clear == unstructure(e)
    assert structure(json.loads(json.dumps(clear)), ev.Event) == e
    masked = ev.payload(e)
    assert masked == {**clear, "personal": ev.personal_view(e)}


@given(gst.visits(sweeps=("s1",), households=("h1", "h2")))
def test_a_visit_object_is_the_converters_data_in_the_written_order(visit: Any) -> None:
    data = visit_object(visit)
    assert list(data) == list(WRITTEN)
    assert data == unstructure(visit)
    assert json.loads(visits_jsonl_text([visit])) == data


PROBLEM = {
    "horizon": {"start": "2026-12-01", "days": 2},
    "shifts": [{"id": "D", "minutes": 480, "start": "08:00"}],
    "posts": [{"id": "K1", "needs": [{"shift": "D", "min": 2}]}],
    "resources": [{"id": "t1"}, {"id": "t2"}],
}


def test_roster_check_json_is_the_check_answer_of_the_evaluation(tmp_path: Path, capsys) -> None:
    pf = tmp_path / "p.json"
    pf.write_text(json.dumps(PROBLEM), encoding="utf-8")
    rf = tmp_path / "r.csv"
    rf.write_text("employee,day,shift,post\nt1,0,D,K1\nt2,0,D,K1\nt1,1,D,K1\n", encoding="utf-8")
    assert main(["roster", "check", str(pf), str(rf), "--json"]) == 1  # day 1 is short
    printed = capsys.readouterr().out
    answer = structure(json.loads(printed), CheckAnswer)
    problem = native.loads(pf.read_text(encoding="utf-8"), file=str(pf))
    ev_ = evaluate(problem, read_roster_csv(rf))
    assert answer.violations == tuple(ev_.violations) and answer.hard_violations >= 1
    assert printed == answer_text(answer) + "\n"


ids = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=8)
KEY = b"gridgov test secret, 32 bytes.."


@given(
    name=ids,
    n=st.integers(0, 2**31),
    at=gst.moments(),
    share=st.floats(0, 1),
    kind=st.sampled_from(sorted(ev.EventKind, key=lambda k: k.value)),
)
def test_the_facts_of_every_kind_are_its_record(
    name: str, n: int, at: Any, share: float, kind: ev.EventKind
) -> None:
    made = {
        ev.EventKind.ROSTER_PUBLISHED: lambda: ev.roster_published(
            roster=name, version=n, unit="U", at=at, shifts=n
        ),
        ev.EventKind.SHIFT_STARTING: lambda: ev.shift_starting(
            roster=name,
            post=name,
            start=at,
            unit="U",
            at=at,
            team=name,
            leader_name=name,
            secret=KEY,
        ),
        ev.EventKind.COVERAGE_BELOW: lambda: ev.coverage_below(
            sweep=name, unit="U", coverage=share, threshold=share, at=at
        ),
        ev.EventKind.FOLLOW_UP_OVERDUE: lambda: ev.follow_up_overdue(
            household=name,
            unit="U",
            due=at,
            at=at,
            resident_name=name,
            health=name,
            secret=KEY,
        ),
        ev.EventKind.RULE_VIOLATION: lambda: ev.rule_violation(
            roster=name, rule=name, unit="U", at=at, person_name=name, secret=KEY
        ),
        ev.EventKind.VISIT_REJECTED: lambda: ev.visit_rejected(
            visit=name, household=name, unit="U", reason=name, at=at, secret=KEY
        ),
    }
    e = made[kind]()
    record = ev.facts(e)
    assert isinstance(record, ev.FACTS[kind])
    assert unstructure(record) == dict(e.data)
    assert name in unstructure(record).values() or kind is ev.EventKind.COVERAGE_BELOW
    if kind in ev.PERSONAL:
        personal = structure(dict(e.personal), ev.PERSONAL[kind])
        assert set(unstructure(personal).values()) - {""} == {name}
    else:
        assert e.personal == {}
    stored = structure(json.loads(json.dumps(unstructure(e))), ev.Event)
    assert stored == e and ev.facts(stored) == record
