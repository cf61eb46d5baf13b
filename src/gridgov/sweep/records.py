"""Households' visit state as records in one flat list, and their counters as packed ints.

The incremental tracker keeps :data:`RECORD_SIZE` slots per household, side by
side in one list (household ``h`` at ``b = h * RECORD_SIZE``, slots ``R_*``):
the same quantities as :class:`~gridgov.sweep.state.VisitState`, the key below,
and what the units' counters last saw of it (``R_FLUSHED_*``). One household's
state is then one or two cache lines where eleven parallel lists were eleven
cache misses, and no object is created per visited household.

The *key* of a household is an ``int`` that determines exactly what the
household adds to its units' counters beyond ``households``, ``discovered`` and
``visits`` (its status field, visited, ever not at home, converted, persons and
returnees, together with its no-central flag): the counter index of its status in the low five
bits, then flags, then persons and returnees paired into one number (Cantor's
pairing, exact for any sizes). So a visit's change to every ancestor is
``contribution(new key) - contribution(old key)``, with contributions cached
by key, and no tuple is built or hashed per visit.
"""

from __future__ import annotations

from typing import Any

from gridgov.sweep.rules import (
    EARLIEST,
    LATEST,
    NOT_AT_HOME,
    NOT_VISITED,
    PARTLY,
    VACANT,
    VERIFIED,
)
from gridgov.sweep.state import (
    I_CONVERTED,
    I_INVALID,
    I_NAH,
    I_NAH_EVER,
    I_NO_ACCESS,
    I_NO_CENTRAL,
    I_NOT_VISITED,
    I_PARTLY,
    I_PERSONS,
    I_REFUSED,
    I_RETURNEES,
    I_VERIFIED,
    I_VISITED,
    I_VISITS,
    VisitState,
)

STATUS_FIELD = (I_VERIFIED, I_PARTLY, I_NAH, I_REFUSED, I_INVALID, I_NO_ACCESS, I_NOT_VISITED)
"""Status code (0..6) -> the counter index a valid household is counted under."""

WIDTH = 48
"""Bits per counter: a unit's counters are packed into one int, so a visit adds one int
per ancestor (every counter is a count >= 0 below 2**48, so the fields never overlap)."""
MASK = (1 << WIDTH) - 1
ONE_VISIT = 1 << (WIDTH * I_VISITS)
"""The packed change of one more accepted visit."""

# record layout (a list per visited household)
(
    R_MASK,
    R_NVISITS,
    R_FIRST_VISIT,
    R_FIRST_REACH,
    R_LAST_AT,
    R_LAST_ID,
    R_LAST_CODE,
    R_NAH_MIN,
    R_VER_MAX,
    R_PERSONS,
    R_RETURNEES,
    R_KEY,
    R_FLUSHED_KEY,
    R_FLUSHED_VISITS,
) = range(14)
RECORD_SIZE = 14
CLEAN = -1
"""``rec[R_FLUSHED_KEY]`` of a household whose contribution is in its units' counters;
else that slot holds the key (and ``R_FLUSHED_VISITS`` the number of visits) that are."""

# key layout
K_FIELD = 31
"""The low five bits: the counter index the household is counted under."""
K_NO_CENTRAL = 1 << 5
"""Static: the household has no responsible central household."""
K_REGISTER_INVALID = 1 << 6
"""Static: the register says moved out or commercial."""
K_STATIC = K_NO_CENTRAL | K_REGISTER_INVALID
K_NAH = 1 << 7
K_CONVERTED = 1 << 8
K_PAIR_SHIFT = 9

VERIFIED_BIT = 1 << VERIFIED
PARTLY_BIT = 1 << PARTLY
NAH_BIT = 1 << NOT_AT_HOME


def pair(persons: int, returnees: int) -> int:
    """Cantor's pairing of two counts >= 0: one exact int for both."""
    s = persons + returnees
    return (s * (s + 1) >> 1) + returnees


def initial_key(register_invalid: int, no_central: int) -> int:
    """The key of a household without any accepted visit."""
    static = (K_REGISTER_INVALID if register_invalid else 0) | (K_NO_CENTRAL if no_central else 0)
    return static | (I_INVALID if register_invalid else I_NOT_VISITED)


