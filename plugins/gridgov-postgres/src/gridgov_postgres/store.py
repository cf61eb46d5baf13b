"""A gridgov store in PostgreSQL.

It shares every query with the built-in SQLite store (:class:`gridgov.store.SqlStore`)
and adds what PostgreSQL does better: visits are ingested with ``COPY`` into a
temporary table and moved with one ``INSERT ... SELECT ... ON CONFLICT DO
NOTHING`` (safe against concurrent writers), and first opens are serialised
with an advisory lock. Coverage roll-ups (``building_coverage``,
``unit_coverage``) are ``GROUP BY`` queries, so the visits never come into
Python memory.

URL: ``postgresql://user@host:port/db?schema=NAME`` (``schema`` optional:
created if missing and put first on the search path).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import sql

from gridgov.redact import redact_text
from gridgov.store import SqlStore, StoreError

MIGRATION_LOCK = 7_242_020
"""The advisory lock key that serialises migrations."""


def split_url(url: str) -> tuple[str, str | None]:
    """``(conninfo URL for psycopg, schema or None)`` from a gridgov store URL."""
    parts = urlsplit(url)
    scheme = parts.scheme.split("+", 1)[0]
    if scheme not in ("postgresql", "postgres"):
        raise StoreError(f"not a PostgreSQL URL: {url!r}")
    query = parse_qsl(parts.query, keep_blank_values=True)
    schema = None
    rest = []
    for key, value in query:
        if key == "schema":
            schema = value or None
        else:
            rest.append((key, value))
    conninfo = urlunsplit(("postgresql", parts.netloc, parts.path, urlencode(rest), ""))
    return conninfo, schema


class PostgresStore(SqlStore):
    """A store in a PostgreSQL database (one connection, autocommit outside transactions)."""

    _skip_locked = " FOR UPDATE SKIP LOCKED"

    def __init__(self, url: str, *, connect_timeout: int = 10) -> None:
        self.url = url
        self._init_lock()
        conninfo, self.schema = split_url(url)
        try:
            self._conn = psycopg.connect(conninfo, autocommit=True, connect_timeout=connect_timeout)
        except psycopg.Error as exc:
            raise StoreError(redact_text(f"cannot connect to {url}: {exc}".strip())) from None
        if self.schema is not None:
            ident = sql.Identifier(self.schema)
            # CREATE SCHEMA IF NOT EXISTS is not safe against concurrent first opens
            with self._conn.transaction():
                self._conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
                self._conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(ident))
            self._conn.execute(sql.SQL("SET search_path TO {}").format(ident))
        self.migrate()

    @property
    def connection(self) -> psycopg.Connection[Any]:
        """The underlying psycopg connection."""
        return self._conn

    def _sql(self, text: str) -> str:
        return text.replace("?", "%s")

    @contextmanager
    def _transaction(self) -> Iterator[Any]:
        with self._conn.transaction(), self._conn.cursor() as cur:
            yield cur

    @contextmanager
    def _reading(self) -> Iterator[Any]:
        with self._conn.cursor() as cur:
            yield cur

    def _close_connection(self) -> None:
        self._conn.close()

    def _lock_for_migration(self, cur: Any) -> None:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))

    def _existing(
        self, cur: Any, table: str, values: Iterable[str], *, doc: bool = True
    ) -> dict[str, Any]:
        """One ``= ANY(array)`` query instead of chunks of ``IN (...)``."""
        cols = "id, doc" if doc else "id, NULL"
        cur.execute(f"SELECT {cols} FROM {table} WHERE id = ANY(%s)", (list(set(values)),))
        return dict(cur.fetchall())

    def _insert_visits(self, cur: Any, rows: list[tuple[str, str, str, str, str]]) -> int:
        cur.execute(
            "CREATE TEMP TABLE IF NOT EXISTS gridgov_visits_in"
            " (id TEXT, sweep TEXT, household TEXT, outcome TEXT, doc TEXT)"
            " ON COMMIT DELETE ROWS"
        )
        with cur.copy(
            "COPY gridgov_visits_in (id, sweep, household, outcome, doc) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(row)
        cur.execute(
            "INSERT INTO visits (id, sweep, household, outcome, doc)"
            " SELECT id, sweep, household, outcome, doc FROM gridgov_visits_in"
            " ON CONFLICT (id) DO NOTHING"
        )
        return int(cur.rowcount)

    def drop_schema(self) -> None:
        """Drop this store's schema and everything in it (for tests); closes the store."""
        if self.schema is None:
            raise StoreError("drop_schema needs a store opened with ?schema=NAME")
        with self._rd():
            self._conn.execute(
                sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(self.schema))
            )
        self.close()

    def truncate(self) -> None:
        """Empty every table (keeps the schema version): for test suites."""
        with self._tx() as cur:
            cur.execute(
                "TRUNCATE units, households, sweeps, visits, problems, rosters, roster_counters,"
                " events, deliveries CASCADE"
            )
            cur.execute("DELETE FROM gridgov_meta WHERE key <> 'schema_version'")
