"""pyarrow ⇄ numpy without pandas: zero-copy views over Arrow buffers.

pyarrow's own conversions (``pa.array``, ``Array.to_numpy``, Python scalars
given to compute functions) import pandas whenever it is installed, to check
for pandas objects; that costs the columnar paths half a second and tens of MB
per command. These helpers build and read Arrow arrays from their buffers
instead. Needs the columnar engine (``gridgov[cli]``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

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


def encode(array: Any) -> tuple[list[Any], Any]:
    """Dictionary encoding of a (chunked) array: its distinct values and an int32 code per cell."""
    enc = pc.dictionary_encode(array)
    if isinstance(enc, pa.ChunkedArray):
        enc = enc.unify_dictionaries()
        if enc.num_chunks == 0:
            return [], np.zeros(0, dtype=np.int32)
        values = enc.chunks[0].dictionary.to_pylist()
        codes = np.concatenate([to_numpy(c.indices) for c in enc.chunks])
        return values, codes.astype(np.int32, copy=False)
    return enc.dictionary.to_pylist(), to_numpy(enc.indices).astype(np.int32, copy=False)


def nulls(array: Any) -> Any:
    """A boolean numpy array, true where ``array`` is null."""
    if array.null_count == 0:
        return np.zeros(len(array), dtype=np.bool_)
    if isinstance(array, pa.ChunkedArray):
        return to_numpy(pc.is_null(array))
    return to_numpy(pc.is_null(array))


def from_numpy(values: Any) -> Any:
    """An Arrow array over a 1-d numeric numpy array (copied once to be contiguous)."""
    values = np.ascontiguousarray(values)
    return pa.Array.from_buffers(_ARROW[values.dtype], len(values), [None, pa.py_buffer(values)])


def strings(values: Sequence[str]) -> Any:
    """An Arrow string array of Python strings (built from offsets and bytes)."""
    data = [v.encode("utf-8") for v in values]
    offsets = np.zeros(len(data) + 1, dtype=np.int32)
    np.cumsum([len(b) for b in data], out=offsets[1:])
    return pa.Array.from_buffers(
        pa.string(), len(data), [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(data))]
    )
