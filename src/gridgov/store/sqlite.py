"""The built-in SQLite store (``sqlite:///path.db``), the embedded default.

A new database gets 64 KiB pages (:data:`PAGE_SIZE`). Every connection runs with
WAL journaling, ``synchronous=FULL`` (a committed batch survives a crash of the
process or the machine), foreign keys on and a busy timeout, and takes the write
lock at the start of each write transaction (``BEGIN IMMEDIATE``) so that two
processes writing at once both succeed, one after the other, instead of one
failing on a lock upgrade.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from gridgov.store.port import StoreError
from gridgov.store.sql import SqlStore

BUSY_TIMEOUT_MS = 60_000
PAGE_SIZE = 65_536
"""The page size of a database this store creates (SQLite's largest; an existing database
keeps its own). Visits are ingested into B-trees at random places (the household index,
ids in any order): with 64 KiB pages a batch dirties and writes fewer pages and each
insert walks a shallower tree. 1M visits into the benchmark store: 9.2 -> 7.2 CPU s
(4 KiB pages, SQLite's default, against 64 KiB; ``benchmarks/bench_ingest.py``)."""
CACHE_KIB = 64 * 1024
"""The page cache of a connection (SQLite's default, 2 MiB, makes index inserts go to the OS)."""


def sqlite_path(url: str) -> str:
    """The file path of a ``sqlite:///relative.db`` or ``sqlite:////abs/path.db`` URL."""
    parts = urlsplit(url)
    if parts.scheme != "sqlite" or parts.netloc not in ("", "localhost"):
        raise StoreError(f"not a SQLite URL: {url!r} (expected sqlite:///path.db)")
    path = unquote(parts.path)
    if path.startswith("/"):
        path = path[1:]
    if not path:
        raise StoreError(f"SQLite URL without a file path: {url!r}")
    if path == ":memory:":
        return path
    return path


def _private(path: Path) -> None:
    """The database holds personal data in clear: create it (and tighten it to) mode 0600.

    SQLite creates the ``-wal`` and ``-shm`` files with the database file's
    mode, so they are 0600 too; existing ones are tightened here as well.
    """
    from gridgov.fsutil import ensure_private_file

    try:
        ensure_private_file(path)
        for suffix in ("-wal", "-shm"):
            side = Path(f"{path}{suffix}")
            if side.exists():
                ensure_private_file(side)
    except OSError as exc:
        raise StoreError(f"cannot open {path}: {exc.strerror or exc}") from None


class SqliteStore(SqlStore):
    """A store in one SQLite file; :func:`gridgov.store.open_store` opens it by URL."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._init_lock()
        path = sqlite_path(url)
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            _private(Path(path))
        try:
            conn = sqlite3.connect(
                path,
                timeout=BUSY_TIMEOUT_MS / 1000,
                isolation_level=None,
                check_same_thread=False,
            )
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open {url}: {exc}") from None
        self._conn = conn
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")  # only a new, empty database takes it
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if path != ":memory:" and str(mode).lower() != "wal":
            raise StoreError(f"{url}: could not switch to WAL journaling (got {mode})")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        conn.execute("PRAGMA foreign_keys = ON")
        self.migrate()

    def migrate(self) -> int:
        """:meth:`SqlStore.migrate` with foreign keys off (a migration may rebuild a table
        that others refer to, SQLite's own recipe), checked before it commits."""
        self._check_open()
        self._conn.execute("PRAGMA foreign_keys = OFF")
        try:
            return super().migrate()
        finally:
            self._conn.execute("PRAGMA foreign_keys = ON")

    def _data_compact_ids(self, cur: Any) -> None:
        """Migration 7: ``visit_ids`` WITHOUT ROWID (its rows are its key: one B-tree insert
        a new id instead of two). 1M visits in process: about 0.4 CPU s less."""
        cur.execute(
            "CREATE TABLE visit_ids_compact (sweep TEXT NOT NULL REFERENCES sweeps (id),"
            " id TEXT NOT NULL, PRIMARY KEY (sweep, id)) WITHOUT ROWID"
        )
        cur.execute("INSERT INTO visit_ids_compact (sweep, id) SELECT sweep, id FROM visit_ids")
        cur.execute("DROP TABLE visit_ids")
        cur.execute("ALTER TABLE visit_ids_compact RENAME TO visit_ids")
        bad = cur.execute("PRAGMA foreign_key_check").fetchall()
        if bad:
            raise StoreError(f"{self.url}: broken references after migration 7: {bad[:5]}")

    @property
    def connection(self) -> sqlite3.Connection:
        """The underlying connection (for integrity checks and tests)."""
        return self._conn

    @contextmanager
    def _transaction(self) -> Iterator[Any]:
        cur = self._conn.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            yield cur
        except BaseException:
            self._conn.rollback()
            raise
        else:
            cur.execute("COMMIT")
        finally:
            cur.close()

    @contextmanager
    def _bulk_transaction(self) -> Iterator[Any]:
        """A write transaction without SQLite's per-row foreign-key checks (the pragma
        only takes effect outside a transaction, and only for this connection): for
        :meth:`append_columns`, whose batch checks households and sweeps inside the
        write-locked transaction itself. ``foreign_key_check`` stays empty (tested)."""
        self._conn.execute("PRAGMA foreign_keys = OFF")
        try:
            with self._transaction() as cur:
                yield cur
        finally:
            self._conn.execute("PRAGMA foreign_keys = ON")

    @contextmanager
    def _reading(self) -> Iterator[Any]:
        cur = self._conn.cursor()
        try:
            yield cur
        finally:
            cur.close()

    def _close_connection(self) -> None:
        self._conn.close()

    def integrity_check(self) -> str:
        """``PRAGMA integrity_check``: ``'ok'`` for a sound database."""
        self._check_open()
        return str(self._conn.execute("PRAGMA integrity_check").fetchone()[0])

    def pragmas(self) -> dict[str, Any]:
        """The connection settings that matter for durability and concurrency."""
        self._check_open()
        return {
            name: self._conn.execute(f"PRAGMA {name}").fetchone()[0]
            for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
        }
