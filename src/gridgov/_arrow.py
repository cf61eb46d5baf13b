"""pyarrow ⇄ numpy without pandas: zero-copy views over Arrow buffers.

pyarrow's own conversions (``pa.array``, ``Array.to_numpy``, Python scalars
given to compute functions) import pandas whenever it is installed, to check
for pandas objects; that costs the columnar paths half a second and tens of MB
per command. These helpers build and read Arrow arrays from their buffers
instead. Needs the columnar engine (``gridgov[cli]``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def _pool() -> Any:
    try:
        return pa.jemalloc_memory_pool()
    except NotImplementedError:  # a build without jemalloc
        return pa.default_memory_pool()


POOL = _pool()
"""The memory pool of the columnar paths' big buffers (the CSV tables, hash tables,
takes): jemalloc where pyarrow has it. Measured on the 10M-household city run,
reading the 1.1 GB visits file cost 5.2 system-CPU seconds in pyarrow's default
mimalloc pool against 1.25 s in jemalloc (same user time), mostly page faults."""


@contextmanager
def default_pool(pool: Any) -> Iterator[None]:
    """Arrow's default memory pool is ``pool`` within the block (then what it was).

    The coverage fast path runs in jemalloc: on the 10M-household city files the C
    library's allocator (the CLI's default, kinder to the org reader's peak) cost
    2.47M page faults against 1.63M, 27.6 CPU-seconds against 24.9 and a peak of
    4664 MB against 3841 MB."""
    before = pa.default_memory_pool()
    pa.set_memory_pool(pool)
    try:
        yield
    finally:
        pa.set_memory_pool(before)


_NUMPY = {
    pa.int8(): np.int8,
    pa.int16(): np.int16,
    pa.int32(): np.int32,
    pa.int64(): np.int64,
    pa.uint8(): np.uint8,
    pa.uint32(): np.uint32,
    pa.uint64(): np.uint64,
    pa.float64(): np.float64,
}
_ARROW = {np.dtype(v): k for k, v in _NUMPY.items()}


def to_numpy(array: Any) -> Any:
    """A numpy view of a numeric or boolean Arrow array (null slots hold arbitrary values)."""
    if isinstance(array, pa.ChunkedArray):
        if array.num_chunks == 1:
            array = array.chunk(0)
        else:
            return (
                np.concatenate([to_numpy(c) for c in array.chunks])
                if array.num_chunks
                else np.zeros(0, dtype=_NUMPY[array.type] if array.type != pa.bool_() else np.bool_)
            )
    if array.type == pa.bool_():
        array = pc.cast(array, pa.uint8())
        return to_numpy(array).view(np.bool_)
    dtype = _NUMPY[array.type]
    buf = array.buffers()[1]
    if buf is None:
        return np.zeros(len(array), dtype=dtype)
    return np.frombuffer(
        buf, dtype=dtype, count=len(array), offset=array.offset * np.dtype(dtype).itemsize
    )


def chunks(array: Any) -> list[Any]:
    """The chunks of a chunked array, or the array alone."""
    return list(array.chunks) if isinstance(array, pa.ChunkedArray) else [array]


def _encoded(array: Any) -> tuple[Any, Any]:
    """One dictionary encoding of a (chunked) array: the distinct values (Arrow) and an
    int32 numpy code per cell. A chunked array is encoded with one memo table, chunk
    after chunk (no copy of the cells): codes count distinct values in order of first
    appearance over the whole array."""
    enc = pc.dictionary_encode(array, memory_pool=POOL)
    if not isinstance(enc, pa.ChunkedArray):
        return enc.dictionary, to_numpy(enc.indices).astype(np.int32, copy=False)
    if enc.num_chunks == 0:
        return strings([]), np.zeros(0, dtype=np.int32)
    parts = [to_numpy(c.indices) for c in enc.chunks]
    codes = parts[0] if len(parts) == 1 else np.concatenate(parts)
    return enc.chunk(enc.num_chunks - 1).dictionary, codes.astype(np.int32, copy=False)


def encode(array: Any) -> tuple[list[Any], Any]:
    """Dictionary encoding of a (chunked) array: its distinct values and an int32 code per cell."""
    values, got = _encoded(array)
    return values.to_pylist(), got


def codes(array: Any) -> Any:
    """Only the codes of :func:`encode` (the distinct values stay in Arrow)."""
    return _encoded(array)[1]


def joint_codes(*arrays: Any) -> Any:
    """:func:`codes` of the string arrays one after another, as one array: a cell has the
    same code wherever its text appears, and codes count distinct texts in order of first
    appearance (so the cells of the first array are distinct exactly when their codes are
    ``0, 1, 2, ...``)."""
    return codes(pa.chunked_array([c for a in arrays for c in chunks(a)], pa.string()))


def nulls(array: Any) -> Any:
    """A boolean numpy array, true where ``array`` is null."""
    if array.null_count == 0:
        return np.zeros(len(array), dtype=np.bool_)
    if isinstance(array, pa.ChunkedArray):
        return to_numpy(pc.is_null(array))
    return to_numpy(pc.is_null(array))


def from_numpy(values: Any) -> Any:
    """An Arrow array over a 1-d numeric or boolean numpy array."""
    values = np.ascontiguousarray(values)
    if values.dtype == np.bool_:
        bits = np.packbits(values, bitorder="little")
        return pa.Array.from_buffers(pa.bool_(), len(values), [None, pa.py_buffer(bits)])
    return pa.Array.from_buffers(_ARROW[values.dtype], len(values), [None, pa.py_buffer(values)])


def strings(values: Sequence[str]) -> Any:
    """An Arrow string array of Python strings (built from offsets and bytes)."""
    data = [v.encode("utf-8") for v in values]
    offsets = np.zeros(len(data) + 1, dtype=np.int32)
    np.cumsum([len(b) for b in data], out=offsets[1:])
    return pa.Array.from_buffers(
        pa.string(), len(data), [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(data))]
    )


PY_SPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
"""Every character ``str.isspace()`` is true for (a test checks the list)."""

_CLASS = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in PY_SPACE) + "]"
_EDGE_SPACE = f"^{_CLASS}|{_CLASS}$"


# UTF-8 bytes that can begin / end a character ``str.isspace()`` is true for (see PY_SPACE):
# the ASCII spaces, and the lead / last bytes of U+0085, U+00A0, U+1680, U+2000-U+200A,
# U+2028, U+2029, U+202F, U+205F, U+3000. A test checks them against PY_SPACE.
_ASCII_SPACE = [*range(0x09, 0x0E), *range(0x1C, 0x21)]
_FIRST_BYTE = np.zeros(256, dtype=np.bool_)
_FIRST_BYTE[[*_ASCII_SPACE, 0xC2, 0xE1, 0xE2, 0xE3]] = True
_LAST_BYTE = np.zeros(256, dtype=np.bool_)
_LAST_BYTE[[*_ASCII_SPACE, 0x85, 0xA0, *range(0x80, 0x8B), 0xA8, 0xA9, 0xAF, 0x9F]] = True


def _edge_candidates(arr: Any) -> Any:
    """Per cell of a string array without nulls: whether its first or last byte could be
    part of a space character (a superset of the cells :func:`py_strip` changes)."""
    n = len(arr)
    if n == 0 or arr.buffers()[2] is None:
        return np.zeros(n, dtype=np.bool_)
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32, count=n + 1, offset=arr.offset * 4)
    data = np.frombuffer(arr.buffers()[2], dtype=np.uint8)
    filled = offsets[1:] > offsets[:-1]
    if not filled.any():
        return filled
    first = np.where(filled, offsets[:-1], 0)
    last = np.where(filled, offsets[1:] - 1, 0)
    return filled & (_FIRST_BYTE[data[first]] | _LAST_BYTE[data[last]])


def py_strip(col: Any) -> Any:
    """Python's ``str.strip()`` of every cell, applied only where an edge is space.

    The cells that could need it are found from their first and last bytes (a
    table lookup a cell); only those are stripped in Python."""
    if col.null_count:
        return _py_strip_regex(col)
    if isinstance(col, pa.ChunkedArray):
        parts = [_edge_candidates(c) for c in col.chunks]
        cand = np.concatenate(parts) if parts else np.zeros(0, dtype=np.bool_)
    else:
        cand = _edge_candidates(col)
    at = np.flatnonzero(cand)
    if not len(at):
        return col
    texts = pc.take(col, from_numpy(at)).to_pylist()
    fixed = [v.strip() for v in texts]
    changed = [j for j, (a, b) in enumerate(zip(texts, fixed, strict=True)) if a != b]
    if not changed:
        return col
    mask = np.zeros(len(col), dtype=np.bool_)
    mask[at[changed]] = True
    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks(memory_pool=POOL)
    return pc.replace_with_mask(col, from_numpy(mask), strings([fixed[j] for j in changed]))


def _py_strip_regex(col: Any) -> Any:
    """:func:`py_strip` of a column with nulls (kept), by a regular expression a cell."""
    mask = pc.match_substring_regex(col, _EDGE_SPACE)
    if not pc.any(mask).as_py():
        return col
    if isinstance(col, pa.ChunkedArray):
        col, mask = col.combine_chunks(), mask.combine_chunks()
    fixed = [v.strip() for v in pc.filter(col, mask).to_pylist()]
    return pc.replace_with_mask(col, mask, strings(fixed))
