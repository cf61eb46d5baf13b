"""The shared implementation of SQL stores (SQLite built in, PostgreSQL as a plugin).

:class:`SqlStore` holds every query, written in the common subset of SQLite
and PostgreSQL with ``?`` placeholders; a backend supplies the connection,
transactions, the placeholder style and (optionally) a faster bulk insert.
Scoping uses the pre-order numbers stored with the units: a unit is in the
subtree of ``s`` exactly when ``pos(s) <= pos < pos(s) + size(s)``.
Coverage roll-ups run as ``GROUP BY`` queries in the database.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from gridgov.errors import UnknownUnit
from gridgov.org.hierarchy import Hierarchy
from gridgov.redact import redact_url
from gridgov.store import codec
from gridgov.store.outbox_sql import SqlOutbox
from gridgov.store.port import (
    ROSTER_STATUSES,
    Outbox,
    RosterRecord,
    ScopeError,
    StoreError,
    pick_roster,
)
from gridgov.store.schema import DATA_STEPS, LATEST_VERSION, META_TABLE, MIGRATIONS
from gridgov.store.versions import prepare
from gridgov.store.visits_sql import VisitsSql, household_values
from gridgov.sweep.model import Household, Sweep

PAGE = 5000
CHUNK = 500


def _chunks(items: Sequence[str], n: int = CHUNK) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


class SqlStore(SqlOutbox, VisitsSql):
    """Base class of SQL stores; subclasses implement the four connection methods."""

    url: str
    scope: str | None = None
    _scopes: tuple[str, ...] = ()
    """The scope of this view and of the views it was made from (all must hold)."""
    _owner: bool = True
    _closed: bool = False
    _lock: threading.RLock
    """One connection is used by one thread at a time (views share their store's lock)."""

    def _init_lock(self) -> None:
        self._lock = threading.RLock()

    # -- what a backend supplies ------------------------------------------------------
    def _transaction(self) -> AbstractContextManager[Any]:
        """A cursor inside one write transaction (committed on exit, rolled back on error)."""
        raise NotImplementedError

    def _reading(self) -> AbstractContextManager[Any]:
        """A cursor for reads."""
        raise NotImplementedError

    def _close_connection(self) -> None:
        raise NotImplementedError

    def _sql(self, text: str) -> str:
        """``text`` in the backend's placeholder style (``?`` here)."""
        return text

    def _lock_for_migration(self, cur: Any) -> None:
        """Serialise concurrent first opens (SQLite's BEGIN IMMEDIATE already does)."""

    _serial = "INTEGER PRIMARY KEY"
    """The DDL of an auto-numbered primary key (``{SERIAL}`` in the migrations)."""

    def _ddl(self, statement: str) -> str:
        return statement.replace("{SERIAL}", self._serial)

    # -- plumbing -------------------------------------------------------------------------
    def __enter__(self) -> SqlStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError(f"store {redact_url(self.url)} is closed")

    def _bulk_transaction(self) -> AbstractContextManager[Any]:
        """:meth:`_transaction` for a bulk append whose batch checks its own references
        inside the transaction (a backend may skip its per-row foreign-key checks)."""
        return self._transaction()

    @contextmanager
    def _tx(self, *, bulk: bool = False) -> Iterator[Any]:
        self._check_open()
        if self.scope is not None:
            raise ScopeError(
                f"the view of {redact_url(self.url)} scoped to {self.scope!r} is read-only"
            )
        with self._lock, self._bulk_transaction() if bulk else self._transaction() as cur:
            yield cur

    @contextmanager
    def _rd(self) -> Iterator[Any]:
        self._check_open()
        with self._lock, self._reading() as cur:
            yield cur

    def _q(self, cur: Any, text: str, params: Sequence[Any] = ()) -> list[Any]:
        cur.execute(self._sql(text), tuple(params))
        return list(cur.fetchall())

    def migrate(self) -> int:
        """Apply pending migrations in one transaction; returns the version reached."""
        self._check_open()
        with self._lock, self._transaction() as cur:
            self._lock_for_migration(cur)
            cur.execute(META_TABLE)
            rows = self._q(cur, "SELECT value FROM gridgov_meta WHERE key = 'schema_version'")
            version = int(rows[0][0]) if rows else 0
            if version > LATEST_VERSION:
                raise StoreError(
                    f"{redact_url(self.url)} has schema version {version}, newer than this gridgov "
                    f"({LATEST_VERSION}); upgrade gridgov"
                )
            for number, statements in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in statements:
                    cur.execute(self._ddl(statement))
                step = DATA_STEPS.get(number)
                if step is not None:
                    getattr(self, f"_data_{step}")(cur)
            if version < LATEST_VERSION:
                cur.execute(
                    self._sql(
                        "INSERT INTO gridgov_meta (key, value) VALUES ('schema_version', ?)"
                        " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
                    ),
                    (str(LATEST_VERSION),),
                )
        return max(version, LATEST_VERSION)

    def schema_version(self) -> int:
        """The version recorded in the database."""
        with self._rd() as cur:
            rows = self._q(cur, "SELECT value FROM gridgov_meta WHERE key = 'schema_version'")
        return int(rows[0][0]) if rows else 0

    def close(self) -> None:
        """Close the connection (a scoped view only forgets its handle)."""
        with self._lock:
            if not self._closed and self._owner:
                self._close_connection()
            self._closed = True

    def scoped(self, unit: str, *, owner: bool = False) -> SqlStore:
        """A read-only view of ``unit``'s subtree (sharing this store's connection).

        The view stays right when the hierarchy is replaced: every query finds
        the subtree from the units stored *now*, in the same statement. With
        ``owner`` the view closes the connection when it is closed.
        """
        where, params = self._unit_clause("units.id")
        with self._rd() as cur:
            rows = self._q(cur, f"SELECT 1 FROM units WHERE id = ? AND {where}", [unit, *params])
        if not rows:
            raise UnknownUnit(unit)
        view = copy.copy(self)
        view.scope = unit
        view._scopes = (*self._scopes, unit)
        view._owner = owner and self._owner
        return view

    def _unit_clause(self, column: str) -> tuple[str, list[Any]]:
        """A condition keeping rows whose ``column`` names a unit in scope (of every view)."""
        if not self._scopes:
            return "1 = 1", []
        where, params = self._pos_clause("su.pos")
        return f"EXISTS (SELECT 1 FROM units su WHERE su.id = {column} AND {where})", params

    def _pos_clause(self, pos: str) -> tuple[str, list[Any]]:
        """A condition keeping pre-order numbers ``pos`` inside every scope, as stored *now*.

        The scope's numbers are scalar subqueries of the same statement, so a
        hierarchy replaced meanwhile is seen whole or not at all, and the
        ``units_pos`` index still serves the range.
        """
        parts = [
            f"{pos} >= (SELECT sc.pos FROM units sc WHERE sc.id = ?)"
            f" AND {pos} < (SELECT sc.pos + sc.size FROM units sc WHERE sc.id = ?)"
            for _ in self._scopes
        ]
        return " AND ".join(parts), [s for s in self._scopes for _ in (0, 1)]

    # -- hierarchy ---------------------------------------------------------------------------
    def save_hierarchy(
        self, tree: Hierarchy, *, households: Iterable[Household] | None = None
    ) -> None:
        """Replace the stored hierarchy (and its households) in one transaction."""
        levels, rows, relations = codec.hierarchy_parts(tree)
        batch = None if households is None else self._household_rows(households)
        with self._tx() as cur:
            cur.execute("DELETE FROM units")
            cur.executemany(
                self._sql(
                    "INSERT INTO units (id, parent, level, pos, size, doc)"
                    " VALUES (?, ?, ?, ?, ?, ?)"
                ),
                [(r.id, r.parent, r.level, pos, size, codec.doc(r)) for r, pos, size in rows],
            )
            self._save_central_links(cur, tree)
            for key, value in (("levels", codec.dumps(levels)), ("relations", relations)):
                cur.execute(
                    self._sql(
                        "INSERT INTO gridgov_meta (key, value) VALUES (?, ?)"
                        " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
                    ),
                    (key, value),
                )
            if batch is not None:
                self._write_households(cur, batch)
                self._lock_visits_for_cleanup(cur)
                cur.execute(
                    "DELETE FROM households WHERE building NOT IN (SELECT id FROM units)"
                    " AND NOT EXISTS (SELECT 1 FROM visit_versions v"
                    " WHERE v.household = households.id)"
                )

    def _save_central_links(self, cur: Any, tree: Hierarchy) -> None:
        """The households that have a responsible central household (for the roll-up)."""
        rel = tree.relations
        cur.execute("DELETE FROM central_links")
        cur.executemany(
            self._sql("INSERT INTO central_links (household) VALUES (?)"),
            [(h,) for h in sorted(set(rel.looked_after) | set(rel.central))],
        )

    def _data_append_only_visits(self, cur: Any) -> None:
        """Migration 4's data: flags of households, windows of sweeps, central links, and
        every visit of the old one-row-per-id table as a version with its digest."""
        houses = self._q(cur, "SELECT id, doc FROM households")
        cur.executemany(
            self._sql("UPDATE households SET discovered = ?, register_invalid = ? WHERE id = ?"),
            [(*household_values(codec.household_from(doc))[3:], hid) for hid, doc in houses],
        )
        sweeps = {
            sid: codec.sweep_from(doc) for sid, doc in self._q(cur, "SELECT id, doc FROM sweeps")
        }
        for sweep in sweeps.values():
            self._save_sweep_row(cur, sweep)
        tree = self._read_hierarchy(cur)
        if tree is not None:
            self._save_central_links(cur, tree)
        visits = [codec.visit_from(doc) for (doc,) in self._q(cur, "SELECT doc FROM visits")]
        rows, _ = prepare(visits, sweeps, {hid for hid, _ in houses})
        if rows:
            self._insert_versions(cur, rows)
        cur.execute("DROP TABLE visits")

    def _data_set_based_references(self, cur: Any) -> None:
        """Migration 6: nothing here (a backend whose batches check their references as
        sets drops its per-row checks; see ``gridgov_postgres``)."""

    def _data_compact_ids(self, cur: Any) -> None:
        """Migration 7: nothing here (SQLite rebuilds ``visit_ids`` WITHOUT ROWID)."""

    def _lock_visits_for_cleanup(self, cur: Any) -> None:
        """Before households without visits are removed: keep visits from being added
        meanwhile (SQLite's write lock already does; a backend without foreign keys on
        the visits locks its table)."""

    def hierarchy(self) -> Hierarchy | None:
        """The stored hierarchy, or the scope's subtree."""
        with self._rd() as cur:
            return self._read_hierarchy(cur)

    def _read_hierarchy(self, cur: Any) -> Hierarchy | None:
        meta = dict(
            self._q(cur, "SELECT key, value FROM gridgov_meta WHERE key IN ('levels', 'relations')")
        )
        if "levels" not in meta:
            return None
        where, params = self._pos_clause("pos") if self._scopes else ("1 = 1", [])
        rows = self._q(cur, f"SELECT id, doc FROM units WHERE {where} ORDER BY pos", params)
        gone = self.scope is not None and not self._q(
            cur, "SELECT 1 FROM units WHERE id = ?", (self.scope,)
        )
        if gone or (not rows and self.scope is None):
            return None
        if self.scope is not None and (not rows or rows[0][0] != self.scope):
            raise ScopeError(
                f"the hierarchy changed: {self.scope!r} is no longer inside {self._scopes[0]!r}"
            )
        rows = [r[1:] for r in rows]
        return codec.hierarchy_from(
            codec.load(meta["levels"]),
            [codec.record_from(r[0]) for r in rows],
            meta["relations"],
            root=self.scope,
        )

    # -- households and sweeps -----------------------------------------------------------
    def save_households(self, households: Iterable[Household]) -> int:
        """Insert or replace households by id (one transaction)."""
        batch = self._household_rows(households)
        with self._tx() as cur:
            self._write_households(cur, batch)
        return len(batch)

    def _household_rows(self, households: Iterable[Household]) -> list[tuple[Any, ...]]:
        return list({h.id: household_values(h) for h in households}.values())

    def _write_households(self, cur: Any, rows: list[tuple[Any, ...]]) -> None:
        cur.executemany(
            self._sql(
                "INSERT INTO households (id, building, doc, discovered, register_invalid)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
                " building = excluded.building, doc = excluded.doc,"
                " discovered = excluded.discovered,"
                " register_invalid = excluded.register_invalid"
            ),
            rows,
        )

    def _paged(self, select: str, where: str, params: list[Any]) -> Iterator[str]:
        last: str | None = None
        while True:
            cond = where + (" AND id > ?" if last is not None else "")
            args = params + ([last] if last is not None else [])
            with self._rd() as cur:
                rows = self._q(cur, f"{select} WHERE {cond} ORDER BY id LIMIT {PAGE}", args)
            for row in rows:
                yield row[1]
            if len(rows) < PAGE:
                return
            last = rows[-1][0]

    def households(self) -> Iterator[Household]:
        """Households in scope, by id (read page by page)."""
        where, params = self._unit_clause("households.building")
        for text in self._paged("SELECT id, doc FROM households", where, params):
            yield codec.household_from(text)

    def household(self, household_id: str) -> Household | None:
        """One household in scope."""
        where, params = self._unit_clause("households.building")
        with self._rd() as cur:
            rows = self._q(
                cur,
                f"SELECT doc FROM households WHERE id = ? AND {where}",
                [household_id, *params],
            )
        return codec.household_from(rows[0][0]) if rows else None

    def save_sweep(self, sweep: Sweep) -> None:
        """Insert or replace a sweep."""
        with self._tx() as cur:
            self._save_sweep_row(cur, sweep)

    def sweeps(self) -> list[Sweep]:
        """Sweeps whose scope is in scope, by id."""
        where, params = self._unit_clause("sweeps.scope")
        with self._rd() as cur:
            rows = self._q(cur, f"SELECT id, doc FROM sweeps WHERE {where}", params)
        return [codec.sweep_from(doc) for _, doc in sorted(rows)]

    def sweep(self, sweep_id: str) -> Sweep | None:
        """One sweep in scope."""
        where, params = self._unit_clause("sweeps.scope")
        with self._rd() as cur:
            rows = self._q(
                cur, f"SELECT doc FROM sweeps WHERE id = ? AND {where}", [sweep_id, *params]
            )
        return codec.sweep_from(rows[0][0]) if rows else None

    # -- duty -------------------------------------------------------------------------------------
    def save_problem(self, problem_id: str, data: Any, *, unit: str | None = None) -> None:
        """Insert or replace a problem document."""
        text = codec.doc(data)
        with self._tx() as cur:
            cur.execute(
                self._sql(
                    "INSERT INTO problems (id, unit, doc) VALUES (?, ?, ?)"
                    " ON CONFLICT (id) DO UPDATE SET unit = excluded.unit, doc = excluded.doc"
                ),
                (problem_id, unit, text),
            )

    def problem(self, problem_id: str) -> Any:
        """The problem document in scope, or None."""
        where, params = self._unit_clause("problems.unit")
        with self._rd() as cur:
            rows = self._q(
                cur, f"SELECT doc FROM problems WHERE id = ? AND {where}", [problem_id, *params]
            )
        return codec.load(rows[0][0]) if rows else None

    def problem_ids(self) -> list[str]:
        """Problem ids in scope."""
        where, params = self._unit_clause("problems.unit")
        with self._rd() as cur:
            rows = self._q(cur, f"SELECT id FROM problems WHERE {where}", params)
        return sorted(r[0] for r in rows)

    def save_roster(
        self,
        roster_id: str,
        doc: Any,
        *,
        status: str = "draft",
        unit: str | None = None,
        outbox: Outbox | None = None,
    ) -> int:
        """Append a roster version, numbered by the database in the same transaction."""
        if status not in ROSTER_STATUSES:
            raise StoreError(f"roster status must be one of {ROSTER_STATUSES}, got {status!r}")
        text = codec.doc(doc)
        with self._tx() as cur:
            # the database allocates the number: the upsert locks the counter row, so
            # concurrent publishers of one id get 1, 2, 3... one after the other
            rows = self._q(
                cur,
                "INSERT INTO roster_counters (id, last_version) VALUES (?, 1)"
                " ON CONFLICT (id) DO UPDATE SET last_version = roster_counters.last_version + 1"
                " RETURNING last_version",
                (roster_id,),
            )
            version = int(rows[0][0])
            cur.execute(
                self._sql(
                    "INSERT INTO rosters (id, version, status, unit, doc) VALUES (?, ?, ?, ?, ?)"
                ),
                (roster_id, version, status, unit, text),
            )
            for event, channels in outbox(version) if outbox is not None else ():
                self._enqueue(cur, event, channels)
        return version

    def roster(
        self, roster_id: str, *, version: int | None = None, status: str | None = None
    ) -> RosterRecord | None:
        """A roster version (latest, or latest with ``status``)."""
        return pick_roster(self.roster_versions(roster_id), version=version, status=status)

    def roster_versions(self, roster_id: str) -> list[RosterRecord]:
        """Every version in scope, oldest first."""
        where, params = self._unit_clause("rosters.unit")
        with self._rd() as cur:
            rows = self._q(
                cur,
                "SELECT version, status, unit, doc FROM rosters"
                f" WHERE id = ? AND {where} ORDER BY version",
                [roster_id, *params],
            )
        return [RosterRecord(roster_id, int(v), s, u, codec.load(d)) for v, s, u, d in rows]
