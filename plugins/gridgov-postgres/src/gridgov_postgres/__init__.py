"""gridgov-postgres: the ``postgresql://`` store (psycopg 3).

The store module (and psycopg) is imported on first use of its names, not when
gridgov loads the plugin's hooks: a command that never opens a PostgreSQL store
does not pay psycopg's import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gridgov_postgres.store import PostgresStore, split_url

__all__ = ["PostgresStore", "split_url"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from gridgov_postgres import store

        return getattr(store, name)
    raise AttributeError(f"module 'gridgov_postgres' has no attribute {name!r}")
