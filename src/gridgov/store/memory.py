"""The built-in in-memory store (``memory://``): process-local, fresh on every open.

It plays the part networkx's loopback backend plays: the reference behaviour
of the :class:`~gridgov.store.port.Store` contract, with no I/O at all.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import attrs

from gridgov.errors import UnknownUnit
from gridgov.events import Event
from gridgov.org.hierarchy import Hierarchy
from gridgov.store import codec
from gridgov.store.port import (
    ROSTER_STATUSES,
    AppendResult,
    Attempt,
    AttemptShortcut,
    Delivery,
    Outbox,
    RosterRecord,
    ScopeError,
    StoredVersion,
    StoreError,
    VisitOutbox,
    VisitVersions,
    check_claim,
    claim_order,
    pick_roster,
)
from gridgov.store.schema import LATEST_VERSION
from gridgov.store.versions import (
    append_result,
    check_keep,
    check_same_zone,
    prepare,
    time_rule,
)
from gridgov.sweep.model import Household, Sweep, Visit
from gridgov.sweep.report import Counts


@attrs.define
class _State:
    tree: Hierarchy | None = None
    households: dict[str, Household] = attrs.field(factory=dict)
    sweeps: dict[str, Sweep] = attrs.field(factory=dict)
    versions: dict[tuple[str, str], list[tuple[str, Visit]]] = attrs.field(factory=dict)
    """``{(sweep, visit id): [(digest, visit)]}`` in arrival order (append-only)."""
    resolutions: dict[tuple[str, str], list[str]] = attrs.field(factory=dict)
    """``{(sweep, visit id): [digest kept]}``, every resolution recorded, latest last."""
    problems: dict[str, tuple[str, str | None]] = attrs.field(factory=dict)
    rosters: dict[str, list[RosterRecord]] = attrs.field(factory=dict)
    events: dict[str, Event] = attrs.field(factory=dict)
    deliveries: dict[tuple[str, str], Delivery] = attrs.field(factory=dict)
    leases: dict[tuple[str, str], tuple[str, float]] = attrs.field(factory=dict)
    lock: threading.RLock = attrs.field(factory=threading.RLock)


class MemoryStore(AttemptShortcut):
    """A store held in Python dictionaries. ``MemoryStore()`` is an empty one."""

    def __init__(
        self,
        url: str = "memory://",
        *,
        _state: _State | None = None,
        scope: str | None = None,
        _outer: tuple[str, ...] = (),
    ) -> None:
        self.url = url
        self.scope = scope
        self._state = _state or _State()
        self._closed = False
        self._scopes: tuple[str, ...] = (*_outer, scope) if scope is not None else ()
        self._cache: tuple[object, frozenset[str] | None] = (None, None)
        if scope is not None and (self._state.tree is None or scope not in self._state.tree):
            raise UnknownUnit(scope)

    @property
    def _units(self) -> frozenset[str] | None:
        """The units in scope of the hierarchy stored *now* (None: no scope)."""
        if not self._scopes:
            return None
        tree = self._state.tree
        if self._cache[0] is not tree or self._cache[1] is None:
            units: frozenset[str] | None = None
            for root in self._scopes:
                sub = (
                    frozenset(tree.subtree(root))
                    if tree is not None and root in tree
                    else frozenset()
                )
                units = sub if units is None else units & sub
            self._cache = (tree, units)
        return self._cache[1]

    # -- plumbing -----------------------------------------------------------------
    def __enter__(self) -> MemoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _open(self) -> _State:
        if self._closed:
            raise StoreError(f"store {self.url} is closed")
        return self._state

    def _writable(self) -> _State:
        state = self._open()
        if self.scope is not None:
            raise ScopeError(f"the view of {self.url} scoped to {self.scope!r} is read-only")
        return state

    def _in(self, unit: str | None) -> bool:
        return self._units is None or (unit is not None and unit in self._units)

    def _household_in(self, state: _State, household: str) -> bool:
        if self._units is None:
            return True
        h = state.households.get(household)
        return h is not None and h.building in self._units

    def schema_version(self) -> int:
        """Always the latest: nothing is kept between processes."""
        self._open()
        return LATEST_VERSION

    def close(self) -> None:
        """Forget this handle (scoped views share the data and stay usable)."""
        self._closed = True

    def scoped(self, unit: str, *, owner: bool = False) -> MemoryStore:
        """A read-only view of ``unit``'s subtree; it follows later changes of the hierarchy."""
        del owner  # nothing to close
        self._open()
        units = self._units
        if units is not None and unit not in units:
            raise UnknownUnit(unit)
        return MemoryStore(self.url, _state=self._state, scope=unit, _outer=self._scopes)

    # -- hierarchy ----------------------------------------------------------------
    def save_hierarchy(
        self, tree: Hierarchy, *, households: Iterable[Household] | None = None
    ) -> None:
        """Replace the stored hierarchy (and its households) all at once."""
        state = self._writable()
        batch = None if households is None else {h.id: h for h in households}
        copied = tree.copy()
        with state.lock:
            state.tree = copied
            if batch is not None:
                state.households.update(batch)
                visited = {v.household for vs in state.versions.values() for _, v in vs}
                for hid, h in list(state.households.items()):
                    if h.building not in copied and hid not in visited:
                        del state.households[hid]

    def hierarchy(self) -> Hierarchy | None:
        """The stored hierarchy, or the scope's subtree."""
        state = self._open()
        with state.lock:
            if state.tree is None:
                return None
            if self.scope is None:
                return state.tree.copy()
            units = self._units or frozenset()
            if self.scope not in units:
                if self.scope in state.tree:
                    raise ScopeError(f"the hierarchy changed: {self.scope!r} left its view")
                return None
            return codec.subtree_of(state.tree, self.scope)

    # -- households and sweeps ------------------------------------------------------
    def save_households(self, households: Iterable[Household]) -> int:
        """Insert or replace households by id (all or nothing)."""
        state = self._writable()
        batch = {h.id: h for h in households}
        with state.lock:
            state.households.update(batch)
        return len(batch)

    def households(self) -> Iterator[Household]:
        """Households in scope, by id."""
        state = self._open()
        with state.lock:
            items = sorted(state.households.items())
        return iter([h for _, h in items if self._in(h.building)])

    def household(self, household_id: str) -> Household | None:
        """One household in scope."""
        state = self._open()
        h = state.households.get(household_id)
        return h if h is not None and self._in(h.building) else None

    def save_sweep(self, sweep: Sweep) -> None:
        """Insert or replace a sweep (its time zone is fixed once it has visits)."""
        state = self._writable()
        rule = time_rule(sweep)
        with state.lock:
            old = state.sweeps.get(sweep.id)
            if old is not None and any(s == sweep.id for s, _ in state.versions):
                check_same_zone(old, rule)
            state.sweeps[sweep.id] = sweep

    def sweeps(self) -> list[Sweep]:
        """Sweeps whose scope unit is in scope."""
        state = self._open()
        with state.lock:
            return [s for _, s in sorted(state.sweeps.items()) if self._in(s.scope)]

    def sweep(self, sweep_id: str) -> Sweep | None:
        """One sweep in scope."""
        s = self._open().sweeps.get(sweep_id)
        return s if s is not None and self._in(s.scope) else None

    # -- visits -------------------------------------------------------------------------
    def append_visits(
        self, visits: Iterable[Visit], *, outbox: VisitOutbox | None = None
    ) -> AppendResult:
        """Append visits: every version is kept, exact repeats once (see the intake); the
        events of ``outbox`` with them (see :meth:`Store.append_visits`)."""
        state = self._writable()
        batch = list(visits)
        with state.lock:
            rows, rejected = prepare(batch, state.sweeps, state.households)
            new_ids: set[tuple[str, str]] = set()
            new_versions: set[tuple[str, str, str]] = set()
            for row in rows:
                pair = (row.sweep, row.id)
                versions = state.versions.get(pair)
                if versions is None:
                    versions = state.versions[pair] = []
                    new_ids.add(pair)
                if all(d != row.digest for d, _ in versions):
                    versions.append((row.digest, row.visit))
                    new_versions.add(row.key)
            result = append_result(
                rows,
                rejected,
                new_ids,
                new_versions,
                lambda pairs: {p: list(state.versions[p]) for p in pairs},
            )
            if outbox is not None:
                try:
                    staged = list(outbox(result))
                except BaseException:
                    _take_back(state, new_ids, new_versions)
                    raise
                for event, channels in staged:
                    self._enqueue(state, event, channels)
            return result

    def visits(self, *, sweep: str | None = None, household: str | None = None) -> Iterator[Visit]:
        """Every stored version in scope, by id then arrival."""
        state = self._open()
        with state.lock:
            items = sorted(state.versions.items(), key=lambda kv: (kv[0][1], kv[0][0]))
            out = [
                v
                for (s, _), versions in items
                if sweep is None or s == sweep
                for _, v in versions
                if (household is None or v.household == household)
                and self._household_in(state, v.household)
            ]
        return iter(out)

    def count_visits(self, *, sweep: str | None = None) -> int:
        """How many stored versions in scope."""
        return sum(1 for _ in self.visits(sweep=sweep))

    def sweep_counts(self, sweep: str, *, level: str | None = None) -> dict[str, Counts]:
        """Counts of every unit of the sweep's scope in this view, by
        :func:`gridgov.sweep.coverage` itself (the reference)."""
        from gridgov.sweep.coverage import coverage

        state = self._open()
        with state.lock:
            tree, sw = state.tree, state.sweeps.get(sweep)
            if tree is None or sw is None or sw.scope not in tree:
                return {}
            index = tree.index
            pos, size = index.pos, index.size

            def on_tree(h: Household) -> bool:
                b = pos.get(h.building)
                if b is None:
                    return False
                p = pos.get(h.id, b)
                return b <= p < b + size[b]

            households = [h for h in state.households.values() if on_tree(h)]
            visits = [v for (s, _), vs in state.versions.items() if s == sweep for _, v in vs]
            kept = self._kept(state, sweep)
        report = coverage(tree, households, visits, sw, resolutions=kept)
        return {u: report.counts(u) for u in report.units(level) if self._in(u)}

    def _kept(self, state: _State, sweep: str) -> dict[str, str]:
        return {vid: ds[-1] for (s, vid), ds in state.resolutions.items() if s == sweep}

    def _stored(self, state: _State, sweep: str, visit_id: str) -> VisitVersions | None:
        versions = state.versions.get((sweep, visit_id))
        if not versions or not self._household_in(state, versions[0][1].household):
            return None
        kept = state.resolutions.get((sweep, visit_id))
        numbered = tuple(StoredVersion(i, d, v) for i, (d, v) in enumerate(versions, start=1))
        number = next((x.number for x in numbered if kept and x.digest == kept[-1]), None)
        return VisitVersions(sweep, visit_id, numbered, number)

    def conflicts(self, sweep: str) -> list[VisitVersions]:
        """Ids stored with two or more contents, by id."""
        state = self._open()
        with state.lock:
            ids = sorted(
                vid for (s, vid), vs in state.versions.items() if s == sweep and len(vs) > 1
            )
            found = [self._stored(state, sweep, vid) for vid in ids]
        return [f for f in found if f is not None]

    def resolve(self, sweep: str, visit_id: str, keep: int, *, note: str = "") -> StoredVersion:
        """Record which version counts."""
        state = self._writable()
        with state.lock:
            stored = self._stored(state, sweep, visit_id)
            chosen = check_keep(stored, sweep, visit_id, keep)
            state.resolutions.setdefault((sweep, visit_id), []).append(chosen.digest)
        return chosen

    def resolutions(self, sweep: str) -> dict[str, str]:
        """The kept digest of every resolved id of ``sweep``."""
        state = self._open()
        with state.lock:
            return self._kept(state, sweep)

    # -- duty ---------------------------------------------------------------------------
    def save_problem(self, problem_id: str, data: Any, *, unit: str | None = None) -> None:
        """Store a problem document."""
        state = self._writable()
        text = codec.doc(data)
        with state.lock:
            state.problems[problem_id] = (text, unit)

    def problem(self, problem_id: str) -> Any:
        """The problem document, or None."""
        item = self._open().problems.get(problem_id)
        if item is None or not self._in(item[1]):
            return None
        return codec.load(item[0])

    def problem_ids(self) -> list[str]:
        """Problem ids in scope."""
        state = self._open()
        return sorted(k for k, (_, u) in state.problems.items() if self._in(u))

    def save_roster(
        self,
        roster_id: str,
        doc: Any,
        *,
        status: str = "draft",
        unit: str | None = None,
        outbox: Outbox | None = None,
    ) -> int:
        """Append a roster version."""
        if status not in ROSTER_STATUSES:
            raise StoreError(f"roster status must be one of {ROSTER_STATUSES}, got {status!r}")
        state = self._writable()
        text = codec.doc(doc)
        with state.lock:
            versions = state.rosters.setdefault(roster_id, [])
            record = RosterRecord(roster_id, len(versions) + 1, status, unit, text)
            staged = list(outbox(record.version)) if outbox is not None else []
            versions.append(record)
            for event, channels in staged:
                self._enqueue(state, event, channels)
        return record.version

    def roster(
        self, roster_id: str, *, version: int | None = None, status: str | None = None
    ) -> RosterRecord | None:
        """A roster version (latest, or latest with ``status``)."""
        return pick_roster(self.roster_versions(roster_id), version=version, status=status)

    def roster_versions(self, roster_id: str) -> list[RosterRecord]:
        """Every version in scope, oldest first."""
        state = self._open()
        with state.lock:
            versions = list(state.rosters.get(roster_id, []))
        return [attrs.evolve(r, doc=codec.load(r.doc)) for r in versions if self._in(r.unit)]

    # -- outbox -------------------------------------------------------------------------
    def enqueue(self, event: Event, channels: Iterable[str]) -> int:
        """Add deliveries of ``event``; existing ones are left as they are."""
        state = self._writable()
        with state.lock:
            return self._enqueue(state, event, channels)

    def enqueue_all(self, items: Iterable[tuple[Event, Sequence[str]]]) -> int:
        """Add many events and their deliveries at once."""
        batch = list(items)
        state = self._writable()
        with state.lock:
            return sum(self._enqueue(state, event, channels) for event, channels in batch)

    def _enqueue(self, state: _State, event: Event, channels: Iterable[str]) -> int:
        new = 0
        with state.lock:
            state.events.setdefault(event.id, event)
            stored = state.events[event.id]
            for channel in channels:
                if (event.id, channel) not in state.deliveries:
                    state.deliveries[(event.id, channel)] = Delivery(stored, channel)
                    new += 1
        return new

    def events(self) -> list[Event]:
        """Events in scope by time then id."""
        state = self._open()
        with state.lock:
            evs = [e for e in state.events.values() if self._in(e.unit)]
        return sorted(evs, key=lambda e: (codec.as_seconds(e.at), e.id))

    def _sorted_deliveries(self) -> list[Delivery]:
        state = self._open()
        with state.lock:
            ds = [d for d in state.deliveries.values() if self._in(d.event.unit)]
        return sorted(ds, key=lambda d: (codec.as_seconds(d.event.at), d.event.id, d.channel))

    def due_deliveries(self, now: float, *, limit: int = 1000) -> list[Delivery]:
        """Pending deliveries due at ``now``."""
        due = [d for d in self._sorted_deliveries() if d.status == "pending"]
        return [d for d in due if d.next_attempt <= now][:limit]

    def deliveries(self, *, status: str | None = None) -> list[Delivery]:
        """Deliveries in scope."""
        return [d for d in self._sorted_deliveries() if status is None or d.status == status]

    def count_deliveries(self, *, status: str | None = None) -> int:
        """How many deliveries (in scope), optionally with one status."""
        return len(self.deliveries(status=status))

    def next_due(self, *, leases: bool = True) -> float | None:
        """The earliest moment a pending delivery can be claimed (or is due), or None."""
        state = self._open()
        with state.lock:
            times = [
                max(d.next_attempt, state.leases.get(k, ("", 0.0))[1] if leases else 0.0)
                for k, d in state.deliveries.items()
                if d.status == "pending"
            ]
        return min(times) if times else None

    def claim_deliveries(
        self, now: float, *, owner: str, lease: float, per_channel: int = 100
    ) -> list[Delivery]:
        """Lease up to ``per_channel`` due deliveries of every channel to ``owner``."""
        check_claim(per_channel, lease)
        state = self._writable()
        with state.lock:
            due = [
                d
                for k, d in state.deliveries.items()
                if d.status == "pending"
                and d.next_attempt <= now
                and state.leases.get(k, ("", 0.0))[1] <= now
            ]
            due.sort(key=claim_order)
            taken: dict[str, int] = {}
            out = []
            for d in due:
                if taken.get(d.channel, 0) < per_channel:
                    taken[d.channel] = taken.get(d.channel, 0) + 1
                    state.leases[(d.event.id, d.channel)] = (owner, now + lease)
                    out.append(d)
        return out

    def record_attempts(self, attempts: Iterable[Attempt]) -> None:
        """Record claimed deliveries' outcomes; leases end."""
        state = self._writable()
        with state.lock:
            batch = list(attempts)
            for a in batch:
                if (a.event_id, a.channel) not in state.deliveries:
                    raise StoreError(f"no delivery of event {a.event_id!r} to {a.channel!r}")
            for a in batch:
                key = (a.event_id, a.channel)
                d = state.deliveries[key]
                if d.status != "pending":
                    continue
                state.leases.pop(key, None)
                sets, counted = a.changes()
                state.deliveries[key] = attrs.evolve(
                    d, **sets, **{f: getattr(d, f) + 1 for f in counted}
                )


def _take_back(
    state: _State, new_ids: set[tuple[str, str]], new_versions: set[tuple[str, str, str]]
) -> None:
    """Undo a batch's appends (its outbox failed): the versions it added, the ids it made."""
    for sweep, vid, digest in new_versions:
        versions = state.versions[(sweep, vid)]
        versions[:] = [(d, v) for d, v in versions if d != digest]
    for pair in new_ids:
        del state.versions[pair]
