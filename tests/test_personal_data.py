"""Issue 12: masking follows a forgiving person kind; event ids leak no names."""

from __future__ import annotations

import datetime as dt

import pytest

from gridgov.duty.export import roster_html
from gridgov.duty.model import (
    Assignment,
    Horizon,
    Post,
    Problem,
    Resource,
    ResourceKind,
    Roster,
    ShiftType,
    StaffNeed,
)
from gridgov.events import rule_violation

KEY = b"gridgov test secret, 32 bytes"  # the workspace secret event ids are keyed by


@pytest.mark.parametrize("kind", ["Person", "PERSON", " person ", ResourceKind.PERSON])
def test_any_spelling_of_person_is_masked(kind: object) -> None:
    r = Resource("K01", name="Zhang Wei", kind=kind)  # type: ignore[arg-type]
    assert r.kind == "person"
    problem = Problem(
        Horizon(dt.date(2026, 12, 1), 1),
        (ShiftType("D", 480, dt.time(8)),),
        (Post("K1", needs=(StaffNeed("D"),)),),
        (r,),
    )
    html = roster_html(problem, Roster((Assignment("K01", 0, "D", "K1"),)))
    assert "Zhang Wei" not in html


def test_an_unknown_kind_is_an_error() -> None:
    with pytest.raises(ValueError, match="expected one of"):
        Resource("x", kind="robot")


def test_a_rule_violation_id_does_not_depend_on_the_name() -> None:
    at = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    args = {"roster": "r1", "rule": "min_rest", "unit": "C", "at": at, "detail": "Z** (K01)"}
    a = rule_violation(secret=KEY, **args, person_name="Zhang Wei")  # type: ignore[arg-type]
    b = rule_violation(secret=KEY, **args, person_name="Li Na")  # type: ignore[arg-type]
    assert a.id == b.id
    assert "Zhang Wei" not in a.id
