"""Routing: which events go to which channels, for which units.

A route matches an event when its kind is in ``events`` (``"*"`` matches
every kind) and its unit is inside the subtree of one of ``units`` (an empty
list matches every unit). An event goes to the union of the channels of the
routes it matches.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs

from gridgov.events import Event, EventKind
from gridgov.org.hierarchy import Hierarchy
from gridgov.tables import keys, setting, table

KIND_NAMES = frozenset(k.value for k in EventKind)


def _kinds(value: Iterable[str]) -> tuple[str, ...]:
    kinds = tuple(value)
    for k in kinds:
        if k != "*" and k not in KIND_NAMES:
            known = ", ".join(sorted(KIND_NAMES))
            raise ValueError(f"unknown event kind {k!r} (known: *, {known})")
    return kinds


def _some(_: object, attribute: attrs.Attribute[Any], value: tuple[str, ...]) -> None:
    if not value:
        raise ValueError(f'a route needs {attribute.name} = ["name", ...]')


@table()
@attrs.frozen
class Route:
    """Events of ``events`` kinds about units under ``units`` go to ``channels``
    (a ``[[routes]]`` table of gridgov.toml)."""

    channels: tuple[str, ...] = setting(
        doc="channel names (each must be a `[channels.NAME]`)", shown="required", validator=_some
    )
    events: tuple[str, ...] = setting(
        ("*",),
        converter=_kinds,
        doc='event kinds (`gridgov.events.EventKind` values), or `"*"` for all',
    )
    units: tuple[str, ...] = setting(
        (), doc="unit ids: events about a unit in one of these subtrees", shown="`[]` (all)"
    )

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


ROUTE_KEYS = tuple(keys(Route))
"""The keys of a ``[[routes]]`` table of gridgov.toml."""


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
