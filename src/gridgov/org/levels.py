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


HOUSEHOLD = "household"
"""The level name a scheme's household level defaults to."""


def default_household(names: Iterable[str]) -> str | None:
    """The household level of a scheme that declares none: ``household`` if it is one of
    ``names``, else none (never simply the deepest level)."""
    return HOUSEHOLD if HOUSEHOLD in tuple(names) else None


def _household_default(instance: Levels) -> str | None:
    return default_household(instance.names)


def _check_household(
    instance: Levels, attribute: attrs.Attribute[str | None], value: str | None
) -> None:
    del attribute
    if value is not None and value not in instance.names:
        raise ValueError(
            f"household level {value!r} is not one of the levels ({', '.join(instance.names)})"
        )


@attrs.frozen
class Levels:
    """An ordered scheme of level names, shallowest first, and its household level.

    A unit's parent must sit at a *shallower* level than the unit itself; levels
    may be skipped (a village grid may hold households directly).

    ``household`` is the level whose units are households: both ends of a
    central-household link (:class:`~gridgov.org.relations.Relations`) and what
    ``gridgov org import`` makes sweep households of. It defaults to the level
    named ``household`` when the scheme has one, else to none (a scheme whose
    deepest level is ``township`` has no households unless it says so:
    ``[org] household_level`` in ``gridgov.toml``, ``Levels(names, household=...)``).
    """

    names: tuple[str, ...] = attrs.field(converter=_as_tuple, validator=_check_names)
    household: str | None = attrs.field(
        default=attrs.Factory(_household_default, takes_self=True),
        validator=_check_household,
        kw_only=True,
    )
    """The household level: one of ``names``, or ``None`` (the scheme has no households)."""
    _rank: dict[str, int] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_rank", {n: i for i, n in enumerate(self.names)})

    @classmethod
    def from_file(cls, names: Iterable[str], household: str | None = None) -> Levels:
        """The scheme a file stores: its names, and its :attr:`declared_household` (absent:
        the default; ``""``: none)."""
        levels = cls(tuple(names))
        return levels if household is None else levels.with_household(household or None)

    def with_household(self, level: str | None) -> Levels:
        """The same scheme with ``level`` as its household level (``ValueError`` if unknown)."""
        return attrs.evolve(self, household=level)

    @property
    def declared_household(self) -> str | None:
        """``household`` if it differs from what the names alone give, else ``None``: what a
        file must write to keep the scheme (``""`` for "no household level" where the
        names have one)."""
        if self.household == default_household(self.names):
            return None
        return self.household if self.household is not None else ""

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
