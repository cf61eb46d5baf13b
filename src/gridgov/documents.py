"""JSON and TOML documents read strictly: one place that turns text into data.

Every JSON or TOML file gridgov reads (org JSON, problem JSON/TOML, roster
JSON, visits and residents JSON Lines (:func:`json_line`), the JSON held in
GraphML values, ``gridgov.toml``) is decoded by :mod:`gridgov.utf8` and parsed here;
the data are then structured by the library's cattrs converter
(:mod:`gridgov.serialize`). Errors are one :class:`~gridgov.errors.InvalidInput`
line naming the file (and the line where the parser knows it), never a
traceback. What is refused, beyond what the JSON and TOML grammars refuse:

- ``NaN``, ``Infinity``, ``-Infinity`` (Python's :mod:`json` accepts them; the
  JSON grammar does not) and TOML's ``nan``/``inf``: no gridgov value is
  non-finite, and "retry after ``inf`` seconds" leaves work pending forever.
- A number past the bounds of :mod:`gridgov.numbers` (a 64-bit integer, a
  finite float): ``1e400`` or a 5,000-digit integer is an error, not an
  ``OverflowError`` or ``ValueError`` traceback later.
- A key that appears twice in one JSON object (Python keeps the last one
  silently; SQLite's ``json()`` and PostgreSQL's ``jsonb`` keep one of them):
  the user meant one of the two, so gridgov asks which.
- JSON nested deeper than Python's recursion limit (about 1,000 levels;
  200,000 ``[`` ended in ``RecursionError``) and TOML nested deeper than
  :data:`MAX_DEPTH`.
"""

from __future__ import annotations

import json
import math
import sys
import tomllib
from pathlib import Path
from typing import Any

from gridgov.errors import InvalidInput, SourceProblem
from gridgov.numbers import MAX_INT, MAX_NUMBER_CHARS, MIN_INT, NumberError, parse_int
from gridgov.tables import shown_key
from gridgov.utf8 import read_utf8

__all__ = [
    "MAX_DEPTH",
    "json_line",
    "load_json_text",
    "load_toml_text",
    "parse_toml_file",
    "parse_toml_text",
    "read_json_file",
    "read_toml_file",
]

MAX_DEPTH = 100
"""The deepest nesting of TOML arrays and tables gridgov reads."""


class _Refused(ValueError):
    """A value the JSON grammar allows but gridgov refuses (see module docs)."""


