"""One household's visit state as one small record, and its counters as one packed int.

The incremental tracker keeps, per household, either an ``int`` (the household
has no accepted visit yet: its *key*, below) or a ``list`` record of
:data:`RECORD_SIZE` items (the same quantities as
:class:`~gridgov.sweep.state.VisitState`, plus the key). A record is one random
memory access where eleven parallel lists were eleven.

The *key* of a household is an ``int`` that determines exactly what the
household adds to its units' counters beyond ``households``, ``discovered`` and
``visits`` (the :data:`~gridgov.sweep.state.Signature` together with the
household's no-central flag): the counter index of its status in the low five
bits, then flags, then persons and returnees paired into one number (Cantor's
pairing, exact for any sizes). So a visit's change to every ancestor is
``contribution(new key) - contribution(old key)``, with contributions cached
by key, and no tuple is built or hashed per visit.
"""

from __future__ import annotations

from typing import Any

from gridgov.sweep.frame import HouseholdFrame
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

Record = list[Any]
"""A visited household's state (see :data:`RECORD_SIZE` and the ``R_*`` indices)."""

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


def key_of(rec: Record) -> int:
    """The key of a record (see the module docs); the record's own key is not read
    except for its static flags."""
    m: int = rec[R_MASK]
    static: int = rec[R_KEY] & K_STATIC
    if m & VERIFIED_BIT:
        field = STATUS_FIELD[VERIFIED]
    elif m & PARTLY_BIT:
        field = STATUS_FIELD[PARTLY]
    else:
        code: int = rec[R_LAST_CODE]
        if code == VACANT or static & K_REGISTER_INVALID:
            return static | I_INVALID
        field = STATUS_FIELD[code]
        if code == NOT_VISITED:
            return static | field
    key = static | field
    if m & NAH_BIT:
        key |= K_NAH
        nah_min, ver_max = rec[R_NAH_MIN], rec[R_VER_MAX]
        if nah_min < ver_max:
            key |= K_CONVERTED
    persons, returnees = rec[R_PERSONS], rec[R_RETURNEES]
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


def new_record(key: int) -> Record:
    """A clean record without visits for a household whose key is ``key``."""
    return [0, 0, LATEST, LATEST, EARLIEST, "", NOT_VISITED, LATEST, EARLIEST, 0, 0, key, CLEAN, 0]


def apply(rec: Record, vid: str, t: int, code: int, persons: int, returnees: int) -> None:
    """Add one accepted visit to a record (the same rules as :meth:`VisitState.apply`);
    the record's key is left for :func:`key_of` to recompute."""
    m, nv, first = rec[R_MASK], rec[R_NVISITS], rec[R_FIRST_VISIT]
    rec[R_MASK] = m | (1 << code)
    rec[R_NVISITS] = nv + 1
    if t < first:
        rec[R_FIRST_VISIT] = t
    if code <= PARTLY:
        if t < rec[R_FIRST_REACH]:
            rec[R_FIRST_REACH] = t
        if persons > rec[R_PERSONS]:
            rec[R_PERSONS] = persons
        if returnees > rec[R_RETURNEES]:
            rec[R_RETURNEES] = returnees
        if code == VERIFIED and t > rec[R_VER_MAX]:
            rec[R_VER_MAX] = t
    else:
        la = rec[R_LAST_AT]
        if t > la or (t == la and vid > rec[R_LAST_ID]):
            rec[R_LAST_AT] = t
            rec[R_LAST_ID] = vid
            rec[R_LAST_CODE] = code
        if code == NOT_AT_HOME and t < rec[R_NAH_MIN]:
            rec[R_NAH_MIN] = t


def to_state(frame: HouseholdFrame, records: list[int | Record]) -> VisitState:
    """A :class:`VisitState` holding the same state as ``records`` (a copy)."""
    state = VisitState(len(frame))
    cols: tuple[list[Any], ...] = (
        state.mask,
        state.nvisits,
        state.first_visit,
        state.first_reach,
        state.last_at,
        state.last_id,
        state.last_code,
        state.nah_min,
        state.ver_max,
        state.persons,
        state.returnees,
    )
    for h, rec in enumerate(records):
        if rec.__class__ is not int:
            assert isinstance(rec, list)
            for col, value in zip(cols, rec[:R_KEY], strict=True):
                col[h] = value
    return state
