"""One definition of what an attempt does to a delivery (``Attempt.changes``), applied by
the memory store and by the SQL stores alike: store == reference for any sequence."""

from __future__ import annotations

import datetime as dt

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from gridgov.events import Event, EventKind
from gridgov.store import open_store
from gridgov.store.port import ATTEMPT_OUTCOMES, Attempt, Delivery

T0 = dt.datetime(2022, 4, 1, 8)
EVENTS = [
    Event(f"e{i}", EventKind.VISIT_REJECTED, T0 + dt.timedelta(minutes=i), "C") for i in range(3)
]

attempts = st.lists(
    st.builds(
        Attempt,
        event_id=st.sampled_from([e.id for e in EVENTS]),
        channel=st.sampled_from(("a", "b")),
        outcome=st.sampled_from(ATTEMPT_OUTCOMES),
        error=st.sampled_from(("", "5xx", "timeout: 'x'")),
        next_attempt=st.floats(0, 1e6, allow_nan=False),
        done=st.none() | st.lists(st.sampled_from(("x@example.org", "y@example.org"))).map(tuple),
    ),
    max_size=12,
)


@settings(max_examples=40, deadline=None)
@given(batches=st.lists(attempts, max_size=4))
def test_memory_and_sqlite_record_every_attempt_alike(batches: list[list[Attempt]]) -> None:
    stores = [open_store("memory://"), open_store("sqlite:///:memory:")]
    try:
        for store in stores:
            for event in EVENTS:
                store.enqueue(event, ["a", "b"])
            for batch in batches:
                store.record_attempts(batch)
        memory, sqlite = ([attrs.astuple(d, recurse=False) for d in s.deliveries()] for s in stores)
        assert memory == sqlite
    finally:
        for store in stores:
            store.close()


def test_changes_name_fields_of_a_delivery_and_count_attempts_only_when_tried() -> None:
    fields = {f.name for f in attrs.fields(Delivery)}
    for outcome in ATTEMPT_OUTCOMES:
        sets, counted = Attempt("e", "c", outcome, done=("p",)).changes()
        assert set(sets) | set(counted) <= fields
        tried = outcome in ("delivered", "retry", "dead")
        assert ("attempts" in counted) == tried, outcome
        assert sets["done"] == ("p",)
    assert Attempt("e", "c", "released").changes() == ({}, ())
