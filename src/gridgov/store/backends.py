"""The built-in storage backends, registered as a default plugin."""

from __future__ import annotations

from typing import Any

from gridgov.plugins.hookspecs import hookimpl


@hookimpl
def gridgov_storage_backends(register: Any) -> None:
    """``memory://`` and ``sqlite:///path.db``."""
    from gridgov.store.memory import MemoryStore
    from gridgov.store.sqlite import SqliteStore

    register("memory", MemoryStore)
    register("sqlite", SqliteStore)
