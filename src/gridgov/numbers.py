"""The one number grammar for text gridgov reads, and when a column is numeric.

**Grammar.** A number in a CSV cell (or any other text field that holds a
number) is, in full::

    number   := sign? (digits ("." digits?)? | "." digits) exponent?
    sign     := "+" | "-"
    digits   := [0-9]+                      (ASCII digits only)
    exponent := ("e" | "E") sign? digits

Nothing else is a number: no ``_`` separators (``1_000``), no full-width or
other scripts' digits (``４５０００``, ``٣٠٠٠``), no ``nan``/``inf``/``Infinity``,
no hexadecimal, no thousands separators, no spaces inside. Python's ``float()``
accepts all of those; this grammar is what SQLite and PostgreSQL accept as a
numeric literal. A text matching ``sign? digits`` is an integer, any other
match a float.

**Bounds.** An integer must fit in a signed 64-bit integer
(:data:`MIN_INT` .. :data:`MAX_INT`: what SQLite's INTEGER, PostgreSQL's
``bigint`` and Arrow's ``int64`` hold); a float must be finite after rounding
(``1e400`` is out of range; ``1e-400`` rounds to ``0.0``, as everywhere). A
number text longer than :data:`MAX_NUMBER_CHARS` characters is refused before
any conversion, so a 10 MB cell of digits costs nothing.

**Columns: text keeps leading zeros.** A column of a table is *numeric* only

- when it is declared numeric (its cells must then all be numbers or empty;
  ASCII spaces around a number are ignored, as pandas does), or
- when it is not declared and every non-empty cell is an *plain* number:
  one that matches the grammar, has no leading zero (``030100``, ``007``,
  ``-01``, ``00.5``) and no leading ``+`` (``+8613800000000`` is a phone
  number). ``0``, ``0.5`` and ``-0.25`` are plain.

A column declared text is always text. Everything else is text, kept exactly
as given (no stripping). An empty cell is "no value" in every kind of column.

These are pure functions; the columnar fast path (:mod:`gridgov` issue 13)
applies the same rules and is property-tested against :func:`type_column`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import Enum

from gridgov.errors import NumberError

__all__ = [
    "MAX_INT",
    "MAX_NUMBER_CHARS",
    "MIN_INT",
    "ColumnKind",
    "NumberError",
    "is_number",
    "is_plain_number",
    "parse_int",
    "parse_int_or_none",
    "parse_number",
    "type_column",
]

MAX_INT = 2**63 - 1
"""The largest integer gridgov reads (signed 64-bit)."""
MIN_INT = -(2**63)
"""The smallest integer gridgov reads (signed 64-bit)."""
MAX_NUMBER_CHARS = 100
"""The longest text read as a number (``0.1`` written exactly has 57 characters)."""

_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_LEADING_ZERO = re.compile(r"[+-]?0[0-9]")
_SPACES = " \t"


class ColumnKind(Enum):
    """How a column's cells are read: declared numeric, declared text, or inferred."""

    NUMBER = "number"
    TEXT = "text"
    INFER = "infer"


def is_number(text: str) -> bool:
    """Whether ``text`` matches the grammar exactly (bounds not checked)."""
    return len(text) <= MAX_NUMBER_CHARS and _NUMBER.fullmatch(text) is not None


def is_plain_number(text: str) -> bool:
    """Whether ``text`` is a number that makes an undeclared column numeric.

    It matches the grammar, is within bounds, has no leading zero and does not
    start with ``+`` (see the module docs).
    """
    if not is_number(text) or text[0] == "+" or _LEADING_ZERO.match(text):
        return False
    try:
        parse_number(text)
    except NumberError:
        return False
    return True


def parse_number(text: str) -> int | float:
    """``text`` as an ``int`` (``sign? digits``) or a finite ``float``; else :class:`NumberError`.

    No spaces are stripped: a caller that allows them (a declared numeric
    column) strips ASCII spaces first.
    """
    if len(text) > MAX_NUMBER_CHARS:
        raise NumberError(f"not a number: longer than {MAX_NUMBER_CHARS} characters")
    if _INTEGER.fullmatch(text):
        value = int(text)
        if not MIN_INT <= value <= MAX_INT:
            raise NumberError(f"number out of range (64-bit integer): {text!r}")
        return value
    if not _NUMBER.fullmatch(text):
        raise NumberError(f"not a number: {text!r}")
    result = float(text)
    if result in (float("inf"), float("-inf")):
        raise NumberError(f"number out of range: {text!r}")
    return result


def parse_int(text: str) -> int:
    """``text`` as an integer (``sign? digits``, 64-bit); else :class:`NumberError`."""
    if len(text) > MAX_NUMBER_CHARS or not _INTEGER.fullmatch(text):
        shown = text if len(text) <= MAX_NUMBER_CHARS else text[:20] + "..."
        raise NumberError(f"not a whole number: {shown!r}")
    return parse_number(text)  # type: ignore[return-value]  # an integer text gives an int


def parse_int_or_none(text: str) -> int | None:
    """``text`` as an integer by :func:`parse_int`'s rule, or ``None`` when it is none."""
    try:
        return parse_int(text)
    except NumberError:
        return None


