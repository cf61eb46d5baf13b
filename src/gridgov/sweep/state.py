"""Per-household visit state in flat lists, and the counters it gives every unit.

The state of a household is a handful of numbers that each accepted visit
updates in O(1) (a bit mask of outcomes seen, the latest unreached outcome,
first and last times). Every update is a max, a min or an or, so the state is
the same whatever order the visits arrive in; :func:`contribution` turns it into
the household's counters (see :mod:`gridgov.sweep.rules`).
"""

from __future__ import annotations

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

FIELDS: tuple[str, ...] = (
    "households",
    "discovered",
    "invalid",
    "verified",
    "partly_verified",
    "not_at_home",
    "refused",
    "no_access",
    "not_visited",
    "visited",
    "not_at_home_ever",
    "converted",
    "persons",
    "returnees",
    "no_central",
    "visits",
)
"""The additive counters kept for every unit, in storage order."""
F = len(FIELDS)
(
    I_HOUSEHOLDS,
    I_DISCOVERED,
    I_INVALID,
    I_VERIFIED,
    I_PARTLY,
    I_NAH,
    I_REFUSED,
    I_NO_ACCESS,
    I_NOT_VISITED,
    I_VISITED,
    I_NAH_EVER,
    I_CONVERTED,
    I_PERSONS,
    I_RETURNEES,
    I_NO_CENTRAL,
    I_VISITS,
) = range(F)
# status code (0..6) -> counter index for a valid household
_STATUS_FIELD = (I_VERIFIED, I_PARTLY, I_NAH, I_REFUSED, -1, I_NO_ACCESS, I_NOT_VISITED)

_VERIFIED_BIT = 1 << VERIFIED
_PARTLY_BIT = 1 << PARTLY
_NAH_BIT = 1 << NOT_AT_HOME


class VisitState:
    """The visit state of ``n`` households, one list per quantity."""

    __slots__ = (
        "first_reach",
        "first_visit",
        "last_at",
        "last_code",
        "last_id",
        "mask",
        "nah_min",
        "nvisits",
        "persons",
        "returnees",
        "ver_max",
    )

    def __init__(self, n: int) -> None:
        self.mask = [0] * n
        self.nvisits = [0] * n
        self.last_at = [EARLIEST] * n
        self.last_id = [""] * n
        self.last_code = [NOT_VISITED] * n
        self.first_reach = [LATEST] * n
        self.first_visit = [LATEST] * n
        self.nah_min = [LATEST] * n
        self.ver_max = [EARLIEST] * n
        self.persons = [0] * n
        self.returnees = [0] * n

    def reset(self, h: int) -> None:
        """Forget every visit of household ``h``."""
        self.mask[h] = 0
        self.nvisits[h] = 0
        self.last_at[h] = EARLIEST
        self.last_id[h] = ""
        self.last_code[h] = NOT_VISITED
        self.first_reach[h] = LATEST
        self.first_visit[h] = LATEST
        self.nah_min[h] = LATEST
        self.ver_max[h] = EARLIEST
        self.persons[h] = 0
        self.returnees[h] = 0

    def apply(self, h: int, vid: str, t: int, code: int, persons: int, returnees: int) -> None:
        """Add one accepted visit (time ``t`` in microseconds, outcome ``code``)."""
        self.mask[h] |= 1 << code
        self.nvisits[h] += 1
        if t < self.first_visit[h]:
            self.first_visit[h] = t
        if code <= PARTLY:
            if t < self.first_reach[h]:
                self.first_reach[h] = t
            if persons > self.persons[h]:
                self.persons[h] = persons
            if returnees > self.returnees[h]:
                self.returnees[h] = returnees
            if code == VERIFIED and t > self.ver_max[h]:
                self.ver_max[h] = t
        else:
            la = self.last_at[h]
            if t > la or (t == la and vid > self.last_id[h]):
                self.last_at[h] = t
                self.last_id[h] = vid
                self.last_code[h] = code
            if code == NOT_AT_HOME and t < self.nah_min[h]:
                self.nah_min[h] = t

    def status(self, h: int) -> int:
        """The household's status code (see :mod:`gridgov.sweep.rules`)."""
        m = self.mask[h]
        if m & _VERIFIED_BIT:
            return VERIFIED
        if m & _PARTLY_BIT:
            return PARTLY
        return self.last_code[h]


def tally(frame: HouseholdFrame, state: VisitState) -> list[list[int]]:
    """Counters for every tree position (``[field][pos]``), rolled up the tree in one pass."""
    n_units = len(frame.tree.index.order)
    cols = [[0] * n_units for _ in range(F)]
    (
        c_hh,
        c_disc,
        c_inv,
        c_ver,
        c_part,
        c_nah,
        c_ref,
        c_noacc,
        c_notv,
        c_visited,
        c_nahever,
        c_conv,
        c_pers,
        c_ret,
        c_nocent,
        c_visits,
    ) = cols
    by_status = (c_ver, c_part, c_nah, c_ref, None, c_noacc, c_notv)
    attach, disc, reg_inv, no_central = (
        frame.attach,
        frame.discovered,
        frame.register_invalid,
        frame.no_central,
    )
    mask, last_code, nvisits = state.mask, state.last_code, state.nvisits
    nah_min, ver_max, persons, returnees = (
        state.nah_min,
        state.ver_max,
        state.persons,
        state.returnees,
    )
    for h in range(len(attach)):
        p = attach[h]
        c_hh[p] += 1
        if disc[h]:
            c_disc[p] += 1
        nv = nvisits[h]
        if nv:
            c_visits[p] += nv
        m = mask[h]
        if m & _VERIFIED_BIT:
            st = VERIFIED
        elif m & _PARTLY_BIT:
            st = PARTLY
        else:
            st = last_code[h]
            if st == VACANT or reg_inv[h]:
                c_inv[p] += 1
                continue
        col = by_status[st]
        assert col is not None
        col[p] += 1
        if no_central[h]:
            c_nocent[p] += 1
        if nv:
            c_visited[p] += 1
            if m & _NAH_BIT:
                c_nahever[p] += 1
                if nah_min[h] < ver_max[h]:
                    c_conv[p] += 1
            if st <= PARTLY:
                c_pers[p] += persons[h]
                c_ret[p] += returnees[h]
    parent = frame.tree.index.parent
    for i in range(n_units - 1, 0, -1):
        p = parent[i]
        for col in cols:
            v = col[i]
            if v:
                col[p] += v
    return cols
