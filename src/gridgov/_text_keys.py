"""Which cells of string columns hold the same text: packed integer keys, one sort.

:func:`first_index` answers the question the columnar paths ask of ids (is this
household a unit, is it listed twice, which household does a visit name, which
visit ids repeat): for every cell of some string arrays taken one after another,
the position of the first cell with the same text.

Hashing millions of strings is the slow way (a hash table larger than the CPU's
caches, one string comparison a probe). Ids are usually short and of a fixed
alphabet (``H0001234``, ``V00000001``, ``B17``), so each text becomes a number
instead: position by position, the bytes seen there (and "the text has ended")
are numbered ``0 .. r-1``, and a text is the mixed-radix number of its
positions. Equal texts give equal numbers and different texts different ones
(the number of a text determines every byte and its length), so comparing keys is
comparing texts. When the keys and the cell positions fit in 64 bits together,
one ``numpy.sort`` of ``key << bits | position`` groups equal texts with the
first occurrence leading each group; when only the keys fit, an ``argsort`` does;
otherwise (long ids of a wide alphabet) Arrow's dictionary encoding does it, as
before; so it does for fewer than :data:`HASH_BELOW` cells of mixed lengths, where
its hash table fits the caches. Every way gives the same answer (a property test
holds them equal).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from gridgov._arrow import chunks

__all__ = ["first_index"]

MAX_KEY_CHARS = 64
"""Texts longer than this many bytes are never packed (their keys would not fit anyway)."""
ROWS = 1 << 17
"""Cells handled at once while packing (small temporaries, reused from the allocator's cache)."""
SAMPLE = 4096
"""Cells of each part looked at first: when their symbols alone do not pack, no key will."""
HASH_BELOW = 1 << 20
"""Fewer cells than this, not all of one length: Arrow's hashing is quicker (its table fits
the caches; packing texts of many lengths costs a pass a position)."""
_END = 256  # the symbol of "the text has ended" at a position


class _Part:
    """One string array's offsets and bytes as numpy views."""

    def __init__(self, arr: Any) -> None:
        n = len(arr)
        self.n = n
        bufs = arr.buffers()
        self.offsets = np.frombuffer(bufs[1], dtype=np.int32, count=n + 1, offset=arr.offset * 4)
        data = bufs[2]
        self.data = np.zeros(0, np.uint8) if data is None else np.frombuffer(data, dtype=np.uint8)
        lengths = np.diff(self.offsets)
        self.longest = int(lengths.max(initial=0))
        self.fixed = bool(n) and int(lengths.min()) == self.longest
        self.lengths = None if self.fixed else lengths

    def symbols(self, lo: int, hi: int, width: int) -> Any:
        """Cells ``lo .. hi-1`` as a ``(rows, width)`` array of byte values, :data:`_END` after
        each text's end."""
        if self.fixed:
            at = int(self.offsets[lo])
            rows = self.data[at : at + (hi - lo) * self.longest].reshape(hi - lo, self.longest)
            if self.longest == width:
                return rows
            out = np.full((hi - lo, width), _END, dtype=np.uint16)
            out[:, : self.longest] = rows
            return out
        start = self.offsets[lo:hi].astype(np.int64)
        assert self.lengths is not None
        length = self.lengths[lo:hi]
        out = np.full((hi - lo, width), _END, dtype=np.uint16)
        last = max(len(self.data) - 1, 0)
        for j in range(min(width, self.longest)):
            has = length > j
            got = self.data[np.minimum(start + j, last)]
            out[:, j] = np.where(has, got, np.uint16(_END))
        return out


def _parts(arrays: tuple[Any, ...]) -> list[_Part] | None:
    parts = []
    for a in arrays:
        for c in chunks(a):
            if c.null_count or c.type not in (pa.string(), pa.binary()):
                return None
            parts.append(_Part(c))
    return parts


def _radices(parts: list[_Part], width: int, rows: int) -> tuple[list[Any], list[int]]:
    """Per position, each symbol's number among the symbols seen there (in the first
    ``rows`` cells of each part), and how many symbols were seen there."""
    present = np.zeros((width, 257), dtype=np.bool_)
    for part in parts:
        for lo in range(0, min(part.n, rows), ROWS):
            hi = min(lo + ROWS, part.n, rows)
            sym = part.symbols(lo, hi, width)
            for j in range(width):
                present[j][sym[:, j]] = True
    ranks = np.cumsum(present, axis=1) - 1
    tables = [np.where(present[j], ranks[j], 0).astype(np.uint64) for j in range(width)]
    return tables, [int(c) for c in present.sum(axis=1)]


def _span(radix: list[int]) -> int:
    span = 1
    for r in radix:
        span *= r
    return span


def may_pack(*arrays: Any) -> bool:
    """Whether the texts could pack into 64-bit keys (a sample of each array says no when
    they cannot; ``True`` is no promise)."""
    parts = _parts(arrays)
    if parts is None:
        return False
    width = max((p.longest for p in parts), default=0)
    return width <= MAX_KEY_CHARS and _span(_radices(parts, width, SAMPLE)[1]) <= 2**64


def packed_keys(arrays: tuple[Any, ...]) -> tuple[list[Any], int] | None:
    """One uint64 key per cell (equal exactly when the texts are) and the keys' bit width,
    or ``None`` when the texts do not pack into 64 bits."""
    parts = _parts(arrays)
    if parts is None:
        return None
    width = max((p.longest for p in parts), default=0)
    if width > MAX_KEY_CHARS:
        return None
    if _span(_radices(parts, width, SAMPLE)[1]) > 2**64:
        return None  # (a sample says so already: every cell only adds symbols)
    tables, radix = _radices(parts, width, max(p.n for p in parts))
    span = _span(radix)
    if span > 2**64:
        return None
    used = [j for j, r in enumerate(radix) if r > 1]
    keys = []
    for part in parts:
        key = np.zeros(part.n, dtype=np.uint64)
        for lo in range(0, part.n, ROWS):
            hi = min(lo + ROWS, part.n)
            sym = part.symbols(lo, hi, width)
            k = key[lo:hi]
            for j in used:
                k *= np.uint64(radix[j])
                k += tables[j][sym[:, j]]
        keys.append(key)
    return keys, (span - 1).bit_length()


def _int_type(n: int) -> Any:
    return np.int32 if n < 2**31 else np.int64


def _firsts(order: Any, new: Any, n: int) -> Any:
    """Per cell, the first position of its group, from the cell positions in group order
    (``order``, the first of each group leading it) and where each group starts (``new``)."""
    dtype = _int_type(n)
    first = order[new]
    group = np.cumsum(new, dtype=dtype)
    group -= 1
    out = np.empty(n, dtype=dtype)
    out[order] = first[group]
    return out


def _starts(head: Any, new: Any, lo: int, last: Any) -> Any:
    """Mark in ``new[lo:]`` where the sorted keys ``head`` (a block from ``lo``) change."""
    new[lo] = last is None or head[0] != last
    np.not_equal(head[1:], head[:-1], out=new[lo + 1 : lo + len(head)])
    return head[-1]


def _by_sort(keys: list[Any], bits: int, n: int) -> Any:
    """:func:`first_index` from packed keys: one sort (or an argsort when they do not leave
    room for the cell positions)."""
    if n == 0:
        return np.zeros(0, dtype=np.int32)
    pos_bits = max((n - 1).bit_length(), 1)
    new = np.empty(n, dtype=np.bool_)
    last = None
    if bits + pos_bits <= 64:
        s = np.empty(n, dtype=np.uint64)
        at = 0
        for key in keys:
            np.left_shift(key, np.uint64(pos_bits), out=s[at : at + len(key)])
            at += len(key)
        for lo in range(0, n, ROWS):  # the positions, a block at a time
            s[lo : lo + ROWS] |= np.arange(lo, min(lo + ROWS, n), dtype=np.uint64)
        s.sort()  # equal keys together, the first position leading
        order = np.empty(n, dtype=_int_type(n))
        low = np.uint64((1 << pos_bits) - 1)
        for lo in range(0, n, ROWS):
            block = s[lo : lo + ROWS]
            order[lo : lo + len(block)] = block & low
            last = _starts(block >> np.uint64(pos_bits), new, lo, last)
        del s
    else:
        allk = np.concatenate(keys) if len(keys) != 1 else keys[0]
        order = np.argsort(allk, kind="stable").astype(_int_type(n), copy=False)
        for lo in range(0, n, ROWS):
            last = _starts(allk[order[lo : lo + ROWS]], new, lo, last)
        del allk
    return _firsts(order, new, n)


def _by_hashing(arrays: tuple[Any, ...], n: int) -> Any:
    """:func:`first_index` through Arrow's dictionary encoding (any texts)."""
    from gridgov._arrow import joint_codes

    codes = joint_codes(*arrays)
    top = np.maximum.accumulate(codes)
    first = np.flatnonzero(np.concatenate([[True], top[1:] > top[:-1]]))
    return first.astype(_int_type(n))[codes]


def first_index(*arrays: Any) -> Any:
    """For every cell of the string ``arrays`` taken one after another, the position (in that
    concatenation) of the first cell with the same text, as a numpy integer array.

    So a cell's value is its own position exactly when its text has not appeared before,
    and two cells hold the same text exactly when their values are equal."""
    n = sum(len(a) for a in arrays)
    if n == 0:
        return np.zeros(0, dtype=np.int32)
    packed = packed_keys(arrays) if n >= HASH_BELOW or _one_length(arrays) else None
    if packed is not None:
        return _by_sort(packed[0], packed[1], n)
    return _by_hashing(arrays, n)


def _one_length(arrays: tuple[Any, ...]) -> bool:
    parts = _parts(arrays)
    return (
        parts is not None
        and len({p.longest for p in parts if p.n}) <= 1
        and all(p.fixed or not p.n for p in parts)
    )
