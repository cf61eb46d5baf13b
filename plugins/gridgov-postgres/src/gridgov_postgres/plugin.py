"""The ``postgresql`` storage backend, registered with gridgov through its entry point."""

from __future__ import annotations

from typing import Any

from gridgov import hookimpl


@hookimpl
def gridgov_storage_backends(register: Any) -> None:
    """Register ``postgresql://`` (also ``postgresql+psycopg://``)."""
    from gridgov_postgres.store import PostgresStore

    register("postgresql", PostgresStore)
