"""The hook specifications of gridgov (pluggy project name ``gridgov``).

Hooks that add things receive a ``register`` callback so that the host can
check what each plugin adds and say which plugin added it. Call hooks with
keyword arguments only; specs may gain arguments later, never lose them.
"""

from __future__ import annotations

from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("gridgov")
hookimpl = pluggy.HookimplMarker("gridgov")


@hookspec
def gridgov_storage_backends(register: Any) -> None:
    """Register store factories by URL scheme: ``register("sqlite", factory)``."""


@hookspec
def gridgov_notifiers(register: Any) -> None:
    """Register notification channel factories by name: ``register("webhook", factory)``."""


@hookspec
def gridgov_roster_solvers(register: Any) -> None:
    """Register roster solvers by name: ``register("local", solver)``."""


@hookspec
def gridgov_rules(register: Any) -> None:
    """Register rule types usable by name from configuration: ``register("max_nights", cls)``."""


@hookspec
def gridgov_event(event: Any) -> None:
    """Observe every domain event (an attrs value with at least ``id``, ``kind`` and ``at``)."""
