"""An immutable, hashable mapping for the mapping fields of gridgov's frozen values.

``attrs.frozen`` stops ``unit.attributes = {...}`` but not
``unit.attributes["x"] = 1``: a validated ``Unit`` (or ``StaffNeed.skills``,
``Limits.max_shifts``, ``RuleConfig.params``, ``Event.data``) could change after
validation, and ``hash(Problem)`` or ``hash(Event)`` raised. Those fields hold
a :class:`FrozenDict`: a read-only :class:`~collections.abc.Mapping` equal to
the ``dict`` with the same items, hashable, and turned into a plain ``dict``
(JSON object) by the library's converter.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, TypeVar

__all__ = ["FrozenDict", "frozen_dict"]

K = TypeVar("K")
V = TypeVar("V")


class FrozenDict(Mapping[K, V]):
    """A mapping that cannot change after it is made; hashable when its values are."""

    __slots__ = ("_data", "_hash")

    def __init__(self, items: Mapping[K, V] | None = None) -> None:
        self._data: dict[K, V] = dict(items) if items else {}
        self._hash: int | None = None

    @classmethod
    def adopt(cls, data: dict[K, V]) -> FrozenDict[K, V]:
        """Wrap ``data`` without copying; the caller gives up every other reference to it."""
        made: FrozenDict[K, V] = cls.__new__(cls)
        made._data = data
        made._hash = None
        return made

    def __getitem__(self, key: K) -> V:
        return self._data[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def get(self, key: K, default: Any = None) -> Any:
        """The value of ``key``, or ``default``."""
        return self._data.get(key, default)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FrozenDict):
            return self._data == other._data
        if isinstance(other, Mapping):
            return self._data == dict(other)
        return NotImplemented

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(frozenset(self._data.items()))
        return self._hash

    def __repr__(self) -> str:
        return repr(self._data)

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenDict, (self._data,))


def frozen_dict(value: Mapping[Any, Any] | None) -> FrozenDict[Any, Any]:
    """An attrs converter: any mapping (or ``None``) as a :class:`FrozenDict`."""
    if isinstance(value, FrozenDict):
        return value
    return FrozenDict(value)