# The fast check of :func:`type_column`: a whole column of ordinary numbers is
# recognised with a handful of C-speed passes over its cells joined by newlines,
# never one regular expression call a cell. It accepts a subset of the grammar:
# ASCII digits only (a character class ``[0-9]``, never ``\d`` or ``isdigit``),
# an optional sign only at the start, at most one point, at least one digit, no
# exponent (so every float is finite), at most MAX_NUMBER_CHARS characters; the
# integers' bounds are checked on the values. Any other column (or a cell holding
# a newline) takes the per-cell rules, with the same result: a property test
# holds the two equal on hostile texts.
_INFERRED_CHARS = re.compile(r"[0-9.\n-]*")
_DECLARED_CHARS = re.compile(r"[0-9.\n+-]*")
_TWO_POINTS = re.compile(r"\.[0-9]*\.")
_NO_DIGIT = ("\n-\n", "\n+\n", "\n.\n", "\n-.\n", "\n+.\n")


def _fast_numbers(texts: list[str], *, declared: bool) -> list[int | float] | None:
    """``texts`` (non-empty cells) as numbers when the fast check accepts them all, else ``None``.

    ``declared``: a declared numeric column (leading zeros and ``+`` allowed);
    otherwise the plain numbers that make an undeclared column numeric.
    """
    if not texts:
        return []
    joined = "\n" + "\n".join(texts) + "\n"
    longest = max(map(len, texts))
    if joined.count("\n") != len(texts) + 1 or longest > MAX_NUMBER_CHARS:
        return None
    if (_DECLARED_CHARS if declared else _INFERRED_CHARS).fullmatch(joined) is None:
        return None
    signs = joined.count("-") + joined.count("+")
    if signs != joined.count("\n-") + joined.count("\n+"):
        return None  # a sign inside a cell
    if any(bad in joined for bad in _NO_DIGIT):
        return None
    points = "." in joined
    if points and _TWO_POINTS.search(joined) is not None:
        return None
    if not declared:  # no leading zero: a cell starting with 0 is "0" or "0." on
        for zero in ("0", "-0"):
            at_start = joined.count("\n" + zero)
            if at_start and at_start != texts.count(zero) + joined.count("\n" + zero + "."):
                return None
    values: list[int | float] = (
        [float(t) if "." in t else int(t) for t in texts] if points else list(map(int, texts))
    )
    if longest > 18 and (min(values) < MIN_INT or max(values) > MAX_INT):
        return None  # (18 characters hold no integer out of 64 bits)
    return values


def _with_empties(
    cells: Sequence[str], numbers: list[int | float]
) -> list[int | float | str | None]:
    """``numbers`` (one per non-empty cell) put back in place, ``None`` for empty cells."""
    if len(numbers) == len(cells):
        return list(numbers)
    it = iter(numbers)
    return [None if c == "" else next(it) for c in cells]


def type_column(
    cells: Sequence[str], kind: ColumnKind = ColumnKind.INFER
) -> tuple[list[int | float | str | None], list[tuple[int, str]]]:
    """Read one column's ``cells`` by the rules in the module docs.

    Returns ``(values, errors)``: ``values[k]`` is ``None`` for an empty cell,
    else a number (numeric column) or the cell unchanged (text column);
    ``errors`` lists ``(k, message)`` for each cell of a declared numeric column
    that is not a number (its value is then ``None``). An inferred column never
    has errors: it is text when any cell is not a plain number.

    Columns of ordinary numbers are recognised by a few passes over the whole
    column (a strict subset of the grammar, see ``_fast_numbers``); any other
    column is read cell by cell by :func:`is_plain_number` and
    :func:`parse_number`, with the same result.
    """
    if kind is ColumnKind.TEXT:
        return [c if c != "" else None for c in cells], []
    if kind is ColumnKind.INFER:
        filled = [c for c in cells if c != ""]
        if filled and not is_plain_number(filled[0]):
            return [c if c != "" else None for c in cells], []  # text, as the first cell says
        fast = _fast_numbers(filled, declared=False)
        if fast is not None:
            return _with_empties(cells, fast), []
        if not all(map(is_plain_number, filled)):
            return [c if c != "" else None for c in cells], []
        return [parse_number(c) if c != "" else None for c in cells], []
    texts = [c.strip(_SPACES) for c in cells]
    filled = [t for t in texts if t != ""]
    fast = _fast_numbers(filled, declared=True)
    if fast is not None:
        return _with_empties(texts, fast), []
    return _declared_cells(cells)


def _declared_cells(
    cells: Sequence[str],
) -> tuple[list[int | float | str | None], list[tuple[int, str]]]:
    """A declared numeric column read cell by cell (the reference of the fast check)."""
    values: list[int | float | str | None] = []
    errors: list[tuple[int, str]] = []
    for k, cell in enumerate(cells):
        text = cell.strip(_SPACES)
        if text == "":
            values.append(None)
            continue
        try:
            values.append(parse_number(text))
        except NumberError as exc:
            values.append(None)
            errors.append((k, str(exc)))
    return values, errors
