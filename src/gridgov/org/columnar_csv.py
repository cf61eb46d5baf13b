"""The org CSV reader's fast path: the file read as columns by pyarrow, checked as arrays.

:func:`read_columns` is dispatched to by :func:`gridgov.org.csv_io.read_csv`
(``engine="auto"`` for large files, ``engine="columnar"`` always). It accepts
exactly the files the reference reader accepts and builds the same tree (a
:class:`~gridgov.org.columnar_tree.ColumnarHierarchy`); for anything it is not
certain of — a decoding problem, a malformed row, a field over the csv
module's size limit, an unusual header, an invalid tree, a reserved column it
does not know — it returns ``None`` and the caller runs the reference reader,
so every error message is the reference's, word for word.

The cell rules are the reference's own functions, applied once per *distinct*
value of a column (a dictionary encoding): the number grammar and the column
kind rule of :mod:`gridgov.numbers` (declared numeric, declared text, or
numeric only when every value is a plain number), and ``str.strip`` for the
columns the reference strips. Attribute names and kinds come from the
header by the reference's :func:`~gridgov.org.csv_io.attribute_columns`
(escaped names, ``text:`` columns). A NUL anywhere means fallback (the reference
decoder refuses it, :mod:`gridgov.utf8`).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from gridgov._arrow import POOL, encode, py_strip
from gridgov.numbers import ColumnKind, type_column
from gridgov.org import csv_io
from gridgov.org.columnar_tree import INT_SAFE, AttrColumn, ColumnarHierarchy, build_columns
from gridgov.org.levels import Levels

KNOWN = frozenset({"id", "parent", "level", "name", "party_kind", "party_name", "party_secretary"})
"""Reserved columns this fast path understands; any other reserved column means fallback."""

STRIPPED = ("id", "parent", "level", "party_kind")
"""Columns whose cells the reference reader strips with ``str.strip()``."""

HEAD_BYTES = 1 << 16
"""The header must end within the file's first 64 KiB (else: the reference reader)."""


def _header(path: Path) -> list[str] | None:
    """The header's cells when the first line is plain (no quotes, no bare CR)."""
    with path.open("rb") as fh:
        data = fh.read(HEAD_BYTES)
    end = data.find(b"\n")
    if end < 0 and len(data) == HEAD_BYTES:
        return None
    line = data if end < 0 else data[:end]
    if line.endswith(b"\r"):
        line = line[:-1]
    if b'"' in line or b"\r" in line:
        return None
    try:
        text = line.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    return text.split(",")


def _attr_column(name: str, col: Any, kind: ColumnKind) -> AttrColumn | None:
    """An attribute column by the reference's rules, per distinct value (``None``: errors)."""
    uniques, codes = encode(col)
    typed, errors = type_column(list(uniques), kind)
    if errors:
        return None
    if kind is ColumnKind.NUMBER and any(
        v is None and u != "" for u, v in zip(uniques, typed, strict=True)
    ):
        return None  # a blank-but-spaces cell: the reference reads it as empty; keep it exact
    bad = any(isinstance(v, str) for v in typed)
    parsed: list[Any] = [None if isinstance(v, str) else v for v in typed]
    values: list[Any] = list(uniques) if bad else parsed
    empty = [k for k, u in enumerate(uniques) if u == ""]
    if empty:
        codes = np.where(codes == empty[0], -1, codes)
    if bad:
        return AttrColumn(name, codes, values, "text")
    if all(v is None or v.__class__ is int for v in parsed):
        return AttrColumn(name, codes, values, "int", _ints(codes, parsed))
    return AttrColumn(name, codes, values, "number")


def _ints(codes: Any, parsed: list[Any]) -> Any:
    """int64 values per row when their absolute sum stays below :data:`INT_SAFE`, else ``None``."""
    if any(v is not None and abs(v) >= INT_SAFE for v in parsed):
        return None
    table = np.array([0 if v is None else v for v in parsed] + [0], dtype=np.int64)
    valid = codes[codes >= 0]
    total = np.bincount(valid, minlength=len(parsed)) @ np.abs(table[:-1]).astype(np.float64)
    if total >= INT_SAFE / 2:
        return None
    return table[codes]  # code -1 picks the trailing 0


def read_columns(
    path: Path, *, levels: Levels, numeric: Iterable[str], text_columns: Iterable[str] = ()
) -> ColumnarHierarchy | None:
    """The tree in the org CSV file at ``path``, or ``None`` to use the reference reader."""
    raw = _header(path)
    if raw is None:
        return None
    header = [h.strip() for h in raw]
    if len(set(header)) != len(header) or "" in header:
        return None
    if any(h not in header for h in csv_io.REQUIRED):
        return None
    if any(h in csv_io.RESERVED and h not in KNOWN for h in header):
        return None
    names = [f"c{i}" for i in range(len(header))]
    try:
        table = pacsv.read_csv(
            str(path),
            read_options=pacsv.ReadOptions(skip_rows=1, column_names=names, use_threads=False),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
            memory_pool=POOL,
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return None  # malformed rows, not UTF-8, ...: the reference reader says where
    limit = csv.field_size_limit() - 1
    cols: dict[str, Any] = {}
    columns = dict(zip(header, table.columns, strict=True))
    del table
    for h in header:
        col = columns.pop(h)
        if len(col) and pc.max(pc.utf8_length(col)).as_py() >= limit:
            return None
        if len(col) and pc.any(pc.match_substring(col, "\x00")).as_py():
            return None
        cols[h] = py_strip(col) if h in STRIPPED else col
    kinds = csv_io.column_kinds(numeric, text_columns)
    named, errors = csv_io.attribute_columns(header, kinds, file=str(path))
    if errors:
        return None
    attr_cols: list[AttrColumn] = []
    for i, name, kind in named:
        attr = _attr_column(name, cols[header[i]], kind)
        if attr is None:
            return None
        attr_cols.append(attr)
    party = None
    if "party_kind" in cols:
        party = (cols["party_kind"], cols.get("party_name"), cols.get("party_secretary"))
    built = build_columns(
        cols["id"],
        cols["parent"],
        cols["level"],
        levels,
        names=cols.get("name"),
        attrs_in=attr_cols,
        party=party,
    )
    return None if built is None else ColumnarHierarchy(built)
