"""Routing: which events go to which channels, for which units.

A route matches an event when its kind is in ``events`` (``"*"`` matches
every kind) and its unit is inside the subtree of one of ``units`` (an empty
list matches every unit). An event goes to the union of the channels of the
routes it matches.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from gridgov.events import Event, EventKind
from gridgov.org.hierarchy import Hierarchy

KIND_NAMES = frozenset(k.value for k in EventKind)


def _kinds(value: Iterable[str]) -> tuple[str, ...]:
    kinds = tuple(value)
    for k in kinds:
        if k != "*" and k not in KIND_NAMES:
            known = ", ".join(sorted(KIND_NAMES))
            raise ValueError(f"unknown event kind {k!r} (known: *, {known})")
    return kinds


ROUTE_KEYS = ("channels", "events", "units")
"""The keys of a ``[[routes]]`` table of gridgov.toml."""


@attrs.frozen
class Route:
    """Events of ``events`` kinds about units under ``units`` go to ``channels``."""

    channels: tuple[str, ...]
    events: tuple[str, ...] = attrs.field(default=("*",), converter=_kinds)
    units: tuple[str, ...] = ()

    def matches(self, event: Event, tree: Hierarchy | None = None) -> bool:
        """Whether ``event`` takes this route (subtrees need ``tree``; without it, exact ids)."""
        if "*" not in self.events and event.kind.value not in self.events:
            return False
        if not self.units:
            return True
        for root in self.units:
            if root == event.unit:
                return True
            if (
                tree is not None
                and root in tree
                and event.unit in tree
                and tree.is_ancestor(root, event.unit)
            ):
                return True
        return False

    @classmethod
    def from_config(cls, table: Mapping[str, Any]) -> Route:
        """A route from a ``[[routes]]`` table: ``channels``, ``events``, ``units``."""
        extra = set(table) - set(ROUTE_KEYS)
        if extra:
            raise ValueError(f"unknown keys in a route: {', '.join(sorted(extra))}")
        if not isinstance(table, Mapping):
            raise ValueError("a route must be a table ([[routes]])")
        channels = table.get("channels")
        if not isinstance(channels, list) or not channels:
            raise ValueError('a route needs channels = ["name", ...]')
        values = {}
        for key in ("channels", "events", "units"):
            value = table.get(key, ("*",) if key == "events" else ())
            if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
                raise ValueError(f'{key} must be a list of names, e.g. {key} = ["a", "b"]')
            values[key] = tuple(value)
        return cls(values["channels"], values["events"], values["units"])


@attrs.frozen
class Routing:
    """All the routes."""

    routes: tuple[Route, ...] = ()

    def channels_for(self, event: Event, tree: Hierarchy | None = None) -> list[str]:
        """The channels ``event`` goes to, in route order, without repeats."""
        out: dict[str, None] = {}
        for route in self.routes:
            if route.matches(event, tree):
                out.update(dict.fromkeys(route.channels))
        return list(out)
