"""gridgov's own cattrs converter: every value class to JSON-ready data and back.

The library never touches cattrs' global converter. Input from users is
structured with ``forbid_extra_keys=True`` and structuring errors are turned
into :class:`~gridgov.errors.SourceProblem` lines that name the field.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any, TypeVar

import cattrs
from cattrs.errors import ClassValidationError

from gridgov.errors import InvalidInput, SourceProblem
from gridgov.numbers import MAX_INT, MIN_INT
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


def _structure_str(value: Any, _type: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {_shown(value)}")
    if "\x00" in value:
        raise ValueError("text must not contain a NUL character")
    return value


def _structure_bool(value: Any, _type: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected true or false, got {_shown(value)}")
    return value


def _structure_int(value: Any, _type: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected a whole number, got {_shown(value)}")
    if not MIN_INT <= value <= MAX_INT:
        raise ValueError(f"expected a 64-bit whole number, got {_shown(value)}")
    return value


def _structure_float(value: Any, _type: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected a number, got {_shown(value)}")
    result = float(value)
    if not math.isfinite(result):
        raise ValueError(f"expected a finite number, got {_shown(value)}")
    return result


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _strict_sequences(conv: cattrs.Converter) -> None:
    """Lists and tuples take only JSON arrays: ``"X00-C00"`` is not a list of characters."""
    from cattrs.cols import (
        homogenous_tuple_structure_factory,
        is_mutable_sequence,
        is_sequence,
        list_structure_factory,
    )

    def wrap(inner: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
        def hook(value: Any, type_: Any) -> Any:
            if not isinstance(value, list | tuple):
                raise TypeError(f"expected a list, got {_shown(value)}")
            return inner(value, type_)

        return hook

    def lists(type_: Any) -> Callable[[Any, Any], Any]:
        return wrap(list_structure_factory(type_, conv))

    def tuples(type_: Any) -> Callable[[Any, Any], Any]:
        return wrap(homogenous_tuple_structure_factory(type_, conv))

    def homogenous_tuple(type_: Any) -> bool:
        args: tuple[Any, ...] = tuple(getattr(type_, "__args__", ()))
        return is_sequence(type_) and not is_mutable_sequence(type_) and args[1:] == (Ellipsis,)

    conv.register_structure_hook_factory(is_mutable_sequence, lists)
    conv.register_structure_hook_factory(homogenous_tuple, tuples)


def make_converter() -> cattrs.Converter:
    """A fresh converter with gridgov's hooks registered (dates, times, attribute values).

    Scalars are structured strictly: a ``str`` field takes only text (``null``
    or ``42`` is an error, never ``"None"`` or ``"42"``), a ``bool`` only
    ``true``/``false`` (never ``"no"``), an ``int`` only a whole number within
    64 bits (``480.9`` is an error, not ``480``), a ``float`` only a finite
    number. cattrs' defaults call ``str()``/``int()``/``bool()`` on anything.
    """
    conv = cattrs.Converter(forbid_extra_keys=True, omit_if_default=False)
    conv.register_structure_hook(str, _structure_str)
    conv.register_structure_hook(bool, _structure_bool)
    conv.register_structure_hook(int, _structure_int)
    conv.register_structure_hook(float, _structure_float)
    _strict_sequences(conv)
    from gridgov.frozen import FrozenDict
    from gridgov.tables import register_tables

    register_tables(conv)

    conv.register_unstructure_hook(
        FrozenDict, lambda m: {k: conv.unstructure(v) for k, v in m.items()}
    )
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


def _explain(exc: BaseException, type_: Any) -> str:
    """A structuring error as a person reads it: our validators' own words when they have some."""
    from cattrs.v import format_exception

    if (
        isinstance(exc, ValueError | TypeError)
        and str(exc)
        and type(exc).__module__ != "cattrs.errors"
    ):
        return str(exc)
    return format_exception(exc, type_)


def structure(data: Any, cls: type[T], *, file: str | None = None, path: str = "$") -> T:
    """Structure ``data`` into ``cls``; errors become :class:`InvalidInput` naming each field.

    ``path`` is where ``data`` sits in its document (``"store"`` for the
    ``[store]`` table of ``gridgov.toml``); fields are named below it.
    """
    try:
        return converter.structure(data, cls)
    except (ClassValidationError, cattrs.BaseValidationError) as exc:
        lines = cattrs.transform_error(exc, path=path, format_exception=_explain)
        errors = []
        for line in lines:
            message, _, where = line.rpartition(" @ ")
            field = where.removeprefix(".") or None  # path "": fields named from the top
            errors.append(SourceProblem(message or line, field=field, file=file))
        raise InvalidInput(errors) from None
    except (TypeError, ValueError, KeyError) as exc:
        field = None if path == "$" else path
        raise InvalidInput([SourceProblem(str(exc), field=field, file=file)]) from None


def unstructure(value: Any) -> Any:
    """JSON-ready data for any gridgov value."""
    return converter.unstructure(value)


def register(fn: Callable[[cattrs.Converter], None]) -> None:
    """Let a module of gridgov register hooks on the library's converter at import."""
    fn(converter)
