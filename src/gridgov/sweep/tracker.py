"""The incremental coverage tracker: one visit in, O(depth) counters updated.

A visit changes only its household's state; the tracker computes the
household's counters before and after and adds the difference to the unit the
household attaches to and each of its ancestors (a chain cached per unit). So
"coverage of grid X now" is a lookup, never a rescan.

The result never depends on arrival order: the same id with the same content
counts once; the same id with a different content turns into a conflict and
*every* version of it is withdrawn (the household's state is rebuilt from its
remaining visits), exactly as the batch :func:`gridgov.sweep.coverage` decides.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from gridgov.org.hierarchy import Hierarchy
from gridgov.sweep.coverage import VisitKey, check_visit, render_visit, visit_key
from gridgov.sweep.frame import HouseholdFrame
from gridgov.sweep.model import Household, Sweep, Visit
from gridgov.sweep.report import Conflict, Counts, CoverageReport, Reject
from gridgov.sweep.rules import (
    CODE_BY_ID,
    NOT_AT_HOME,
    PARTLY,
    REASON_AFTER,
    REASON_BEFORE,
    VERIFIED,
    code_of,
)
from gridgov.sweep.state import (
    FIELDS,
    I_CONVERTED,
    I_INVALID,
    I_NAH_EVER,
    I_NO_CENTRAL,
    I_PERSONS,
    I_RETURNEES,
    I_VISITED,
    I_VISITS,
    INVALID_SIGNATURE,
    NOT_VISITED_SIGNATURE,
    Signature,
    VisitState,
    signature,
    tally,
)

_TIME_CACHE = 1 << 17
"""Distinct visit times remembered (a bounded cache: parsing an aware time is slow)."""

_SIG_FIELDS = (-1, I_VISITED, I_NAH_EVER, I_CONVERTED, I_PERSONS, I_RETURNEES)

_WIDTH = 48
"""Bits per counter: a unit's counters are packed into one int, so a visit adds one int
per ancestor (every counter is a count >= 0 below 2**48, so the fields never overlap)."""
_MASK = (1 << _WIDTH) - 1


def _plan(before: Signature, after: Signature, no_central: int, visits: int) -> int:
    """The packed change of every counter when a household goes from ``before`` to ``after``."""
    delta = visits << (_WIDTH * I_VISITS)
    b0, a0 = before[0], after[0]
    if b0 != a0:
        delta += (1 << (_WIDTH * a0)) - (1 << (_WIDTH * b0))
        if no_central and (b0 == I_INVALID) != (a0 == I_INVALID):
            delta += (1 if b0 == I_INVALID else -1) << (_WIDTH * I_NO_CENTRAL)
    for k in range(1, 6):
        d = after[k] - before[k]
        if d:
            delta += d << (_WIDTH * _SIG_FIELDS[k])
    return delta


ACCEPTED = "accepted"
DUPLICATE = "duplicate"
CONFLICT = "conflict"


class CoverageTracker:
    """Counters of one sweep kept up to date visit by visit.

    :meth:`add` returns ``"accepted"``, ``"duplicate"``, ``"conflict"`` or the
    reason the visit was rejected; it never raises for a bad visit.
    """

    __slots__ = (
        "_accept_deltas",
        "_accepted",
        "_by_household",
        "_cache_on",
        "_chains",
        "_conflicts",
        "_deltas",
        "_duplicates",
        "_hchain",
        "_lookups",
        "_packed",
        "_rejects",
        "_sigs",
        "_times",
        "frame",
        "state",
    )

    def __init__(self, tree: Hierarchy, households: Iterable[Household], sweep: Sweep) -> None:
        self.frame = HouseholdFrame(tree, households, sweep)
        self.state = VisitState(len(self.frame))
        cols = tally(self.frame, self.state)
        self._packed = [
            sum(col[p] << (_WIDTH * k) for k, col in enumerate(cols)) for p in range(len(cols[0]))
        ]
        self._accepted: dict[str, Visit] = {}
        self._by_household: list[list[str] | None] | None = None
        self._conflicts: dict[str, list[Visit]] = {}
        self._chains: dict[int, tuple[int, ...]] = {}
        self._hchain = [self._chain(p) for p in self.frame.attach]
        self._deltas: dict[tuple[Signature, Signature, int, int], int] = {}
        self._accept_deltas: dict[tuple[Signature, Signature, int], int] = {}
        self._sigs = [
            INVALID_SIGNATURE if bad else NOT_VISITED_SIGNATURE
            for bad in self.frame.register_invalid
        ]
        self._rejects: list[Reject] = []
        self._duplicates = 0
        self._times: dict[dt.datetime, int | str] = {}
        self._cache_on = True
        self._lookups = 0

    def _chain(self, p: int) -> tuple[int, ...]:
        """``p`` and its ancestors; built once per position, sharing cached ancestors."""
        chains = self._chains
        chain = chains.get(p)
        if chain is not None:
            return chain
        parent = self.frame.tree.index.parent
        path = []
        q = p
        while q >= 0 and q not in chains:
            path.append(q)
            q = parent[q]
        tail: tuple[int, ...] = chains[q] if q >= 0 else ()
        for node in reversed(path):
            tail = (node, *tail)
            chains[node] = tail
        return tail

    @property
    def cols(self) -> list[list[int]]:
        """Every unit's counters as ``[field][pos]`` (decoded; for reports and checks)."""
        packed = self._packed
        return [[(v >> (_WIDTH * k)) & _MASK for v in packed] for k in range(len(FIELDS))]

    def _move(self, h: int, before: Signature, after: Signature, visits: int) -> None:
        """Add the difference between two signatures (and ``visits``) up the chain of ``h``."""
        key = (before, after, self.frame.no_central[h], visits)
        delta = self._deltas.get(key)
        if delta is None:
            delta = self._deltas[key] = _plan(*key)
        if delta:
            packed = self._packed
            for p in self._hchain[h]:
                packed[p] += delta

    def _remember(self, at: dt.datetime, t: int | str, lookups: int) -> bool:
        """Cache a placed time while the cache pays; whether to keep caching.

        Off for good when, after 4096 lookups, more than half of them missed
        (times to the second rarely repeat, and hashing an aware time costs).
        """
        times = self._times
        if len(times) < _TIME_CACHE:
            times[at] = t
        if lookups >= 4096 and len(times) * 2 > lookups:
            self._cache_on = False
            times.clear()
        return self._cache_on

    def add(self, visit: Visit) -> str:
        """Take one visit into account; see the class docs for the return value."""
        out: list[str] = []
        self._ingest((visit,), out)
        return out[0]

    def add_many(self, visits: Iterable[Visit]) -> dict[str, int]:
        """Add every visit, one after the other; how many were accepted, duplicates,
        conflicts and rejected. The same as :meth:`add` in a loop, only faster."""
        return self._ingest(visits, None)

    def _ingest(self, visits: Iterable[Visit], statuses: list[str] | None) -> dict[str, int]:
        """The hot loop behind :meth:`add` and :meth:`add_many` (everything bound locally)."""
        frame = self.frame
        index_get = frame.index.get
        times_get = self._times.get
        sweep_id = frame.sweep.id
        accepted = self._accepted
        conflicts = self._conflicts
        by_household = self._by_household
        rejects = self._rejects
        state = self.state
        mask, nvisits, first_visit, first_reach = (
            state.mask,
            state.nvisits,
            state.first_visit,
            state.first_reach,
        )
        persons_l, returnees_l, ver_max = state.persons, state.returnees, state.ver_max
        last_at, last_id, last_code, nah_min = (
            state.last_at,
            state.last_id,
            state.last_code,
            state.nah_min,
        )
        hchain = self._hchain
        sigs = self._sigs
        packed = self._packed
        deltas = self._accept_deltas
        deltas_get = deltas.get
        no_central = frame.no_central
        n_acc = n_dup = n_con = n_rej = 0
        to_us = frame.rule.to_us
        start_us, end_us = frame.rule.start_us, frame.rule.end_us
        cache_on = self._cache_on
        looks = self._lookups
        code_by_id = CODE_BY_ID
        for visit in visits:
            h = index_get(visit.household)
            at = visit.at
            t = None
            if cache_on:
                t = times_get(at)
                looks += 1
            if t is None and h is not None:
                t = to_us(at)
                if t.__class__ is int:
                    assert isinstance(t, int)
                    if t < start_us:
                        t = REASON_BEFORE
                    elif t > end_us:
                        t = REASON_AFTER
                if cache_on:
                    cache_on = self._remember(at, t, looks)
            if h is None or visit.sweep != sweep_id:
                placed = check_visit(frame, visit)
                if placed.__class__ is str:
                    assert isinstance(placed, str)
                    rejects.append(Reject(visit.id, visit.household, placed))
                    n_rej += 1
                    if statuses is not None:
                        statuses.append(placed)
                    continue
                assert isinstance(placed, tuple)
                h, t = placed
            elif t.__class__ is str:
                assert isinstance(t, str)
                rejects.append(Reject(visit.id, visit.household, t))
                n_rej += 1
                if statuses is not None:
                    statuses.append(t)
                continue
            assert isinstance(t, int)
            vid = visit.id
            if vid in accepted or (conflicts and vid in conflicts):
                r = self._again(visit, h, t)
                by_household = self._by_household  # a conflict may have started the index
                if r == DUPLICATE:
                    n_dup += 1
                else:
                    n_con += 1
                if statuses is not None:
                    statuses.append(r)
                continue
            accepted[vid] = visit
            if by_household is not None:  # kept only once a conflict has needed it
                byh = by_household[h]
                if byh is None:
                    by_household[h] = [vid]
                else:
                    byh.append(vid)
            before = sigs[h]
            # VisitState.apply, inlined: this is the hot path
            code = code_by_id[id(visit.outcome)]
            mask[h] |= 1 << code
            nvisits[h] += 1
            if t < first_visit[h]:
                first_visit[h] = t
            if code <= PARTLY:
                if t < first_reach[h]:
                    first_reach[h] = t
                persons = visit.persons_seen
                if persons > persons_l[h]:
                    persons_l[h] = persons
                ret = visit.returnees
                if ret > returnees_l[h]:
                    returnees_l[h] = ret
                if code == VERIFIED and t > ver_max[h]:
                    ver_max[h] = t
            else:
                la = last_at[h]
                if t > la or (t == la and vid > last_id[h]):
                    last_at[h] = t
                    last_id[h] = vid
                    last_code[h] = code
                if code == NOT_AT_HOME and t < nah_min[h]:
                    nah_min[h] = t
            after = signature(frame, state, h)
            if after is not before:
                sigs[h] = after
            key = (before, after, no_central[h])
            delta = deltas_get(key)
            if delta is None:
                delta = deltas[key] = _plan(before, after, no_central[h], 1)
            for p in hchain[h]:
                packed[p] += delta
            n_acc += 1
            if statuses is not None:
                statuses.append(ACCEPTED)
        self._lookups = looks
        return {ACCEPTED: n_acc, DUPLICATE: n_dup, CONFLICT: n_con, "rejected": n_rej}

    def _again(self, visit: Visit, h: int, t: int) -> str:
        """A visit whose id was seen before: a duplicate, or a conflict."""
        vid = visit.id
        key = visit_key(visit, t)
        versions = self._conflicts.get(vid)
        if versions is not None:
            if any(self._key(v) == key for v in versions):
                self._duplicates += 1
            else:
                versions.append(visit)
            return CONFLICT
        prev = self._accepted[vid]
        if self._key(prev) == key:
            self._duplicates += 1
            return DUPLICATE
        self._withdraw(vid)
        self._conflicts[vid] = [prev, visit]
        return CONFLICT

    def _key(self, visit: Visit) -> VisitKey:
        placed = check_visit(self.frame, visit)
        assert isinstance(placed, tuple)  # only accepted visits are kept
        return visit_key(visit, placed[1])

    def _withdraw(self, vid: str) -> None:
        visit = self._accepted.pop(vid)
        h = self.frame.index[visit.household]
        state = self.state
        before = signature(self.frame, state, h)
        if self._by_household is None:
            # the first conflict: index the accepted visits by household, once
            byh: list[list[str] | None] = [None] * len(self.frame)
            index = self.frame.index
            for other_id, other_visit in self._accepted.items():
                i = index[other_visit.household]
                lst = byh[i]
                if lst is None:
                    byh[i] = [other_id]
                else:
                    lst.append(other_id)
            byh[h] = [*(byh[h] or []), vid]
            self._by_household = byh
        remaining = self._by_household[h]
        assert remaining is not None
        remaining.remove(vid)
        state.reset(h)
        for other in remaining:
            v = self._accepted[other]
            placed = check_visit(self.frame, v)
            assert isinstance(placed, tuple)
            state.apply(h, other, placed[1], code_of(v.outcome), v.persons_seen, v.returnees)
        after = signature(self.frame, state, h)
        self._sigs[h] = after
        self._move(h, before, after, -1)

    def counts(self, unit_id: str | None = None) -> Counts:
        """The current counts of ``unit_id`` (default: the sweep's scope)."""
        uid = self.frame.sweep.scope if unit_id is None else unit_id
        v = self._packed[self.frame.tree.index.pos[uid]]
        return Counts(*((v >> (_WIDTH * k)) & _MASK for k in range(len(FIELDS))))

    @property
    def rejects(self) -> list[Reject]:
        """Rejected visits so far, in arrival order."""
        return list(self._rejects)

    def report(self) -> CoverageReport:
        """A snapshot of everything as a :class:`CoverageReport` (copies the state)."""
        state = VisitState(0)
        for name in VisitState.__slots__:
            setattr(state, name, list(getattr(self.state, name)))
        conflicts = [
            Conflict(vid, tuple(sorted(render_visit(v) for v in versions)))
            for vid, versions in sorted(self._conflicts.items())
        ]
        return CoverageReport(
            self.frame,
            state,
            [list(c) for c in self.cols],
            list(self._rejects),
            conflicts,
            self._duplicates,
        )
