"""A batch of version rows as ``COPY ... FROM STDIN`` text, built in columns (pyarrow).

PostgreSQL's text format: one line a row, columns separated by tabs, ``\\N`` for
null, and a backslash, tab, newline or carriage return inside a value written
as ``\\\\``, ``\\t``, ``\\n``, ``\\r``. Lines are joined by the columnar
engine and handed over as the bytes of the Arrow buffer, without a Python
object per row.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gridgov._arrow import from_numpy, strings

COLUMNS = ("sweep", "id", "digest", "household", "t_text", "code", "persons", "returnees", "doc")
"""The batch's arrays in ``VERSION_COLUMNS`` order (then the arrival number ``n``)."""

_ESCAPES = (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"))


def _scalar(text: str) -> Any:
    return strings([text])[0]


def escaped(col: Any) -> Any:
    """A text column in the ``COPY`` text format (nulls become ``\\N``)."""
    if pc.any(pc.match_substring_regex(col, r"[\\\t\n\r]")).as_py():
        for old, new in _ESCAPES:
            col = pc.replace_substring(col, old, new)
    if col.null_count:
        col = pc.fill_null(col, _scalar("\\N"))
    return col


def copy_text(batch: Any) -> Iterator[bytes]:
    """The ``COPY`` text of a :class:`gridgov.store.bulk_rows.BulkRows` batch, in blocks."""
    parts = []
    for name in COLUMNS:
        col = batch.array(name)
        if col.type != pa.string():
            col = pc.cast(col, pa.string())
        parts.append(escaped(col))
    parts.append(pc.cast(from_numpy(np.arange(len(batch), dtype=np.int64)), pa.string()))
    lines = pc.binary_join_element_wise(*parts, _scalar("\t"))
    lines = pc.binary_join_element_wise(lines, _scalar("\n"), _scalar(""))
    if isinstance(lines, pa.ChunkedArray):
        lines = lines.combine_chunks()
    n = len(lines)
    if n == 0:
        return
    offsets = np.frombuffer(
        lines.buffers()[1], dtype=np.int32, count=n + 1, offset=lines.offset * 4
    )
    data = memoryview(lines.buffers()[2])
    step = 1 << 20
    start = int(offsets[0])
    end = int(offsets[-1])
    for at in range(start, end, step):
        yield bytes(data[at : min(at + step, end)])
