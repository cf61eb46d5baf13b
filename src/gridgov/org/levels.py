"""The ordered level scheme of a hierarchy (county > township > ... > household)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import attrs


def _check_names(
    instance: Levels, attribute: attrs.Attribute[tuple[str, ...]], value: tuple[str, ...]
) -> None:
    del instance, attribute
    if not value:
        raise ValueError("a level scheme needs at least one level")
    if len(set(value)) != len(value):
        raise ValueError(f"level names repeat: {list(value)}")
    for name in value:
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"level names must be non-empty text, got {name!r}")


def _as_tuple(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


@attrs.frozen
class Levels:
    """An ordered scheme of level names, shallowest first.

    A unit's parent must sit at a *shallower* level than the unit itself; levels
    may be skipped (a village grid may hold households directly).
    """

    names: tuple[str, ...] = attrs.field(converter=_as_tuple, validator=_check_names)
    _rank: dict[str, int] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_rank", {n: i for i, n in enumerate(self.names)})

    def __contains__(self, name: object) -> bool:
        return name in self._rank

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)

    def rank(self, name: str) -> int:
        """Position of ``name`` in the scheme (0 = top); ``KeyError`` when unknown."""
        return self._rank[name]

    def is_deeper(self, child: str, parent: str) -> bool:
        """Whether level ``child`` may sit under level ``parent``."""
        return self._rank[child] > self._rank[parent]


DEFAULT_LEVELS = Levels(("county", "township", "community", "grid", "building", "household"))
"""county > township > community > grid > building > household."""

HOW_TO_DECLARE = (
    "declare the scheme, shallowest first, with --levels A,B,C on the command line "
    'or levels = ["A", "B", "C"] under [org] in gridgov.toml'
)
"""How a user declares a level scheme (said by every unknown-level error)."""
