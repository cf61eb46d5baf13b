"""gridgov.store — the ``Store`` port and the built-in memory and SQLite backends.

>>> from gridgov.store import open_store
>>> store = open_store("memory://")
>>> store.schema_version() >= 1
True
"""

from gridgov.store.memory import MemoryStore
from gridgov.store.port import (
    ROSTER_STATUSES,
    AppendResult,
    Attempt,
    Delivery,
    Rejected,
    RosterRecord,
    ScopeError,
    Store,
    StoredVersion,
    StoreError,
    VisitConflict,
    VisitVersions,
)
from gridgov.store.registry import open_store, url_scheme
from gridgov.store.schema import LATEST_VERSION, MIGRATIONS
from gridgov.store.sql import SqlStore
from gridgov.store.sqlite import SqliteStore

__all__ = [
    "LATEST_VERSION",
    "MIGRATIONS",
    "ROSTER_STATUSES",
    "AppendResult",
    "Attempt",
    "Delivery",
    "MemoryStore",
    "Rejected",
    "RosterRecord",
    "ScopeError",
    "SqlStore",
    "SqliteStore",
    "Store",
    "StoreError",
    "StoredVersion",
    "VisitConflict",
    "VisitVersions",
    "open_store",
    "url_scheme",
]
