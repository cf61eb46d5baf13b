"""The bulk ingest's array copies equal the rules they copy, on any text.

``gridgov.store.bulk_rows`` builds each version row of a batch in columns: the
intake's digest (``gridgov.sweep.intake_bulk``, a copy of
``gridgov.sweep.intake.digest`` of ``identity``), the instant under the sweep's
time rule, the stored document (the text of ``gridgov.store.codec.doc``) and the
rejections of ``gridgov.store.versions.prepare``. Each is compared here with the
reference on generated visits with any text (quotes, backslashes, control
characters, non-Latin, line separators), any time shape and both kinds of sweep.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("pyarrow")

from gridgov.store import codec
from gridgov.store.bulk_rows import bulk_rows
from gridgov.store.versions import prepare
from gridgov.store.visit_columns import VisitColumns
from gridgov.sweep.model import Outcome, Sweep, Visit

T0 = dt.datetime(2022, 4, 1, 8)
ZONES = (None, dt.UTC, dt.timezone(dt.timedelta(hours=8)), dt.timezone(-dt.timedelta(hours=5)))
texts = st.text(max_size=12) | st.sampled_from(
    ["", '"', "\\", "\n\r\t\x00\x1f", "\u2028é漢", "0042"]
)


@st.composite
def visits(draw: st.DrawFn) -> Visit:
    zone = draw(st.sampled_from(ZONES))
    at = T0 + dt.timedelta(
        seconds=draw(st.integers(-86_400, 86_400)),
        microseconds=draw(st.sampled_from([0, 0, 1, 500_000])),
    )
    if zone is not None:
        at = at.replace(tzinfo=zone)
    return Visit(
        draw(st.sampled_from(["v1", "v2", "007"]) | texts.filter(bool)),
        draw(st.sampled_from(["S1", "S2", "S9"])),
        draw(st.sampled_from(["h1", "h2", "h9"]) | texts.filter(bool)),
        at,
        draw(texts),
        draw(st.sampled_from(list(Outcome))),
        draw(st.integers(0, 2**40)),
        draw(st.integers(0, 7)),
        draw(texts),
        draw(st.integers(0, 3)),
        tuple(draw(st.lists(texts.filter(bool), max_size=3))),
    )


@settings(max_examples=150, deadline=None)
@given(st.lists(visits(), max_size=20), st.sampled_from(ZONES), st.integers(0, 3))
def test_bulk_rows_equal_prepare(vs: list[Visit], zone: dt.tzinfo | None, lo: int) -> None:
    sweeps = {
        "S1": Sweep("S1", "C", T0.replace(tzinfo=zone), T0.replace(tzinfo=zone)),
        "S2": Sweep("S2", "C", T0, T0 + dt.timedelta(days=1)),
    }
    households = {"h1", "h2"} | {v.household for v in vs[::3]}
    lo = min(lo, len(vs))
    cols = VisitColumns.from_visits(vs)
    batch, rejected = bulk_rows(
        cols,
        lo,
        len(vs),
        lambda ids: {s: sweeps[s] for s in ids if s in sweeps},
        lambda ids: {h: None for h in ids if h in households},
    )
    rows, expected_rejected = prepare(vs[lo:], sweeps, households)
    assert rejected == expected_rejected
    if batch is None:
        assert rows == []
        return
    assert batch.digest == [r.digest for r in rows]
    assert batch.column("t_us") == [r.t_us for r in rows]
    assert batch.column("code") == [r.code for r in rows]
    assert batch.column("persons") == [r.persons for r in rows]
    assert batch.column("returnees") == [r.returnees for r in rows]
    assert batch.column("doc") == [codec.doc(r.visit) for r in rows]
    assert [cols.visit(int(k)) for k in batch.keep] == [r.visit for r in rows]
    assert list(batch.rows()) == [
        (r.sweep, r.id, r.digest, r.household, r.t_us, r.code, r.persons, r.returnees,
         codec.doc(r.visit))
        for r in rows
    ]  # fmt: skip
    assert list(batch.pairs()) == [(r.sweep, r.id) for r in rows]
