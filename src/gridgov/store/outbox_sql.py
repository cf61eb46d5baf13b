"""The event outbox of the SQL stores: enqueue, claim with a lease, record attempts.

This is the transactional-outbox pattern: an event is stored in the same
database as the facts, with one delivery row per channel, and flushers *claim*
due rows before sending them. A claim is one ``UPDATE ... WHERE (event_id,
channel) IN (SELECT ... ORDER BY due LIMIT n) RETURNING ...`` per channel, so it
is atomic; on PostgreSQL the inner select adds ``FOR UPDATE SKIP LOCKED`` (the
queue idiom PostgreSQL's documentation gives for ``SKIP LOCKED``), on SQLite
the write transaction (``BEGIN IMMEDIATE``) already excludes other claimers. A
claimed row carries ``lease_owner`` and ``lease_until``: nobody else claims it
until the lease ends, and a flusher that is killed simply lets it expire.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from gridgov.events import Event
from gridgov.store import codec
from gridgov.store.port import (
    Attempt,
    AttemptShortcut,
    Delivery,
    StoreError,
    check_claim,
    claim_order,
)

_COLUMNS = (
    "d.event_id, d.channel, d.status, d.attempts, d.next_attempt, d.last_error,"
    " d.deferrals, d.done, d.at_seconds"
)
_DUE = "status = 'pending' AND next_attempt <= ? AND lease_until <= ?"


def _done_text(done: Sequence[str]) -> str:
    return json.dumps(list(done), ensure_ascii=False) if done else ""


def _done_of(text: str) -> tuple[str, ...]:
    return tuple(json.loads(text)) if text else ()


class SqlOutbox(AttemptShortcut):
    """The outbox half of :class:`gridgov.store.SqlStore` (mixed into it)."""

    _skip_locked = ""
    """What a claim's inner select appends to lock its rows (PostgreSQL: SKIP LOCKED)."""

    if TYPE_CHECKING:  # supplied by SqlStore

        def _tx(self) -> AbstractContextManager[Any]: ...
        def _rd(self) -> AbstractContextManager[Any]: ...
        def _q(self, cur: Any, text: str, params: Sequence[Any] = ()) -> list[Any]: ...
        def _sql(self, text: str) -> str: ...
        def _unit_clause(self, column: str) -> tuple[str, list[Any]]: ...

    def enqueue(self, event: Event, channels: Iterable[str]) -> int:
        """Add ``event`` and one pending delivery per channel; existing ones are kept."""
        with self._tx() as cur:
            return self._enqueue(cur, event, channels)

    def enqueue_all(self, items: Iterable[tuple[Event, Sequence[str]]]) -> int:
        """Add many events and their deliveries in one transaction."""
        batch = list(items)
        with self._tx() as cur:
            return sum(self._enqueue(cur, event, channels) for event, channels in batch)

    def _enqueue(self, cur: Any, event: Event, channels: Iterable[str]) -> int:
        """:meth:`enqueue` inside the caller's transaction (a fact and its event together)."""
        wanted = list(dict.fromkeys(channels))
        at = codec.as_seconds(event.at)
        cur.execute(
            self._sql(
                "INSERT INTO events (id, unit, at_seconds, doc) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (id) DO NOTHING"
            ),
            (event.id, event.unit, at, codec.doc(event)),
        )
        have = {
            r[0]
            for r in self._q(cur, "SELECT channel FROM deliveries WHERE event_id = ?", (event.id,))
        }
        new = [c for c in wanted if c not in have]
        cur.executemany(
            self._sql(
                "INSERT INTO deliveries (event_id, channel, status, attempts, next_attempt,"
                " last_error, at_seconds) VALUES (?, ?, 'pending', 0, 0, '', ?)"
                " ON CONFLICT DO NOTHING"
            ),
            [(event.id, c, at) for c in new],
        )
        return len(new)

    def events(self) -> list[Event]:
        """Events in scope, by time then id."""
        where, params = self._unit_clause("events.unit")
        with self._rd() as cur:
            rows = self._q(cur, f"SELECT at_seconds, id, doc FROM events WHERE {where}", params)
        return [codec.event_from(doc) for _, _, doc in sorted(rows)]

    def _made(self, rows: list[Any], docs: dict[str, str]) -> list[Delivery]:
        return [
            Delivery(
                codec.event_from(docs[eid]),
                ch,
                st,
                int(att),
                float(nxt),
                err,
                int(dfr),
                _done_of(done),
            )
            for eid, ch, st, att, nxt, err, dfr, done, _ in rows
        ]

    def _deliveries(self, cond: str, params: list[Any], limit: int | None) -> list[Delivery]:
        where, scope_params = self._unit_clause("e.unit")
        with self._rd() as cur:
            rows = self._q(
                cur,
                f"SELECT {_COLUMNS}, e.doc FROM deliveries d"
                f" JOIN events e ON e.id = d.event_id WHERE {cond} AND {where}",
                [*params, *scope_params],
            )
        rows.sort(key=lambda r: (r[8], r[0], r[1]))
        if limit is not None:
            rows = rows[:limit]
        return self._made([r[:9] for r in rows], {r[0]: r[9] for r in rows})

    def due_deliveries(self, now: float, *, limit: int = 1000) -> list[Delivery]:
        """Pending deliveries due at ``now`` (by event time)."""
        return self._deliveries("d.status = 'pending' AND d.next_attempt <= ?", [now], limit)

    def deliveries(self, *, status: str | None = None) -> list[Delivery]:
        """Deliveries in scope (by event time, then event id and channel)."""
        if status is None:
            return self._deliveries("1 = 1", [], None)
        return self._deliveries("d.status = ?", [status], None)

    def count_deliveries(self, *, status: str | None = None) -> int:
        """How many deliveries (in scope), optionally with one status."""
        where, params = self._unit_clause("e.unit")
        cond, first = ("d.status = ?", [status]) if status is not None else ("1 = 1", [])
        with self._rd() as cur:
            rows = self._q(
                cur,
                "SELECT COUNT(*) FROM deliveries d JOIN events e ON e.id = d.event_id"
                f" WHERE {cond} AND {where}",
                [*first, *params],
            )
        return int(rows[0][0])

    def next_due(self, *, leases: bool = True) -> float | None:
        """The earliest moment a pending delivery can be claimed (or is due), or None."""
        when = (
            "CASE WHEN lease_until > next_attempt THEN lease_until ELSE next_attempt END"
            if leases
            else "next_attempt"
        )
        with self._rd() as cur:
            rows = self._q(cur, f"SELECT MIN({when}) FROM deliveries WHERE status = 'pending'")
        return None if rows[0][0] is None else float(rows[0][0])

    def claim_deliveries(
        self, now: float, *, owner: str, lease: float, per_channel: int = 100
    ) -> list[Delivery]:
        """Lease up to ``per_channel`` due deliveries of every channel to ``owner``."""
        check_claim(per_channel, lease)
        until = now + lease
        with self._tx() as cur:
            channels = [
                r[0]
                for r in self._q(
                    cur, f"SELECT DISTINCT channel FROM deliveries WHERE {_DUE}", (now, now)
                )
            ]
            rows: list[Any] = []
            for channel in sorted(channels):
                rows += self._q(
                    cur,
                    "UPDATE deliveries SET lease_owner = ?, lease_until = ?"
                    " WHERE (event_id, channel) IN (SELECT event_id, channel FROM deliveries"
                    f" WHERE channel = ? AND {_DUE}"
                    " ORDER BY next_attempt, at_seconds, event_id LIMIT ?"
                    f"{self._skip_locked})"
                    " RETURNING event_id, channel, status, attempts, next_attempt, last_error,"
                    " deferrals, done, at_seconds",
                    (owner, until, channel, now, now, per_channel),
                )
            docs: dict[str, str] = {}
            ids = sorted({r[0] for r in rows})
            for i in range(0, len(ids), 500):
                part = ids[i : i + 500]
                marks = ", ".join("?" * len(part))
                docs.update(self._q(cur, f"SELECT id, doc FROM events WHERE id IN ({marks})", part))
        return sorted(self._made(rows, docs), key=claim_order)

    def record_attempts(self, attempts: Iterable[Attempt]) -> None:
        """Record claimed deliveries' outcomes in one transaction; leases end."""
        batch = list(attempts)
        if not batch:
            return
        with self._tx() as cur:
            for a in batch:
                self._record(cur, a)

    def _record(self, cur: Any, a: Attempt) -> None:
        changed, counted = a.changes()
        sets = [f"{name} = ?" for name in changed] + [f"{n} = {n} + 1" for n in counted]
        params: list[Any] = [_done_text(v) if name == "done" else v for name, v in changed.items()]
        sets += ["lease_owner = ''", "lease_until = 0"]
        key = (a.event_id, a.channel)
        cur.execute(
            self._sql(
                f"UPDATE deliveries SET {', '.join(sets)}"
                " WHERE event_id = ? AND channel = ? AND status = 'pending'"
            ),
            (*params, *key),
        )
        if cur.rowcount == 0 and not self._q(
            cur, "SELECT 1 FROM deliveries WHERE event_id = ? AND channel = ?", key
        ):
            raise StoreError(f"no delivery of event {a.event_id!r} to {a.channel!r}")
