"""The intake's digest rule over columns, for bulk ingest (needs the columnar engine).

:func:`gridgov.sweep.intake.digest` of :func:`~gridgov.sweep.intake.identity` is
the one rule; this module is its array copy, property-tested equal to it
(``tests/test_intake_bulk.py``): the identity's compact JSON text is built for
every row at once from its columns (text cells quoted, escaped by the intake's
own encoder where a cell needs escaping), and each row's SHA-256 is taken from
the bytes of that text. A change to the rule is a change to both.
"""

from __future__ import annotations

import hashlib
from itertools import pairwise
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gridgov._arrow import from_numpy, strings
from gridgov.sweep.intake import DIGEST_LENGTH, _encode

_ESCAPED = r'[\x00-\x1f"\\]'
"""The characters the intake's JSON encoder escapes (``ensure_ascii=False``)."""


def text(value: str) -> Any:
    """An Arrow string scalar (made from buffers: ``pa.scalar`` would import pandas)."""
    return strings([value])[0]


_EMPTY = text("")
_QUOTE = text('"')
_COMMA = text(",")


def json_texts(col: Any) -> Any:
    """The JSON text of every cell of a string array, as the intake's encoder writes it."""
    quoted = pc.binary_join_element_wise(_QUOTE, col, _QUOTE, _EMPTY)
    if not _may_escape(col):
        return quoted
    mask = pc.match_substring_regex(col, _ESCAPED)
    if not pc.any(mask).as_py():
        return quoted
    fixed = [_encode(v) for v in pc.filter(col, mask).to_pylist()]
    return pc.replace_with_mask(quoted, mask, strings(fixed))


def _may_escape(col: Any) -> bool:
    """Whether any byte of a string array's cells is one the encoder escapes (one pass
    over the bytes; a slice's neighbours may answer yes, never no wrongly)."""
    if isinstance(col, pa.ChunkedArray):
        return any(_may_escape(c) for c in col.chunks)
    buf = col.buffers()[2]
    if buf is None or len(col) == 0:
        return False
    data = np.frombuffer(buf, dtype=np.uint8)
    return bool(np.any((data < 0x20) | (data == 0x22) | (data == 0x5C)))


def int_texts(values: Any) -> Any:
    """The JSON text of every integer of a numpy array."""
    return pc.cast(from_numpy(np.asarray(values, dtype=np.int64)), pa.string())


def join(parts: list[Any], sep: str = "") -> Any:
    """Row by row, the concatenation of ``parts`` (string arrays or scalars) with ``sep``."""
    return pc.binary_join_element_wise(*parts, text(sep))


def identity_texts(
    sweep: Any,
    household: Any,
    time: Any,
    visitor: Any,
    outcome: Any,
    seen: Any,
    registered: Any,
    note: Any,
    returnees: Any,
    residents: Any,
) -> Any:
    """The compact JSON text of every row's identity, from the JSON texts of its parts
    (in :func:`gridgov.sweep.intake.identity` order; ``time``: the instant's digits, or
    the quoted ISO text of a time that cannot be placed)."""
    inner = join(
        [sweep, household, time, visitor, outcome, seen, registered, note, returnees, residents],
        ",",
    )
    return join([text("["), inner, text("]")])


def fixed_width(values: list[str], width: int) -> Any:
    """A string array of ASCII texts all ``width`` long (digests), from one joined text."""
    offsets = np.arange(len(values) + 1, dtype=np.int32) * width
    data = "".join(values).encode("ascii")
    assert len(data) == width * len(values)
    return pa.Array.from_buffers(
        pa.string(), len(values), [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )


def digests(texts: Any) -> list[str]:
    """:func:`gridgov.sweep.intake.digest` of every identity text (a string array)."""
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks()
    n = len(texts)
    if n == 0:
        return []
    offsets = np.frombuffer(
        texts.buffers()[1], dtype=np.int32, count=n + 1, offset=texts.offset * 4
    )
    data = memoryview(texts.buffers()[2])
    sha = hashlib.sha256
    bounds = offsets.tolist()
    return [sha(data[a:b]).hexdigest()[:DIGEST_LENGTH] for a, b in pairwise(bounds)]
