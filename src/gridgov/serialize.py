"""gridgov's own cattrs converter: every value class to JSON-ready data and back.

The library never touches cattrs' global converter. Input from users is
structured with ``forbid_extra_keys=True`` and structuring errors are turned
into :class:`~gridgov.errors.SourceError` lines that name the field.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any, TypeVar

import cattrs
from cattrs.errors import ClassValidationError

from gridgov.errors import InvalidInput, SourceError
from gridgov.values import AttrValue

T = TypeVar("T")


def _structure_attr_value(value: Any, _type: Any) -> AttrValue:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise TypeError(f"expected a number or text, got {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"expected a finite number, got {value!r}")
    return value


def _structure_date(value: Any, _type: Any) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO date text, got {value!r}")
    return dt.date.fromisoformat(value)


def _structure_datetime(value: Any, _type: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO 8601 date-time text, got {value!r}")
    return dt.datetime.fromisoformat(value)


def _structure_time(value: Any, _type: Any) -> dt.time:
    if isinstance(value, dt.time):
        return value
    if not isinstance(value, str):
        raise TypeError(f"expected an HH:MM time text, got {value!r}")
    return dt.time.fromisoformat(value)


def make_converter() -> cattrs.Converter:
    """A fresh converter with gridgov's hooks registered (dates, times, attribute values)."""
    conv = cattrs.Converter(forbid_extra_keys=True, omit_if_default=False)
    conv.register_structure_hook(AttrValue, _structure_attr_value)
    conv.register_unstructure_hook(dt.date, lambda d: d.isoformat())
    conv.register_structure_hook(dt.date, _structure_date)
    conv.register_unstructure_hook(dt.datetime, lambda d: d.isoformat())
    conv.register_structure_hook(dt.datetime, _structure_datetime)
    conv.register_unstructure_hook(dt.time, lambda t: t.isoformat(timespec="minutes"))
    conv.register_structure_hook(dt.time, _structure_time)
    return conv


converter = make_converter()
"""The library's converter. Extend a copy (``make_converter()``), not this one."""


def structure(data: Any, cls: type[T], *, file: str | None = None) -> T:
    """Structure ``data`` into ``cls``; errors become :class:`InvalidInput` naming each field."""
    try:
        return converter.structure(data, cls)
    except (ClassValidationError, cattrs.BaseValidationError) as exc:
        lines = cattrs.transform_error(exc, path="$")
        errors = []
        for line in lines:
            message, _, path = line.rpartition(" @ ")
            errors.append(SourceError(message or line, field=path or None, file=file))
        raise InvalidInput(errors) from None
    except (TypeError, ValueError, KeyError) as exc:
        raise InvalidInput([SourceError(str(exc), file=file)]) from None


def unstructure(value: Any) -> Any:
    """JSON-ready data for any gridgov value."""
    return converter.unstructure(value)


def register(fn: Callable[[cattrs.Converter], None]) -> None:
    """Let a module of gridgov register hooks on the library's converter at import."""
    fn(converter)
