"""Domain events: stable ids, masking of personal data, round-trips."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gridgov import events as ev
from gridgov.serialize import structure, unstructure
from gridgov.testing import strategies as gst

KEY = b"gridgov test secret, 32 bytes"  # the workspace secret event ids are keyed by

AT = dt.datetime(2022, 4, 2, 9, 30)


def test_constructors_give_stable_ids_for_the_same_occurrence() -> None:
    a = ev.roster_published(roster="r1", version=3, unit="G1", at=AT)
    b = ev.roster_published(roster="r1", version=3, unit="G1", at=AT + dt.timedelta(hours=1))
    c = ev.roster_published(roster="r1", version=4, unit="G1", at=AT)
    assert a.id == b.id != c.id
    assert a.kind is ev.EventKind.ROSTER_PUBLISHED


def test_every_kind_has_a_constructor() -> None:
    made = [
        ev.roster_published(roster="r", version=1, unit="U", at=AT),
        ev.shift_starting(
            secret=KEY, roster="r", post="P1", start=AT, unit="U", at=AT, leader_name="李雷"
        ),
        ev.coverage_below(sweep="s", unit="U", coverage=0.5, threshold=0.9, at=AT),
        ev.follow_up_overdue(
            secret=KEY, household="h", unit="U", due=AT, at=AT, resident_name="王芳"
        ),
        ev.rule_violation(
            secret=KEY, roster="r", rule="min-rest", unit="U", at=AT, person_name="Zhang Wei"
        ),
        ev.visit_rejected(
            secret=KEY, visit="v", household="h", unit="U", reason="unknown household", at=AT
        ),
    ]
    assert {e.kind for e in made} == set(ev.EventKind)


def test_personal_data_is_masked_unless_asked() -> None:
    e = ev.follow_up_overdue(
        secret=KEY,
        household="h1",
        unit="G1",
        due=AT,
        at=AT,
        resident_name="Zhang Wei",
        resident_id_number="110101199003071234",
        health="fever",
    )
    text = ev.render(e)
    assert "Zhang Wei" not in text
    assert "Z**" in text
    assert "110101199003071234" not in text
    assert "1234" in text
    assert "fever" not in text
    assert "<masked>" in text
    assert ev.payload(e)["personal"] == {
        "resident_name": "Z**",
        "resident_id_number": "**************1234",
        "health": "<masked>",
    }
    clear = ev.render(e, mask=False)
    assert "Zhang Wei" in clear
    assert "fever" in clear


@given(gst.events(units=("A", "B")))
def test_events_round_trip_through_the_converter(e: ev.Event) -> None:
    assert structure(unstructure(e), ev.Event) == e


@given(st.text(), st.text())
def test_masked_render_never_shows_a_personal_value(name: str, health: str) -> None:
    e = ev.follow_up_overdue(
        secret=KEY, household="h", unit="U", due=AT, at=AT, resident_name=name, health=health
    )
    payload = ev.payload(e)
    assert payload["personal"].get("health", "<masked>") == "<masked>"
    if len(name.strip()) > 1:
        assert payload["personal"]["resident_name"] == name.strip()[0] + "**"


def test_an_event_needs_an_id_and_a_kind() -> None:
    with pytest.raises(ValueError, match="id must not be empty"):
        ev.Event("", ev.EventKind.VISIT_REJECTED, AT, "U")
    with pytest.raises(TypeError):
        ev.Event("x", "visit-rejected", AT, "U")  # type: ignore[arg-type]