class _Located(ValueError):
    """A TOML value gridgov refuses, at a dotted key path."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}")


def _constant(name: str) -> Any:
    raise _Refused(f"{name} is not a number gridgov reads (numbers must be finite)")


def _float(text: str) -> float:
    if len(text) > MAX_NUMBER_CHARS:
        raise _Refused(f"number longer than {MAX_NUMBER_CHARS} characters")
    value = float(text)
    if not math.isfinite(value):
        raise _Refused(f"number out of range: {text}")
    return value


def _int(text: str) -> int:
    try:
        return parse_int(text)
    except NumberError:
        if len(text) > MAX_NUMBER_CHARS:
            raise _Refused(f"integer longer than {MAX_NUMBER_CHARS} digits") from None
        raise _Refused(f"integer out of range ({MIN_INT} .. {MAX_INT}): {text}") from None


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Refused(f"key {key!r} appears twice in one object")
        out[key] = value
    return out


_STRICT = json.JSONDecoder(
    parse_constant=_constant, parse_int=_int, parse_float=_float, object_pairs_hook=_pairs
)
"""One decoder for every JSON text (made once: ``json.loads`` with hooks builds one a call)."""


def load_json_text(text: str, *, file: str | None = None, row: int | None = None) -> Any:
    """Parse JSON ``text`` strictly (see the module docs); errors name ``file``.

    ``row`` is the line ``text`` came from when it is one line of a JSON Lines
    file (errors then name that line); otherwise the parser's line is used.
    """
    try:
        return _STRICT.decode(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            [
                SourceProblem(
                    f"not valid JSON: {exc.msg} (column {exc.colno})",
                    row=exc.lineno if row is None else row,
                    file=file,
                )
            ]
        ) from None
    except _Refused as exc:
        raise InvalidInput([SourceProblem(f"not valid JSON: {exc}", row=row, file=file)]) from None
    except RecursionError:
        raise InvalidInput(
            [SourceProblem("not valid JSON: nested too deeply", row=row, file=file)]
        ) from None


def json_line(line: str, *, row: int, file: str | None) -> Any:
    """One line of a JSON Lines file parsed strictly, or the :class:`SourceProblem` of why not."""
    try:
        return load_json_text(line, file=file, row=row)
    except InvalidInput as exc:
        return exc.errors[0]


def _check_toml(value: Any, path: str, depth: int, found: list[_Located]) -> None:
    if depth > MAX_DEPTH:
        raise _Refused(f"nested deeper than {MAX_DEPTH} levels")  # before a RecursionError
    if isinstance(value, dict):
        for key, item in value.items():
            name = shown_key(key)
            _check_toml(item, f"{path}.{name}" if path else name, depth + 1, found)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _check_toml(item, f"{path}[{i}]", depth + 1, found)
    elif isinstance(value, int) and not isinstance(value, bool) and not MIN_INT <= value <= MAX_INT:
        found.append(_Located(path, f"integer out of range ({MIN_INT} .. {MAX_INT})"))
    elif isinstance(value, float) and not math.isfinite(value):
        found.append(
            _Located(path, f"{value} is not a number gridgov reads (numbers must be finite)")
        )


def parse_toml_text(
    text: str, *, file: str | None = None
) -> tuple[dict[str, Any], tuple[SourceProblem, ...]]:
    """Parse TOML ``text``: its data, and every value the TOML grammar allows but gridgov
    refuses (``inf``, ``nan``, an integer past 64 bits), each named by its key path.

    For a reader that reports those together with its own findings (``gridgov.toml``:
    all its mistakes at once); :func:`load_toml_text` raises them instead. Text that is
    not TOML raises :class:`InvalidInput` here already.
    """
    found: list[_Located] = []
    try:
        data = tomllib.loads(text)
        _check_toml(data, "", 0, found)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput([SourceProblem(f"not valid TOML: {exc}", file=file)]) from None
    except _Refused as exc:
        raise InvalidInput([SourceProblem(f"not valid TOML: {exc}", file=file)]) from None
    except RecursionError:
        raise InvalidInput(
            [SourceProblem(f"not valid TOML: nested deeper than {MAX_DEPTH} levels", file=file)]
        ) from None
    except ValueError:  # tomllib's int() of a number past Python's digit limit
        message = f"not valid TOML: an integer longer than {sys.get_int_max_str_digits()} digits"
        raise InvalidInput([SourceProblem(message, file=file)]) from None
    return data, tuple(SourceProblem(e.message, field=e.path, file=file) for e in found)


def load_toml_text(text: str, *, file: str | None = None) -> dict[str, Any]:
    """Parse TOML ``text`` strictly (no ``inf``/``nan``, 64-bit integers); errors name ``file``
    (every refused value, each named by its key path)."""
    data, problems = parse_toml_text(text, file=file)
    if problems:
        raise InvalidInput(problems)
    return data


def read_json_file(path: str | Path) -> Any:
    """Read and parse a JSON file (UTF-8, see :mod:`gridgov.utf8`) strictly."""
    return load_json_text(read_utf8(path), file=str(path))


def read_toml_file(path: str | Path) -> dict[str, Any]:
    """Read and parse a TOML file (UTF-8, see :mod:`gridgov.utf8`) strictly."""
    return load_toml_text(read_utf8(path), file=str(path))


def parse_toml_file(path: str | Path) -> tuple[dict[str, Any], tuple[SourceProblem, ...]]:
    """Read a TOML file (UTF-8) with :func:`parse_toml_text`: its data and refused values."""
    return parse_toml_text(read_utf8(path), file=str(path))
