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
from gridgov.sweep.coverage import VisitKey, check_visit, render_visit
from gridgov.sweep.frame import HouseholdFrame
from gridgov.sweep.model import Household, Sweep, Visit
from gridgov.sweep.report import Conflict, Counts, CoverageReport, Reject
from gridgov.sweep.rules import TIME_REASONS, code_of
from gridgov.sweep.state import (
    I_CONVERTED,
    I_INVALID,
    I_NAH_EVER,
    I_NO_CENTRAL,
    I_PERSONS,
    I_RETURNEES,
    I_VISITED,
    I_VISITS,
    Signature,
    VisitState,
    signature,
    tally,
)

_TIME_CACHE = 1 << 17
"""Distinct visit times remembered (a bounded cache: parsing an aware time is slow)."""

_SIG_FIELDS = (-1, I_VISITED, I_NAH_EVER, I_CONVERTED, I_PERSONS, I_RETURNEES)

ACCEPTED = "accepted"
DUPLICATE = "duplicate"
CONFLICT = "conflict"


class CoverageTracker:
    """Counters of one sweep kept up to date visit by visit.

    :meth:`add` returns ``"accepted"``, ``"duplicate"``, ``"conflict"`` or the
    reason the visit was rejected; it never raises for a bad visit.
    """

    __slots__ = (
        "_accepted",
        "_by_household",
        "_chains",
        "_conflicts",
        "_duplicates",
        "_rejects",
        "_times",
        "cols",
        "frame",
        "state",
    )

    def __init__(self, tree: Hierarchy, households: Iterable[Household], sweep: Sweep) -> None:
        self.frame = HouseholdFrame(tree, households, sweep)
        self.state = VisitState(len(self.frame))
        self.cols = tally(self.frame, self.state)
        self._accepted: dict[str, tuple[VisitKey, Visit, int, int]] = {}
        self._by_household: dict[int, list[str]] = {}
        self._conflicts: dict[str, list[tuple[VisitKey, Visit]]] = {}
        self._chains: dict[int, tuple[int, ...]] = {}
        self._rejects: list[Reject] = []
        self._duplicates = 0
        self._times: dict[dt.datetime, int | str] = {}

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

    def _move(self, h: int, before: Signature, after: Signature, visits: int) -> None:
        """Add the difference between two signatures (and ``visits``) up the chain of ``h``."""
        frame = self.frame
        chain = self._chain(frame.attach[h])
        cols = self.cols
        col = cols[I_VISITS]
        for p in chain:
            col[p] += visits
        if before == after:
            return
        b0, a0 = before[0], after[0]
        if b0 != a0:
            cb, ca = cols[b0], cols[a0]
            for p in chain:
                cb[p] -= 1
                ca[p] += 1
            if frame.no_central[h] and (b0 == I_INVALID) != (a0 == I_INVALID):
                d = 1 if b0 == I_INVALID else -1
                col = cols[I_NO_CENTRAL]
                for p in chain:
                    col[p] += d
        for k in range(1, 6):
            d = after[k] - before[k]
            if d:
                col = cols[_SIG_FIELDS[k]]
                for p in chain:
                    col[p] += d

    def add(self, visit: Visit) -> str:
        """Take one visit into account; see the class docs for the return value."""
        frame = self.frame
        at = visit.at
        h = frame.index.get(visit.household)
        t = self._times.get(at)
        if h is None or t is None or visit.sweep != frame.sweep.id:
            checked = check_visit(frame, visit)
            if checked.__class__ is str:
                assert isinstance(checked, str)
                self._rejects.append(Reject(visit.id, visit.household, checked))
                if checked in TIME_REASONS and len(self._times) < _TIME_CACHE:
                    self._times[at] = checked
                return checked
            assert isinstance(checked, tuple)
            h, t = checked
            if len(self._times) < _TIME_CACHE:
                self._times[at] = t
        elif t.__class__ is str:
            assert isinstance(t, str)
            self._rejects.append(Reject(visit.id, visit.household, t))
            return t
        assert isinstance(t, int)
        vid = visit.id
        outcome = visit.outcome
        key = (
            visit.sweep,
            visit.household,
            t,
            visit.visitor,
            outcome,
            visit.persons_seen,
            visit.persons_registered,
            visit.note,
            visit.returnees,
            visit.residents_seen,
        )
        if self._conflicts:
            versions = self._conflicts.get(vid)
            if versions is not None:
                if any(k == key for k, _ in versions):
                    self._duplicates += 1
                else:
                    versions.append((key, visit))
                return CONFLICT
        accepted = self._accepted
        prev = accepted.get(vid)
        if prev is not None:
            if prev[0] == key:
                self._duplicates += 1
                return DUPLICATE
            self._withdraw(vid)
            self._conflicts[vid] = [(prev[0], prev[1]), (key, visit)]
            return CONFLICT
        state = self.state
        before = signature(frame, state, h)
        state.apply(h, vid, t, code_of(outcome), visit.persons_seen, visit.returnees)
        accepted[vid] = (key, visit, h, t)
        byh = self._by_household.get(h)
        if byh is None:
            self._by_household[h] = [vid]
        else:
            byh.append(vid)
        self._move(h, before, signature(frame, state, h), 1)
        return ACCEPTED

    def _withdraw(self, vid: str) -> None:
        _, _, h, _ = self._accepted.pop(vid)
        state = self.state
        before = signature(self.frame, state, h)
        remaining = self._by_household[h]
        remaining.remove(vid)
        state.reset(h)
        for other in remaining:
            _, v, _, t = self._accepted[other]
            state.apply(h, other, t, code_of(v.outcome), v.persons_seen, v.returnees)
        self._move(h, before, signature(self.frame, state, h), -1)

    def add_many(self, visits: Iterable[Visit]) -> dict[str, int]:
        """Add every visit; how many were accepted, duplicates, conflicts, rejected."""
        out = {ACCEPTED: 0, DUPLICATE: 0, CONFLICT: 0, "rejected": 0}
        for v in visits:
            r = self.add(v)
            out[r if r in out else "rejected"] += 1
        return out

    def counts(self, unit_id: str | None = None) -> Counts:
        """The current counts of ``unit_id`` (default: the sweep's scope)."""
        uid = self.frame.sweep.scope if unit_id is None else unit_id
        return Counts.from_columns(self.cols, self.frame.tree.index.pos[uid])

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
            Conflict(vid, tuple(sorted(render_visit(v) for _, v in versions)))
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
