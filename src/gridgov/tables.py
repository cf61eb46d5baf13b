"""Tables read from configuration: every key checked, every value typed and bounded.

A *table* is an attrs class read from a mapping (a TOML table) by the
library's converter with a hook that, unlike cattrs' default one:

- refuses every key the class does not name, each with its own error naming the
  key (``store.ulr: unknown key (known: url)``), unless a field is marked
  :data:`REST`, which then takes the other keys (a channel's options);
- structures each field's value by its type (strict: see
  :func:`gridgov.serialize.make_converter`), then runs the field's converter and
  validators on it at once, so that a bound that fails is reported under the
  field's own key, with all the other mistakes of the file.

A field's key is its name unless its metadata says otherwise (:func:`setting`);
the same metadata carries what the configuration reference shows, so the page
(``gridgov.workspace.config_keys``) derives from the classes and from nothing else.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.errors import AttributeValidationNote, ClassValidationError

__all__ = [
    "DOC",
    "KEY",
    "REST",
    "SECTION",
    "SHOWN",
    "Bounded",
    "is_named_tables",
    "is_table",
    "key_of",
    "keys",
    "named_tables_hook",
    "nonblank",
    "register_tables",
    "setting",
    "shown_key",
    "table",
    "table_hook",
    "unstructure_hook",
]

KEY = "gridgov_key"
"""Field metadata: the key the field is read from (default: the field's name)."""
DOC = "gridgov_doc"
"""Field metadata: the meaning the configuration reference shows, in Markdown."""
SHOWN = "gridgov_shown"
"""Field metadata: the default as the reference shows it (default: the field's default)."""
REST = "gridgov_rest"
"""Field metadata: this field takes every key the class does not name."""
SECTION = "gridgov_section"
"""Field metadata of a table of tables: the section name the reference shows."""

_MARK = "__gridgov_table__"

T = TypeVar("T")


@attrs.frozen
class Bounded:
    """A validator: a finite number from ``low`` to ``high`` (more than ``low`` when
    ``above``). The bounds are readable, so that the configuration reference shows the
    ones the code checks; a plugin's option table uses it the same way
    (``setting(10.0, validator=Bounded(0, 600, above=True), doc=...)``)."""

    low: float
    high: float
    above: bool = False
    """``low`` itself is refused (a time-out of 0 seconds)."""

    def __call__(self, _: object, attribute: attrs.Attribute[Any], value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"{attribute.name} must be a number, got {value!r}")
        low_ok = value > self.low if self.above else value >= self.low
        if not (math.isfinite(value) and low_ok and value <= self.high):
            raise ValueError(f"{attribute.name} must be {self.shown()}, got {value!r}")

    def shown(self) -> str:
        """The range in words: ``between 1 and 65535``, ``more than 0 and at most 600``."""
        if self.above:
            return f"more than {self.low:g} and at most {self.high:g}"
        return f"between {self.low:g} and {self.high:g}"


def nonblank(what: str = "a non-empty text") -> Callable[[Any, Any, Any], None]:
    """A validator: the text (or ``None``, for an optional key) has more than blanks in it
    (``nonblank("a host name")`` reports ``expected a host name``)."""

    def check(_: object, attribute: Any, value: str | None) -> None:
        if value is not None and not value.strip():
            raise ValueError(f"expected {what}")

    return check


def table(*, unknown: str = "unknown key") -> Callable[[type[T]], type[T]]:
    """Mark an attrs class as a table: the library's converter reads it with
    :func:`table_hook` (``unknown`` is how an unknown key is reported)."""

    def mark(cls: type[T]) -> type[T]:
        setattr(cls, _MARK, unknown)
        return cls

    return mark


def is_table(type_: Any) -> bool:
    """Whether ``type_`` is a class marked with :func:`table`."""
    return isinstance(type_, type) and isinstance(getattr(type_, _MARK, None), str)


def is_named_tables(type_: Any) -> bool:
    """Whether ``type_`` is ``dict[str, T]`` of a table class ``T``."""
    args: tuple[Any, ...] = tuple(getattr(type_, "__args__", ()))
    return getattr(type_, "__origin__", None) is dict and len(args) == 2 and is_table(args[-1])


def setting(
    default: Any = attrs.NOTHING,
    *,
    doc: str,
    key: str | None = None,
    shown: str | None = None,
    **kwargs: Any,
) -> Any:
    """An ``attrs.field`` that is a configuration key: its meaning, key and shown default."""
    metadata: dict[str, Any] = {DOC: doc}
    if key is not None:
        metadata[KEY] = key
    if shown is not None:
        metadata[SHOWN] = shown
    return attrs.field(default=default, metadata=metadata, **kwargs)


def key_of(field: attrs.Attribute[Any]) -> str:
    """The key ``field`` is read from."""
    return str(field.metadata.get(KEY, field.name))


def keys(cls: type) -> dict[str, attrs.Attribute[Any]]:
    """The keys a table class reads, in field order, and their fields (not the rest field)."""
    return {key_of(f): f for f in attrs.fields(cls) if not f.metadata.get(REST)}


_BARE = re.compile(r"[A-Za-z0-9_-]+")


def shown_key(key: str) -> str:
    """``key`` as a TOML path names it: bare (``max_attempts``) when TOML allows it,
    else quoted with every character that is not printable escaped (``"a\\nb"``), so that
    an error naming a key is always one line."""
    if _BARE.fullmatch(key):
        return key
    out = []
    for c in key:
        if c in '"\\':
            out.append("\\" + c)
        elif c.isprintable():
            out.append(c)
        else:
            out.append(f"\\u{ord(c):04X}" if ord(c) < 0x10000 else f"\\U{ord(c):08X}")
    return '"' + "".join(out) + '"'


def _noted(exc: Exception, key: str, type_: Any = None) -> Exception:
    key = shown_key(key)
    exc.add_note(AttributeValidationNote(f"Structuring key {key}", key, type_))
    return exc


def _field_value(conv: cattrs.Converter, field: attrs.Attribute[Any], key: str, raw: Any) -> Any:
    """``raw`` structured, converted and validated as ``field`` (named ``key`` in errors)."""
    value = conv.structure(raw, field.type or Any)
    if field.converter is not None:
        value = field.converter(value)  # type: ignore[operator]
    if field.validator is not None:
        field.validator(None, field.evolve(name=key), value)
    return value


def table_hook(cls: type, conv: cattrs.Converter) -> Callable[[Any, Any], Any]:
    """The structure hook of the table class ``cls`` (see the module's notes)."""
    unknown = getattr(cls, _MARK)
    attrs.resolve_types(cls)
    known = keys(cls)
    rest = next((f for f in attrs.fields(cls) if f.metadata.get(REST)), None)
    listed = ", ".join(known)

    def hook(data: Any, _type: Any) -> Any:
        if not isinstance(data, Mapping):
            raise TypeError(f"expected a table, got {data!r}"[:80])
        errors: list[Exception] = []
        values: dict[str, Any] = {}
        others = {k: v for k, v in data.items() if k not in known}
        if rest is not None:
            values[rest.name] = others
        else:
            errors += [_noted(ValueError(f"{unknown} (known: {listed})"), str(k)) for k in others]
        for key, field in known.items():
            if key not in data:
                if field.default is attrs.NOTHING:
                    errors.append(_noted(ValueError("required"), key, field.type))
                continue
            try:
                values[field.name] = _field_value(conv, field, key, data[key])
            except Exception as exc:
                errors.append(_noted(exc, key, field.type))
        if errors:
            raise ClassValidationError(f"While structuring {cls.__name__}", errors, cls)
        return cls(**values)

    return hook


def named_tables_hook(type_: Any, conv: cattrs.Converter) -> Callable[[Any, Any], Any]:
    """The hook of a table of tables (``[channels.NAME]``): each one named by its key."""
    value_type = type_.__args__[1]

    def hook(data: Any, _type: Any) -> dict[str, Any]:
        if not isinstance(data, Mapping):
            raise TypeError(f"expected a table, got {data!r}"[:80])
        out, errors = {}, []
        for key, table in data.items():
            try:
                out[str(key)] = conv.structure(table, value_type)
            except Exception as exc:
                errors.append(_noted(exc, str(key), value_type))
        if errors:
            raise ClassValidationError("While structuring tables", errors, dict)
        return out

    return hook


def unstructure_hook(cls: type, conv: cattrs.Converter) -> Callable[[Any], dict[str, Any]]:
    """A table as the mapping it is read from (keys, then the rest field's own keys)."""
    fields = [(key_of(f), f) for f in attrs.fields(cls)]

    def hook(value: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, field in fields:
            item = conv.unstructure(getattr(value, field.name))
            if field.metadata.get(REST):
                out.update(item)
            elif item is not None:  # TOML has no null: a missing key is None
                out[key] = item
        return out

    return hook


def register_tables(conv: cattrs.Converter) -> None:
    """Teach ``conv`` to read and write table classes and tables of them."""
    conv.register_structure_hook_factory(is_table, lambda t: table_hook(t, conv))
    conv.register_unstructure_hook_factory(is_table, lambda t: unstructure_hook(t, conv))
    conv.register_structure_hook_factory(is_named_tables, lambda t: named_tables_hook(t, conv))
