"""How gridgov's CSV readers read records: strict quoting, located errors, one header rule.

Every CSV reader (org, relations, roster; the visit reader's careful path)
reads records with :data:`DIALECT` and turns :class:`csv.Error` into one
located line with :func:`csv_error`:

- a quoted field still open at the end of the file is
  ``unterminated quoted field starting at row R`` (Python's lenient reader
  swallows the rest of the file into it, which used to surface as
  "expected 3 fields, found 1");
- a field longer than :func:`csv.field_size_limit` (128 KiB) is
  ``field longer than 131072 characters`` at its row, not a ``_csv.Error``
  traceback (pandas and SQLite have no limit; gridgov keeps the csv module's,
  as no id, name or note is that long and a 10 MB field is an attack);
- text after a closing quote (``"a"b``) is an error, as in RFC 4180.

:func:`header_errors` is the one header rule: every column named, none twice
(a CSV with ``day`` twice used to be read with one of them silently chosen;
pandas renames it ``day.1``, SQLite's ``.import`` refuses it — gridgov refuses
it, naming the column).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator, Sequence

from gridgov.errors import InvalidInput, SourceProblem

__all__ = [
    "DIALECT",
    "csv_error",
    "header_errors",
    "header_positions",
    "records",
    "shown_name",
    "table_rows",
]

DIALECT = {"strict": True}
"""Keyword arguments every gridgov CSV reader passes to :func:`csv.reader`."""


def csv_error(exc: csv.Error, *, row: int, file: str | None) -> SourceProblem:
    """One located line for a :class:`csv.Error` raised in the record starting at ``row``."""
    text = str(exc)
    if "unexpected end of data" in text:
        return SourceProblem(f"unterminated quoted field starting at row {row}", row=row, file=file)
    if "field larger than field limit" in text:
        limit = csv.field_size_limit()
        return SourceProblem(f"field longer than {limit} characters", row=row, file=file)
    return SourceProblem(f"malformed CSV: {text}", row=row, file=file)


def shown_name(name: str, width: int = 60) -> str:
    """A column name as an error shows it: cut after ``width`` characters (a 10 MB header
    cell stays one short line)."""
    return name if len(name) <= width else name[:width] + "..."


def header_errors(header: Sequence[str], *, file: str | None) -> list[SourceProblem]:
    """Problems with a header row: an empty column name, a column named twice."""
    errors: list[SourceProblem] = []
    seen: set[str] = set()
    for name in header:
        if not name:
            errors.append(SourceProblem("empty column name", row=1, file=file))
        elif name in seen:
            errors.append(
                SourceProblem("column appears twice", field=shown_name(name), row=1, file=file)
            )
        seen.add(name)
    return errors


def _same(name: str) -> str:
    return name


def header_positions(
    header: Sequence[str],
    *,
    fields: Sequence[str],
    required: Sequence[str],
    file: str | None,
    key: Callable[[str], str] = _same,
) -> dict[str, int]:
    """``{field: column}`` of a header row whose columns are some of ``fields``.

    ``key`` turns a column name as written into its field (a reader that takes
    other spellings passes its own). Every problem is raised at once as
    :class:`~gridgov.errors.InvalidInput`, at row 1: a field named twice, a name
    that is no field (``unknown column (expected ...)``), a ``required`` field
    with no column.
    """
    errors = []
    where: dict[str, int] = {}
    for i, raw in enumerate(header):
        name = key(raw)
        if name in where:
            errors.append(
                SourceProblem("column appears twice", field=shown_name(raw), row=1, file=file)
            )
        elif name not in fields:
            errors.append(
                SourceProblem(
                    f"unknown column (expected {', '.join(fields)})",
                    field=shown_name(raw) or "(empty)",
                    row=1,
                    file=file,
                )
            )
        where[name] = i
    for name in required:
        if name not in where:
            errors.append(SourceProblem("missing column", field=name, row=1, file=file))
    if errors:
        raise InvalidInput(errors)
    return where


def records(lines: Iterable[str], *, file: str | None) -> Iterator[tuple[int, list[str]]]:
    """``(row, fields)`` for each record of ``lines`` (a text stream opened with ``newline=""``).

    ``row`` is the line the record starts on (a quoted field may span lines).
    A malformed record raises :class:`~gridgov.errors.InvalidInput` with the
    line of :func:`csv_error`.
    """
    reader = csv.reader(lines, **DIALECT)  # type: ignore[arg-type]
    last = 0
    while True:
        start = last + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InvalidInput([csv_error(exc, row=start, file=file)]) from None
        last = reader.line_num
        yield start, record


def table_rows(
    lines: Iterable[str], *, file: str | None, errors: list[SourceProblem]
) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header (names stripped) and ``(row, fields)`` of each record after it.

    The loop every small reader of a CSV with a header row shares (relations,
    checkpoints): an empty file raises ``empty file: no header row``; blank
    records are passed over; a record with another number of fields than the
    header goes into ``errors`` (``expected N fields, found M``) and is passed
    over; a malformed record (:func:`records`) goes into ``errors`` and ends the
    rows, the errors found before it kept.
    """
    rows = records(lines, file=file)
    first = next(rows, None)
    if first is None:
        raise InvalidInput([SourceProblem("empty file: no header row", row=1, file=file)])
    header = [name.strip() for name in first[1]]
    return header, _same_width(rows, len(header), file, errors)


def _same_width(
    rows: Iterator[tuple[int, list[str]]],
    width: int,
    file: str | None,
    errors: list[SourceProblem],
) -> Iterator[tuple[int, list[str]]]:
    try:
        for row, record in rows:
            if not record or (len(record) == 1 and not record[0].strip()):
                continue
            if len(record) != width:
                message = f"expected {width} fields, found {len(record)}"
                errors.append(SourceProblem(message, row=row, file=file))
                continue
            yield row, record
    except InvalidInput as exc:
        errors.extend(exc.errors)
