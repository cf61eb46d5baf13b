"""Every public exception gridgov raises, in one module (re-exported by ``gridgov``).

The records that *describe* a problem (a bad row, a failing plugin) are values,
not exceptions, and are named for what they hold: :class:`SourceProblem` (one
located problem in some input; :class:`InvalidInput` carries every one found) and
:class:`gridgov.plugins.PluginProblem`. Their old names, ``SourceError`` and
``PluginError``, are kept as deprecated aliases for one release (0.2) and go in 0.3.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import attrs


@attrs.frozen
class SourceProblem:
    """One problem in some input, located as precisely as the input allows (a record,
    not an exception: :class:`InvalidInput` carries them).

    ``str()`` gives the one-line form ``FILE:ROW: FIELD: message`` (parts that
    are unknown are left out), the form the CLI prints.
    """

    message: str
    field: str | None = None
    row: int | None = None
    file: str | None = None
    unit_id: str | None = None

    def __str__(self) -> str:
        where = ""
        if self.file is not None:
            where = self.file
            if self.row is not None:
                where += f":{self.row}"
            where += ": "
        elif self.row is not None:
            where = f"row {self.row}: "
        field = f"{self.field}: " if self.field else ""
        return f"{where}{field}{self.message}"


class GridgovError(Exception):
    """Base class of every error gridgov raises on purpose."""


class InvalidInput(GridgovError, ValueError):
    """Input that cannot be accepted; carries *every* problem found, not just the first
    (``errors``: the :class:`SourceProblem` records)."""

    def __init__(self, errors: Iterable[SourceProblem], summary: str | None = None) -> None:
        self.errors: tuple[SourceProblem, ...] = tuple(errors)
        first = str(self.errors[0]) if self.errors else "invalid input"
        more = f" (and {len(self.errors) - 1} more)" if len(self.errors) > 1 else ""
        super().__init__(summary or f"{first}{more}")


class HierarchyError(InvalidInput):
    """The units given do not form a valid hierarchy."""


class ChangeRefused(GridgovError, ValueError):
    """A change to a hierarchy (or other value) was refused; the tree is unchanged."""


class EngineUnavailable(GridgovError, RuntimeError):
    """``engine="columnar"`` was asked for but pyarrow and numpy are not installed."""


class UnknownUnit(GridgovError, KeyError):
    """A unit id that is not in the hierarchy."""

    def __init__(self, unit_id: str) -> None:
        self.unit_id = unit_id
        super().__init__(unit_id)

    def __str__(self) -> str:
        return f"unknown unit {self.unit_id!r}"


class DeliveryFailed(GridgovError):
    """A notification channel could not deliver a message; says what to do next.

    - ``permanent``: the receiver refused the message itself (an HTTP 4xx other
      than 408/429, an SMTP 5xx for every recipient left): never retried.
    - ``retry_after``: the receiver asked to come back after that many seconds
      (HTTP 429/503 with ``Retry-After``): a deferral, not a counted attempt, and
      the channel pauses until then.
    - ``unavailable``: the receiver could not be reached at all (refused
      connection, time-out): every message due on the channel waits out the back-off.
    - ``done``: parts that *were* delivered (accepted e-mail recipients), not sent again.

    Any other exception a channel raises is a temporary failure of that one message.
    """

    def __init__(
        self,
        message: str,
        *,
        permanent: bool = False,
        retry_after: float | None = None,
        unavailable: bool = False,
        done: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after
        self.unavailable = unavailable
        self.done = tuple(done)


class StoreError(GridgovError):
    """A store could not do what was asked (bad URL, newer schema, closed store...)."""


class ScopeError(StoreError):
    """A write through a scoped (read-only) view of a store."""


class PluginConflict(GridgovError):
    """Two plugins registered the same name for the same kind of thing."""


class UnknownComponent(GridgovError, LookupError):
    """No plugin registered this name."""


class UsageError(GridgovError):
    """The command line itself is wrong (exit code 2)."""


class NumberError(GridgovError, ValueError):
    """A text that is not a number under gridgov's grammar, or one out of range.

    ``str()`` is a short message a person can act on, to be put after the
    file, row and field (``not a number: '1_000'``).
    """


def _deprecated_aliases(module: str, aliases: dict[str, Any]) -> Callable[[str], Any]:
    """A module ``__getattr__`` that gives each old name's value with a DeprecationWarning."""

    def __getattr__(name: str) -> Any:
        if name not in aliases:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        value = aliases[name]
        warnings.warn(
            f"{module}.{name} is deprecated: use {value.__name__} (removed in 0.3)",
            DeprecationWarning,
            stacklevel=2,
        )
        return value

    return __getattr__


if TYPE_CHECKING:
    SourceError = SourceProblem
    """Deprecated alias of :class:`SourceProblem` (a record, not an exception); removed in
    0.3. Using it warns (``DeprecationWarning``)."""
else:
    __getattr__ = _deprecated_aliases(__name__, {"SourceError": SourceProblem})


__all__ = [
    "ChangeRefused",
    "DeliveryFailed",
    "EngineUnavailable",
    "GridgovError",
    "HierarchyError",
    "InvalidInput",
    "NumberError",
    "PluginConflict",
    "ScopeError",
    "SourceError",
    "SourceProblem",
    "StoreError",
    "UnknownComponent",
    "UnknownUnit",
    "UsageError",
]
