"""The built-in storage backends, registered as a default plugin."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gridgov.plugins.hookspecs import hookimpl

if TYPE_CHECKING:  # mypy checks that the built-in stores implement the port
    from gridgov.store.memory import MemoryStore
    from gridgov.store.port import Store
    from gridgov.store.sqlite import SqliteStore

    _memory: type[Store] = MemoryStore
    _sqlite: type[Store] = SqliteStore


@hookimpl
def gridgov_storage_backends(register: Any) -> None:
    """``memory://`` and ``sqlite:///path.db``."""
    from gridgov.store.memory import MemoryStore
    from gridgov.store.sqlite import SqliteStore

    register("memory", MemoryStore)
    register("sqlite", SqliteStore)