def key_of(st: list[Any], b: int) -> int:
    """The key of the record at ``b`` (see the module docs); of the record's own key
    only the static flags are read."""
    m: int = st[b + R_MASK]
    static: int = st[b + R_KEY] & K_STATIC
    if m & VERIFIED_BIT:
        field = STATUS_FIELD[VERIFIED]
    elif m & PARTLY_BIT:
        field = STATUS_FIELD[PARTLY]
    else:
        code: int = st[b + R_LAST_CODE]
        if code == VACANT or static & K_REGISTER_INVALID:
            return static | I_INVALID
        field = STATUS_FIELD[code]
        if code == NOT_VISITED:
            return static | field
    key = static | field
    if m & NAH_BIT:
        key |= K_NAH
        if st[b + R_NAH_MIN] < st[b + R_VER_MAX]:
            key |= K_CONVERTED
    persons, returnees = st[b + R_PERSONS], st[b + R_RETURNEES]
    if persons or returnees:
        key |= pair(persons, returnees) << K_PAIR_SHIFT
    return key


def contribution(key: int, persons: int, returnees: int) -> int:
    """The packed counters (beyond households, discovered, visits) of a household with
    ``key``; ``persons`` and ``returnees`` are the ones the key pairs."""
    field = key & K_FIELD
    if field == I_INVALID:
        return 1 << (WIDTH * I_INVALID)
    c = 1 << (WIDTH * field)
    if key & K_NO_CENTRAL:
        c += 1 << (WIDTH * I_NO_CENTRAL)
    if field == I_NOT_VISITED:
        return c
    c += 1 << (WIDTH * I_VISITED)
    if key & K_NAH:
        c += 1 << (WIDTH * I_NAH_EVER)
        if key & K_CONVERTED:
            c += 1 << (WIDTH * I_CONVERTED)
    return c + (persons << (WIDTH * I_PERSONS)) + (returnees << (WIDTH * I_RETURNEES))


_EMPTY = (0, 0, LATEST, LATEST, EARLIEST, "", NOT_VISITED, LATEST, EARLIEST, 0, 0)
"""The visit state of a household without visits (the slots before ``R_KEY``)."""


def new_records(keys: list[int]) -> list[Any]:
    """Clean records without visits, one per key, in one flat list."""
    st: list[Any] = [*_EMPTY, 0, CLEAN, 0] * len(keys)
    st[R_KEY::RECORD_SIZE] = keys
    return st


def reset(st: list[Any], b: int) -> None:
    """Forget every visit of the record at ``b`` (its key and flush slots stay)."""
    st[b : b + R_KEY] = _EMPTY


def apply(st: list[Any], b: int, vid: str, t: int, code: int, persons: int, returnees: int) -> None:
    """Add one accepted visit to the record at ``b`` (the same rules as
    :meth:`VisitState.apply`); the key is left for :func:`key_of` to recompute."""
    st[b + R_MASK] |= 1 << code
    st[b + R_NVISITS] += 1
    if t < st[b + R_FIRST_VISIT]:
        st[b + R_FIRST_VISIT] = t
    if code <= PARTLY:
        if t < st[b + R_FIRST_REACH]:
            st[b + R_FIRST_REACH] = t
        if persons > st[b + R_PERSONS]:
            st[b + R_PERSONS] = persons
        if returnees > st[b + R_RETURNEES]:
            st[b + R_RETURNEES] = returnees
        if code == VERIFIED and t > st[b + R_VER_MAX]:
            st[b + R_VER_MAX] = t
    else:
        la = st[b + R_LAST_AT]
        if t > la or (t == la and vid > st[b + R_LAST_ID]):
            st[b + R_LAST_AT] = t
            st[b + R_LAST_ID] = vid
            st[b + R_LAST_CODE] = code
        if code == NOT_AT_HOME and t < st[b + R_NAH_MIN]:
            st[b + R_NAH_MIN] = t


def to_state(st: list[Any]) -> VisitState:
    """A :class:`VisitState` holding the same state as the records ``st`` (a copy)."""
    state = VisitState(0)
    for name, slot in (
        ("mask", R_MASK),
        ("nvisits", R_NVISITS),
        ("first_visit", R_FIRST_VISIT),
        ("first_reach", R_FIRST_REACH),
        ("last_at", R_LAST_AT),
        ("last_id", R_LAST_ID),
        ("last_code", R_LAST_CODE),
        ("nah_min", R_NAH_MIN),
        ("ver_max", R_VER_MAX),
        ("persons", R_PERSONS),
        ("returnees", R_RETURNEES),
    ):
        setattr(state, name, st[slot::RECORD_SIZE])
    return state
