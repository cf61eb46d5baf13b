"""The incremental coverage tracker: one visit in, its household's record updated.

A visit changes only its household's state (a record of a few numbers, see
:mod:`gridgov.sweep.records`); the household is marked changed. Every query
(:meth:`CoverageTracker.counts`, ``cols``, ``report``) first brings the
counters up to date: each changed household's difference is added to its unit
and, summed per unit level by level, to its ancestors. So a visit costs O(1), a
query O(changed households x depth) at worst, and every query sees exact
current counts.

The result never depends on arrival order: the same id with the same content
counts once; the same id with a different content turns into a conflict and
*every* version of it is withdrawn (the household's state is rebuilt from its
remaining visits), exactly as the batch :func:`gridgov.sweep.coverage` decides.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from gridgov.org.hierarchy import Hierarchy
from gridgov.sweep.frame import HouseholdFrame
from gridgov.sweep.intake import (
    ACCEPTED,
    CONFLICT,
    DUPLICATE,
    VisitKey,
    counted_version,
    digest,
)
from gridgov.sweep.intake import identity as visit_key
from gridgov.sweep.intake import place as check_visit
from gridgov.sweep.intake import render as render_visit
from gridgov.sweep.model import Household, Sweep, Visit
from gridgov.sweep.records import (
    CLEAN,
    K_CONVERTED,
    K_FIELD,
    K_NAH,
    K_PAIR_SHIFT,
    K_REGISTER_INVALID,
    K_STATIC,
    MASK,
    NAH_BIT,
    ONE_VISIT,
    PARTLY_BIT,
    R_FIRST_REACH,
    R_FIRST_VISIT,
    R_FLUSHED_KEY,
    R_FLUSHED_VISITS,
    R_KEY,
    R_LAST_AT,
    R_LAST_CODE,
    R_LAST_ID,
    R_MASK,
    R_NAH_MIN,
    R_NVISITS,
    R_PERSONS,
    R_RETURNEES,
    R_VER_MAX,
    RECORD_SIZE,
    STATUS_FIELD,
    VERIFIED_BIT,
    WIDTH,
    apply,
    contribution,
    initial_key,
    key_of,
    new_records,
    reset,
    to_state,
)
from gridgov.sweep.report import Conflict, Counts, CoverageReport, Reject
from gridgov.sweep.rules import (
    CODE_BY_ID,
    EARLIEST,
    LATEST,
    NOT_AT_HOME,
    NOT_VISITED,
    PARTLY,
    REASON_AFTER,
    REASON_BEFORE,
    VACANT,
    VERIFIED,
    code_of,
)
from gridgov.sweep.state import FIELDS, I_INVALID, VisitState, tally

_ONE_US = dt.timedelta(microseconds=1)
_EPOCH_DAY = dt.date(1970, 1, 1).toordinal()


class CoverageTracker:
    """Counters of one sweep kept up to date visit by visit.

    :meth:`add` returns ``"accepted"``, ``"duplicate"``, ``"conflict"`` or the
    reason the visit was rejected; it never raises for a bad visit.
    """

    __slots__ = (
        "_accepted",
        "_by_household",
        "_conflicts",
        "_contrib",
        "_deltas",
        "_depths",
        "_dirty",
        "_duplicates",
        "_flat",
        "_hot",
        "_kept",
        "_naive_offset",
        "_offsets",
        "_packed",
        "_rejects",
        "frame",
    )

    def __init__(
        self,
        tree: Hierarchy,
        households: Iterable[Household],
        sweep: Sweep,
        *,
        resolutions: Mapping[str, str] | None = None,
    ) -> None:
        self.frame = HouseholdFrame(tree, households, sweep)
        self._kept: dict[str, str] = dict(resolutions or {})
        frame = self.frame
        cols = tally(frame, VisitState(len(frame)))
        self._packed = [
            sum(col[p] << (WIDTH * k) for k, col in enumerate(cols)) for p in range(len(cols[0]))
        ]
        self._accepted: dict[str, Visit] = {}
        self._by_household: list[list[str] | None] | None = None
        # resolved ids go the careful way from their first version on (see _again)
        self._conflicts: dict[str, list[Visit]] = {vid: [] for vid in self._kept}
        self._depths = max(tree.index.depth, default=0) + 1
        self._dirty: list[int] = []
        self._deltas: dict[int, dict[int, int]] = {}
        # an int (the key) for a household without visits, its record once visited
        # RECORD_SIZE slots per household, in one flat list (one object for the collector)
        self._flat = new_records(
            [
                initial_key(bad, nc)
                for bad, nc in zip(frame.register_invalid, frame.no_central, strict=True)
            ]
        )
        self._contrib: dict[int, int] = {
            k: contribution(k, 0, 0) for k in (initial_key(b, c) for b in (0, 1) for c in (0, 1))
        }
        self._rejects: list[Reject] = []
        self._duplicates = 0
        # visit times are placed from their fields when the offset is known (see _ingest)
        zone = frame.rule.zone
        self._naive_offset: int | None = (
            0
            if zone is None
            else (zone.utcoffset(None) // _ONE_US if zone.__class__ is dt.timezone else None)
        )
        self._offsets: dict[dt.timedelta, int] = {}
        # what the hot loop binds locally, in one tuple: unpacking it is cheaper than
        # thirty lookups each time add() is called
        rule = frame.rule
        self._hot = (
            frame,
            frame.index.get,
            sweep.id,
            self._accepted,
            self._accepted.setdefault,
            self._conflicts,
            self._rejects,
            self._flat,
            self._dirty.append,
            self._offsets,
            self._offsets.get,
            self._naive_offset,
            rule.zone is not None,
            rule.to_us,
            rule.start_us,
            rule.end_us,
            CODE_BY_ID,
            STATUS_FIELD,
        )

    @property
    def cols(self) -> list[list[int]]:
        """Every unit's counters as ``[field][pos]`` (decoded; for reports and checks)."""
        self._flush()
        packed = self._packed
        return [[(v >> (WIDTH * k)) & MASK for v in packed] for k in range(len(FIELDS))]

    @property
    def state(self) -> VisitState:
        """A copy of every household's visit state."""
        return to_state(self._flat)

    def _contribution(self, key: int, b: int) -> int:
        """The contribution of ``key``, the key of the record at ``b`` (cached by key)."""
        c = self._contrib.get(key)
        if c is None:
            st = self._flat
            c = self._contrib[key] = contribution(key, st[b + R_PERSONS], st[b + R_RETURNEES])
        return c

    def add(self, visit: Visit) -> str:
        """Take one visit into account; see the class docs for the return value."""
        out: list[str] = []
        self._ingest((visit,), out)
        return out[0]

    def add_many(self, visits: Iterable[Visit]) -> dict[str, int]:
        """Add every visit, one after the other; how many were accepted, duplicates,
        conflicts and rejected. The same as :meth:`add` in a loop, only faster."""
        n_acc, n_dup, n_con, n_rej = self._ingest(visits, None)
        return {ACCEPTED: n_acc, DUPLICATE: n_dup, CONFLICT: n_con, "rejected": n_rej}

    def _ingest(
        self, visits: Iterable[Visit], statuses: list[str] | None
    ) -> tuple[int, int, int, int]:
        """The hot loop behind :meth:`add` and :meth:`add_many`.

        Everything is bound locally and :func:`gridgov.sweep.records.apply`,
        :func:`~gridgov.sweep.records.key_of` and the time conversion are inlined:
        at a million households a function call per visit costs as much as the work.
        """
        (
            frame,
            index_get,
            sweep_id,
            accepted,
            accepted_setdefault,
            conflicts,
            rejects,
            st,
            dirty_append,
            offsets,
            offsets_get,
            naive_offset,
            aware,
            to_us,
            start_us,
            end_us,
            code_by_id,
            status_field,
        ) = self._hot
        size = len(accepted)
        by_household = self._by_household
        n_acc = n_dup = n_con = n_rej = 0
        for visit in visits:
            # Any: no isinstance check (for mypy) costs time in this loop
            h: Any = index_get(visit.household)
            t: Any = None  # microseconds
            reason = None
            if h is None or visit.sweep != sweep_id:
                placed: Any = check_visit(frame, visit)
                if placed.__class__ is str:
                    reason = placed
                else:
                    h, t = placed
            else:
                # TimeRule.place, inlined: microseconds from the fields, less the offset
                # (an aware time's own; a naive one's is the sweep zone's when fixed)
                at = visit.at
                off = at.utcoffset()
                if off is None:
                    o = naive_offset
                elif aware:
                    o = offsets_get(off)
                    if o is None:
                        o = offsets[off] = off // _ONE_US
                else:
                    o = None
                if o is None:  # the general rule (a zone with daylight saving, or a reason)
                    t = to_us(at)
                    if t.__class__ is str:
                        reason = t
                else:
                    t = (
                        (
                            (at.toordinal() - _EPOCH_DAY) * 86400
                            + at.hour * 3600
                            + at.minute * 60
                            + at.second
                        )
                        * 1000000
                        + at.microsecond
                        - o
                    )
                if reason is None:
                    if t < start_us:
                        reason = REASON_BEFORE
                    elif t > end_us:
                        reason = REASON_AFTER
            if reason is not None:
                rejects.append(Reject(visit.id, visit.household, reason))
                n_rej += 1
                if statuses is not None:
                    statuses.append(reason)
                continue
            vid = visit.id
            if conflicts and vid in conflicts:
                seen = True
            else:
                # one hash lookup both finds an earlier visit with this id and keeps this one
                accepted_setdefault(vid, visit)
                seen = len(accepted) == size
            if seen:
                r = self._again(visit, h, t)
                by_household = self._by_household  # a conflict may have started the index
                size = len(accepted)
                if r == DUPLICATE:
                    n_dup += 1
                else:
                    n_con += 1
                if statuses is not None:
                    statuses.append(r)
                continue
            size += 1
            if by_household is not None:  # kept only once a conflict has needed it
                byh = by_household[h]
                if byh is None:
                    by_household[h] = [vid]
                else:
                    byh.append(vid)
            code = code_by_id[id(visit.outcome)]
            b = h * RECORD_SIZE
            if st[b + R_NVISITS] == 0:
                # the household's first visit: its record is this visit alone
                old = st[b + R_KEY]
                static = old & K_STATIC
                if code <= PARTLY:
                    persons, ret = visit.persons_seen, visit.returnees
                    key = static | status_field[code]
                    if persons or ret:
                        s = persons + ret
                        key |= ((s * (s + 1) >> 1) + ret) << K_PAIR_SHIFT
                    rec = [
                        1 << code,
                        1,
                        t,
                        t,
                        EARLIEST,
                        "",
                        NOT_VISITED,
                        LATEST,
                        t if code == VERIFIED else EARLIEST,
                        persons,
                        ret,
                        key,
                    ]
                else:
                    if code == VACANT or static & K_REGISTER_INVALID:
                        key = static | I_INVALID
                    elif code == NOT_AT_HOME:
                        key = static | status_field[code] | K_NAH
                    else:
                        key = static | status_field[code]
                    rec = [
                        1 << code,
                        1,
                        t,
                        LATEST,
                        t,
                        vid,
                        code,
                        t if code == NOT_AT_HOME else LATEST,
                        EARLIEST,
                        0,
                        0,
                        key,
                    ]
                if st[b + R_FLUSHED_KEY] == CLEAN:  # remember what the counters hold
                    st[b + R_FLUSHED_KEY] = old
                    st[b + R_FLUSHED_VISITS] = 0
                    dirty_append(h)
                st[b : b + R_FLUSHED_KEY] = rec
            else:
                # records.apply and records.key_of, inlined
                if st[b + R_FLUSHED_KEY] == CLEAN:  # remember what the counters hold
                    st[b + R_FLUSHED_KEY] = st[b + R_KEY]
                    st[b + R_FLUSHED_VISITS] = st[b + R_NVISITS]
                    dirty_append(h)
                m = st[b + R_MASK] | (1 << code)
                st[b + R_MASK] = m
                st[b + R_NVISITS] += 1
                if t < st[b + R_FIRST_VISIT]:
                    st[b + R_FIRST_VISIT] = t
                if code <= PARTLY:
                    if t < st[b + R_FIRST_REACH]:
                        st[b + R_FIRST_REACH] = t
                    persons = visit.persons_seen
                    if persons > st[b + R_PERSONS]:
                        st[b + R_PERSONS] = persons
                    ret = visit.returnees
                    if ret > st[b + R_RETURNEES]:
                        st[b + R_RETURNEES] = ret
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
                static = st[b + R_KEY] & K_STATIC
                if m & VERIFIED_BIT:
                    key = static | status_field[VERIFIED]
                elif m & PARTLY_BIT:
                    key = static | status_field[PARTLY]
                else:
                    last = st[b + R_LAST_CODE]
                    key = (
                        static | I_INVALID
                        if last == VACANT or static & K_REGISTER_INVALID
                        else static | status_field[last]
                    )
                if (key & K_FIELD) != I_INVALID:
                    if m & NAH_BIT:
                        key |= K_NAH
                        if st[b + R_NAH_MIN] < st[b + R_VER_MAX]:
                            key |= K_CONVERTED
                    persons, ret = st[b + R_PERSONS], st[b + R_RETURNEES]
                    if persons or ret:
                        s = persons + ret
                        key |= ((s * (s + 1) >> 1) + ret) << K_PAIR_SHIFT
                st[b + R_KEY] = key
            n_acc += 1
            if statuses is not None:
                statuses.append(ACCEPTED)
        return n_acc, n_dup, n_con, n_rej

    def _again(self, visit: Visit, h: int, t: int) -> str:
        """A visit whose id was seen before (or was resolved): a duplicate, or a conflict.

        Versions of a resolved id are kept aside; only the kept one counts, from
        whenever it arrives (the intake's :func:`~gridgov.sweep.intake.counted_version`).
        """
        vid = visit.id
        key = visit_key(visit, t)
        versions = self._conflicts.get(vid)
        if versions is not None:
            if any(self._key(v) == key for v in versions):
                self._duplicates += 1
                return DUPLICATE if vid in self._kept else CONFLICT
            versions.append(visit)
            kept = self._kept.get(vid)
            if kept is not None and counted_version([digest(key)], kept) is not None:
                self._count(vid, visit, h)
                return ACCEPTED
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

    def _index(self) -> list[list[str] | None]:
        """Accepted visit ids by household, built once (the first conflict needs it)."""
        byh = self._by_household
        if byh is None:
            byh = [None] * len(self.frame)
            index = self.frame.index
            for other_id, other_visit in self._accepted.items():
                i = index[other_visit.household]
                lst = byh[i]
                if lst is None:
                    byh[i] = [other_id]
                else:
                    lst.append(other_id)
            self._by_household = byh
        return byh

    def _count(self, vid: str, visit: Visit, h: int) -> None:
        """Count the kept version of a resolved id: its household is rebuilt with it."""
        byh = self._index()
        self._accepted[vid] = visit
        byh[h] = [*(byh[h] or []), vid]
        self._rebuild(h)

    def _withdraw(self, vid: str) -> None:
        """Take back an accepted visit: its household's record is rebuilt from the rest."""
        byh = self._index()
        visit = self._accepted.pop(vid)
        h = self.frame.index[visit.household]
        remaining = byh[h]
        if remaining is None or vid not in remaining:  # accepted before the index was made
            remaining = byh[h] = [*(remaining or []), vid]
        remaining.remove(vid)
        self._rebuild(h)

    def _rebuild(self, h: int) -> None:
        """Household ``h``'s record from its accepted visits (marked for the next flush)."""
        byh = self._by_household
        assert byh is not None
        st = self._flat
        b = h * RECORD_SIZE
        if st[b + R_FLUSHED_KEY] == CLEAN:
            st[b + R_FLUSHED_KEY] = st[b + R_KEY]
            st[b + R_FLUSHED_VISITS] = st[b + R_NVISITS]
            self._dirty.append(h)
        reset(st, b)
        for other in byh[h] or ():
            v = self._accepted[other]
            placed = check_visit(self.frame, v)
            assert isinstance(placed, tuple)
            apply(st, b, other, placed[1], code_of(v.outcome), v.persons_seen, v.returnees)
        st[b + R_KEY] = key_of(st, b)

    def _flush(self) -> None:
        """Bring every unit's counters up to date with the households visited since the
        last query: each changed household's difference is summed per unit, level by
        level from the leaves up, so a unit above many of them is updated once."""
        dirty = self._dirty
        if not dirty:
            return
        st, contrib = self._flat, self._contrib
        index = self.frame.tree.index
        attach, depth, parent = self.frame.attach, index.depth, index.parent
        levels: list[dict[int, int]] = [{} for _ in range(self._depths)]
        packed = self._packed
        deltas, deltas_get = self._deltas, self._deltas.get
        dirty.sort()  # memory in order: far fewer cache misses than in arrival order
        for h in dirty:
            b = h * RECORD_SIZE
            old, key = st[b + R_FLUSHED_KEY], st[b + R_KEY]
            st[b + R_FLUSHED_KEY] = CLEAN
            # the change from key ``old`` to ``key`` with one more visit, cached by both keys
            row = deltas_get(old)
            if row is None:
                row = deltas[old] = {}
            delta = row.get(key)
            if delta is None:
                delta = row[key] = self._contribution(key, b) - contrib[old] + ONE_VISIT
            more = st[b + R_NVISITS] - st[b + R_FLUSHED_VISITS] - 1
            if more:
                delta += more * ONE_VISIT
            if delta:  # straight into the household's own unit, summed for its parent
                p = attach[h]
                packed[p] += delta
                q = parent[p]
                if q >= 0:
                    level = levels[depth[q]]
                    level[q] = level.get(q, 0) + delta
        dirty.clear()
        for d in range(len(levels) - 1, -1, -1):
            up = levels[d - 1] if d else None
            for p, delta in levels[d].items():
                if delta:
                    packed[p] += delta
                    if up is not None:
                        q = parent[p]
                        up[q] = up.get(q, 0) + delta

    def counts(self, unit_id: str | None = None) -> Counts:
        """The current counts of ``unit_id`` (default: the sweep's scope)."""
        uid = self.frame.sweep.scope if unit_id is None else unit_id
        self._flush()
        v = self._packed[self.frame.tree.index.pos[uid]]
        return Counts(*((v >> (WIDTH * k)) & MASK for k in range(len(FIELDS))))

    @property
    def rejects(self) -> list[Reject]:
        """Rejected visits so far, in arrival order."""
        return list(self._rejects)

    def report(self) -> CoverageReport:
        """A snapshot of everything as a :class:`CoverageReport` (copies the state)."""
        state = self.state
        conflicts = [
            Conflict(vid, tuple(sorted(render_visit(v) for v in versions)))
            for vid, versions in sorted(self._conflicts.items())
            if vid not in self._kept
        ]
        return CoverageReport(
            self.frame,
            state,
            [list(c) for c in self.cols],
            list(self._rejects),
            conflicts,
            self._duplicates,
        )
