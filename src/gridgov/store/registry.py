"""Opening a store by URL through the backends registered by plugins."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from gridgov.plugins.manager import Plugins, get_plugins
from gridgov.redact import redact_url
from gridgov.store.port import Store, StoreError

StoreFactory = Callable[[str], Store]


def url_scheme(url: str) -> str:
    """The scheme of a store URL (``postgresql+psycopg`` gives ``postgresql``)."""
    scheme = urlsplit(url).scheme
    if not scheme or "://" not in url:
        raise StoreError(f"not a store URL: {url!r} (try sqlite:///gridgov.db or memory://)")
    return scheme.split("+", 1)[0]


def open_store(url: str, *, scope: str | None = None, plugins: Plugins | None = None) -> Store:
    """Open the store at ``url`` with the backend registered for its scheme.

    ``scope`` gives a read-only view of that unit's subtree. The backends come
    from the ``gridgov_storage_backends`` hook: ``memory`` and ``sqlite`` are
    built in, ``postgresql`` comes with the ``gridgov-postgres`` plugin. ``plugins``
    is the plugin manager to ask (default: the command line's
    :func:`~gridgov.plugins.get_plugins`).
    """
    from gridgov.plugins.manager import UnknownComponent

    scheme = url_scheme(url)
    try:
        factory: StoreFactory = (plugins or get_plugins()).get("storage", scheme)
    except UnknownComponent as exc:
        raise StoreError(f"cannot open {redact_url(url)}: {exc}") from None
    store = factory(url)
    if scope is None:
        return store
    try:
        return store.scoped(scope, owner=True)  # closing the view closes the connection
    except BaseException:
        store.close()
        raise
