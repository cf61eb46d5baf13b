"""Hypothesis strategies for store contract tests: hostile text and sweep values; keys an
options table does not read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from typing import Any

from hypothesis import strategies as st

from gridgov.events import Event, EventKind
from gridgov.sweep.model import Household, Occupancy, Outcome, Sweep, Visit
from gridgov.tables import keys

HOSTILE: tuple[str, ...] = (
    "",
    "'",
    '"',
    'O\'Brien "the" `x`',
    "'; DROP TABLE visits; --",
    "1 OR 1=1",
    "?; %s %(x)s $1 :name",
    "<script>alert('x')</script>",
    "&amp; &lt;b&gt; <b>bold</b>",
    "\\ \\\\ \\n \n\r\t",
    "张伟 · 王芳 — 社区网格",
    "مرحبا بالعالم",
    "Ωμέγα ñ ü ß 🚑🏥",
    "\u200b\u202e reversed",
    "x" * 10_000,
    "长" * 5_000,
)
"""Text that breaks naive storage: quotes, SQL and placeholder fragments, HTML,
escapes, non-Latin scripts, emoji, invisible characters, very long strings."""

_CHARS = st.characters(exclude_categories=["Cs"], exclude_characters="\x00")


def hostile_text(*, max_size: int = 40) -> st.SearchStrategy[str]:
    """Text drawn from :data:`HOSTILE` or at random (no NUL: PostgreSQL text cannot hold it)."""
    return st.one_of(st.sampled_from(HOSTILE), st.text(_CHARS, max_size=max_size))


def ids(prefix: str = "") -> st.SearchStrategy[str]:
    """Non-empty ids, hostile ones included."""
    return st.one_of(
        st.sampled_from([h for h in HOSTILE if h]).map(lambda s: prefix + s[:200]),
        st.text(_CHARS, min_size=1, max_size=12).map(lambda s: prefix + s),
    )


def moments() -> st.SearchStrategy[dt.datetime]:
    """Naive date-times in a plausible range."""
    return st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2099, 12, 31))


@st.composite
def households(draw: st.DrawFn, *, buildings: Sequence[str]) -> Household:
    """A household in one of ``buildings``."""
    return Household(
        draw(ids("h")),
        draw(st.sampled_from(list(buildings))),
        draw(st.none() | st.integers(-3, 200)),
        draw(hostile_text()),
        draw(st.sampled_from(Occupancy)),
        draw(st.booleans()),
    )


@st.composite
def sweeps(draw: st.DrawFn, *, scopes: Sequence[str]) -> Sweep:
    """A sweep over one of ``scopes``."""
    start = draw(moments())
    return Sweep(
        draw(ids("s")),
        draw(st.sampled_from(list(scopes))),
        start,
        start + dt.timedelta(hours=draw(st.integers(1, 500))),
        draw(hostile_text()),
    )


@st.composite
def visits(draw: st.DrawFn, *, sweeps: Sequence[str], households: Sequence[str]) -> Visit:
    """A visit of one of ``households`` in one of ``sweeps``."""
    return Visit(
        draw(ids("v")),
        draw(st.sampled_from(list(sweeps))),
        draw(st.sampled_from(list(households))),
        draw(moments()),
        draw(hostile_text()),
        draw(st.sampled_from(Outcome)),
        draw(st.integers(0, 20)),
        draw(st.integers(0, 20)),
        draw(hostile_text()),
    )


@st.composite
def events(draw: st.DrawFn, *, units: Sequence[str]) -> Event:
    """An event about one of ``units`` with hostile summary and personal data."""
    at = draw(moments())
    if draw(st.booleans()):
        at = at.replace(tzinfo=dt.UTC)
    return Event(
        draw(ids("e")),
        draw(st.sampled_from(EventKind)),
        at,
        draw(st.sampled_from(list(units))),
        draw(hostile_text()),
        draw(
            st.dictionaries(
                st.text(_CHARS, min_size=1, max_size=8),
                st.one_of(
                    st.integers(-(2**53), 2**53),
                    st.floats(allow_nan=False, allow_infinity=False),
                    hostile_text(),
                ),
                max_size=3,
            )
        ),
        draw(st.dictionaries(st.sampled_from(["name", "id_number", "health"]), hostile_text())),
    )


def unknown_options(
    table_cls: type, *, also: Collection[str] = ("type", "mask"), max_size: int = 4
) -> st.SearchStrategy[dict[str, Any]]:
    """One to ``max_size`` keys the table class ``table_cls`` does not read (nor ``also``:
    by default the keys every ``[channels.NAME]`` table has), hostile or random, each
    with a TOML value (number, text, boolean, list)."""
    known = set(keys(table_cls)) | set(also)
    names = hostile_text(max_size=12).filter(lambda k: bool(k) and k not in known)
    values = st.one_of(st.integers(), st.text(max_size=5), st.booleans(), st.lists(st.integers()))
    return st.dictionaries(names, values, min_size=1, max_size=max_size)
