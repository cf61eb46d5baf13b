"""Batch coverage from a households CSV and a visits CSV with the columnar engine.

Dispatched to by :func:`gridgov.sweep.csv_coverage.coverage_from_csv` for large
files (``engine="auto"``) or always (``engine="columnar"``). Both files are
read by pyarrow as text columns and the intake rules run as array operations:

- each distinct cell of a column is read once by the reference's own rules
  (occupancy and outcome spellings, floors, ``discovered``, counts, the date and
  the UTC offset of a time); the clock time and seconds are exact integer
  arithmetic, so a time becomes the same microsecond the reference computes;
- households are looked up with one dictionary encoding, the sweep's window,
  scope and sweep id are masks;
- a row the reference's own fast loop would hand to its careful parser (an
  unknown household, an odd time or count, an empty id, another sweep) goes
  through that same careful parser (:func:`gridgov.sweep.csv_io._careful`) here;
- repeated ids are grouped by a dictionary encoding: rows equal cell for cell
  are duplicates, and only ids whose rows differ are compared by the intake's
  identity, so conflicts and duplicates are counted exactly as the reference
  counts them;
- each household's state (outcomes seen, first and last times, persons) is a
  scatter over its counted visits, and the counters are rolled up the tree as
  differences of one cumulative sum over the pre-order.

Files the fast path is not certain of (quotes or CR, blank lines, rows of the
wrong width, bytes that are not UTF-8, bad households) are read by the
reference instead (:func:`read_coverage_columns` returns ``None``), which reports
every error at its file, row and field.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from gridgov._arrow import (
    POOL,
    chunks,
    default_pool,
    encode,
    from_numpy,
    nulls,
    py_strip,
    strings,
    to_numpy,
)
from gridgov._text_keys import first_index, may_pack
from gridgov.org.hierarchy import Hierarchy
from gridgov.spelling import lookup_enum
from gridgov.sweep.coverage import VisitKey, render_visit, visit_key
from gridgov.sweep.csv_io import (
    _BAD,
    _TRUE,
    HOUSEHOLD_COLUMNS,
    HOUSEHOLD_OPTIONAL,
    _careful,
    _columns,
    _floor_of,
    _Occupancies,
)
from gridgov.sweep.model import Outcome, Sweep
from gridgov.sweep.report import Conflict, CoverageReport, Reject
from gridgov.sweep.rules import (
    EARLIEST,
    INVALID_OCCUPANCY,
    LATEST,
    NOT_AT_HOME,
    NOT_VISITED,
    PARTLY,
    REASON_AFTER,
    REASON_AWARE_IN_NAIVE,
    REASON_BEFORE,
    TEXT_CODES,
    VACANT,
    VERIFIED,
    TimeRule,
    code_of,
)
from gridgov.sweep.state import (
    _STATUS_FIELD,
    I_CONVERTED,
    I_DISCOVERED,
    I_HOUSEHOLDS,
    I_INVALID,
    I_NAH_EVER,
    I_NO_CENTRAL,
    I_PERSONS,
    I_RETURNEES,
    I_VISITED,
    I_VISITS,
    F,
)
from gridgov.sweep.visit_format import VisitRowParser

_NOT_PLACED = -(2**63)  # a time the fast path could not place (goes to the careful parser)
_REASONS = (REASON_BEFORE, REASON_AFTER, REASON_AWARE_IN_NAIVE)
_REASON_CODE = {r: _NOT_PLACED + 1 + i for i, r in enumerate(_REASONS)}


_SCAN = 1 << 24


def _blank_line(block: bytes) -> bool:
    """Whether two newlines follow each other in ``block`` (as ``b"\\n\\n" in block``, in
    a quarter of the time: a two-byte search is slow where every line has a newline)."""
    at = np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == 10)
    return bool(len(at) > 1 and np.any(np.diff(at) == 1))


def _plain_file(path: Path) -> bytes | None:
    """The first line of the file when the reference would split it on commas and
    newlines with one record per physical line (no quotes, no CR, no blank lines)
    and its decoder would take it (no NUL byte: :mod:`gridgov.utf8` refuses one);
    the file is scanned in blocks, never held whole."""
    first = b""
    prev = b"\n"  # a blank first line counts as a blank line
    with path.open("rb") as fh:
        while True:
            block = fh.read(_SCAN)
            if not block:
                break
            if b'"' in block or b"\r" in block or b"\x00" in block or _blank_line(block):
                return None
            if prev == b"\n" and block[:1] == b"\n":
                return None
            prev = block[-1:]
            if not first:
                end = block.find(b"\n")
                first = block if end < 0 else block[:end]
    return first


def _longest_cell(col: Any) -> int:
    """The most characters in a cell of a string column (from its offsets when every
    cell is shorter in bytes than that, which is the common case)."""
    longest = 0
    for c in chunks(col):
        if len(c):
            offsets = np.frombuffer(c.buffers()[1], np.int32, count=len(c) + 1, offset=c.offset * 4)
            longest = max(longest, int(np.diff(offsets).max()))
    return longest


def _table(path: Path, line: bytes | None = b"") -> tuple[list[str], dict[str, Any]] | None:
    """Header (stripped) and text columns of a plain file; ``None`` when pyarrow objects.
    ``line``: what :func:`_plain_file` gave for it, when it was scanned already."""
    if line == b"":
        line = _plain_file(path)
    if line is None or not line.strip():
        return None
    try:
        header = [h.strip() for h in line.decode("utf-8-sig").split(",")]
    except UnicodeDecodeError:
        return None
    if len(set(header)) != len(header):
        return None
    names = [f"c{i}" for i in range(len(header))]
    try:
        table = pacsv.read_csv(
            str(path),
            read_options=pacsv.ReadOptions(skip_rows=1, column_names=names),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
            memory_pool=POOL,
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return None
    limit = csv.field_size_limit()
    for col in table.columns:
        if _longest_cell(col) > limit and pc.max(pc.utf8_length(col)).as_py() > limit:
            return None  # a field past the csv module's limit: the reference names its row
    return header, dict(zip(header, table.columns, strict=True))


def _mapped(col: Any, fn: Any, dtype: Any) -> Any:
    """``fn`` of every distinct cell, as a numpy array per row."""
    values, codes = encode(col)
    return np.array([fn(v) for v in values] + [0], dtype=dtype)[codes]


class _Frame:
    """The household frame (:class:`~gridgov.sweep.frame.HouseholdFrame`'s fields) in arrays."""

    def __init__(
        self,
        tree: Hierarchy,
        sweep: Sweep,
        ids: Any,
        attach: Any,
        disc: Any,
        reg: Any,
        no_central: Any,
        outside: set[str],
    ) -> None:
        self.tree = tree
        self.sweep = sweep
        self.rule = TimeRule.of(sweep)
        self._ids = ids
        self.arrays: dict[str, Any] = {
            "attach": attach,
            "discovered": disc,
            "register_invalid": reg,
            "no_central": no_central,
        }
        self._lists: dict[str, list[int]] = {}
        self.outside = outside
        self._index: Mapping[str, int] | None = None

    def __getattr__(self, name: str) -> list[int]:
        if name not in ("attach", "discovered", "register_invalid", "no_central"):
            raise AttributeError(name)
        got = self._lists.get(name)
        if got is None:
            got = self._lists[name] = self.arrays[name].tolist()
        return got

    @property
    def ids(self) -> list[str]:
        out: list[str] = self._ids.to_pylist()
        return out

    @property
    def index(self) -> Mapping[str, int]:
        if self._index is None:
            ids = self.ids
            self._index = dict(zip(ids, range(len(ids)), strict=True))
        return self._index

    def __len__(self) -> int:
        return len(self.arrays["attach"])

    def prefetch(self, raw: list[str], numbers: Any) -> None:
        """Remember the household numbers of the cells ``raw`` (``numbers``: each cell's,
        -1 for none) and look up their stripped spellings, so that the careful parser's
        look-ups need no dictionary of every household (built only for another key)."""
        if not raw or (self._index is not None and not isinstance(self._index, _Prefetched)):
            return
        known = dict(zip(raw, np.asarray(numbers).tolist(), strict=True))
        rest = sorted({h.strip() for h in raw}.difference(known))
        if rest:  # the few keys are the value set; every household id is probed once
            found = pc.index_in(self._ids, value_set=strings(rest))
            at = np.flatnonzero(~nulls(found))
            known.update(dict.fromkeys(rest, -1))
            for h, k in zip(at.tolist(), to_numpy(found)[at].tolist(), strict=True):
                known[rest[k]] = h
        if isinstance(self._index, _Prefetched):
            self._index.add(known)
        else:
            self._index = _Prefetched(self, known)


class _Prefetched(Mapping[str, int]):
    """Household numbers of some ids (-1: not a household); others from the full dictionary."""

    def __init__(self, frame: _Frame, known: dict[str, int]) -> None:
        self._frame = frame
        self._known = known
        self._full: dict[str, int] | None = None

    def add(self, known: dict[str, int]) -> None:
        """More ids looked up."""
        self._known.update(known)

    def _all(self) -> dict[str, int]:
        if self._full is None:
            ids = self._frame.ids
            self._full = dict(zip(ids, range(len(ids)), strict=True))
        return self._full

    def get(self, key: str, default: Any = None) -> Any:
        got = self._known.get(key)
        if got is None:
            return self._all().get(key, default)
        return default if got < 0 else got

    def __getitem__(self, key: str) -> int:
        got = self.get(key)
        if got is None:
            raise KeyError(key)
        return int(got)

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._frame)


def _tree_arrays(tree: Hierarchy) -> tuple[Any, Any]:
    cols = getattr(tree, "columns", None)
    if cols is not None:
        return cols.ids, cols.size
    idx = tree.index
    return strings(idx.order), np.array(idx.size, dtype=np.int64)


def _frame(
    tree: Hierarchy, sweep: Sweep, header: list[str], cols: dict[str, Any], visited: Any
) -> tuple[_Frame, Any] | None:
    """The household frame of the households file's columns, and per cell of ``visited``
    (the visits' household column, raw) the household's number in it (-1: none)."""
    occ_of = _Occupancies()
    occ_values, occ_codes = encode(cols["occupancy"])
    occ = [occ_of[v] for v in occ_values]
    if None in occ:
        return None
    bad = -1  # not a 0/1 of ``discovered``
    floors = [_floor_of(v) for v in encode(cols["floor"])[0]]
    if _BAD in floors:
        return None
    disc = (
        _mapped(cols["discovered"], lambda v: _TRUE.get(v.strip().lower(), bad), np.int8)
        if "discovered" in cols
        else np.zeros(len(occ_codes), dtype=np.int8)
    )
    if np.any(disc == bad):
        return None
    reg = np.array([1 if o in INVALID_OCCUPANCY else 0 for o in occ] + [0], dtype=np.int8)[
        occ_codes
    ]
    del occ_codes
    hids = py_strip(cols["id"])
    buildings = py_strip(cols["building"])
    n = len(hids)
    if np.any(to_numpy(pc.binary_length(hids)) == 0):
        return None  # empty ids: the reference names them
    tree_ids, size = _tree_arrays(tree)
    n_units = len(tree_ids)
    vis = visited if visited is not None else strings([])
    n_v = len(vis)
    # The first cell of each text among the tree's ids, the households' ids, the visits'
    # household cells and the households' buildings, one after another
    # (gridgov._text_keys): the tree's ids are distinct, so a cell whose first is below
    # n_units is that unit; a household is listed once exactly when its first is itself
    # (or a unit no other household is); a visit's first is its household's.
    first = first_index(tree_ids, hids, vis, buildings)
    del buildings, vis
    b = first[n_units + n + n_v :]
    if np.any(b >= n_units):
        return None  # an unknown building
    b = b.astype(np.int64)
    hc = first[n_units : n_units + n]
    vc = first[n_units + n : n_units + n + n_v]
    del first
    is_unit = hc < n_units
    if np.any(~is_unit & (hc != np.arange(n_units, n_units + n, dtype=hc.dtype))):
        return None  # a household twice
    if is_unit.any() and len(np.unique(hc[is_unit])) != int(is_unit.sum()):
        return None  # a household twice (the same unit)
    p = np.where(is_unit, hc, b)
    if np.any((p != b) & ~((b <= p) & (p < b + size[b]))):
        return None  # a household unit not under its building
    lookup = getattr(tree, "_lookup", None) if getattr(tree, "columns", None) is not None else None
    lo = tree.index.pos.get(sweep.scope) if lookup is None else lookup(sweep.scope)
    if lo is None:
        return None  # an unknown scope: the reference says so
    hi = lo + int(size[lo])
    inside = (lo <= p) & (p < hi)
    everyone = bool(inside.all())
    outside = set(pc.filter(hids, from_numpy(~inside)).to_pylist()) if not everyone else set()
    keep = np.flatnonzero(inside)
    kept_ids = hids if everyone else hids.take(from_numpy(keep))
    if isinstance(kept_ids, pa.ChunkedArray):
        kept_ids = kept_ids.combine_chunks()
    # first cell -> number in the frame (-1: no household of the frame)
    number = np.full(n_units + n + 1, -1, dtype=np.int32)
    number[hc[keep]] = np.arange(len(keep), dtype=np.int32)
    hx = number[np.minimum(vc, n_units + n)]
    del number, vc, hc
    rel = tree.relations
    looked = list(rel.looked_after) + list(rel.central)
    has_central = (
        to_numpy(pc.is_in(kept_ids, value_set=strings(looked)))
        if looked
        else np.zeros(len(keep), dtype=bool)
    )
    frame = _Frame(
        tree,
        sweep,
        kept_ids,
        p[keep].astype(np.int32 if n_units < 2**31 else np.int64),
        disc[keep].astype(np.int8),
        reg[keep].astype(np.int8),
        (~has_central).astype(np.int8),
        outside,
    )
    return frame, hx


def _times(col: Any, rule: TimeRule) -> Any:
    """Microseconds on the sweep's time line per row, window reasons as codes, or
    :data:`_NOT_PLACED` where the careful parser must look.

    Times shaped ``YYYY-MM-DDTHH:MM:SS`` followed by ``Z``, ``±HH:MM`` or (in a
    naive sweep) nothing are computed here from the bytes; every other distinct
    text goes through the reference's own parser
    (:class:`gridgov.sweep.csv_coverage._TimeParser`)."""
    chunks = col.chunks if isinstance(col, pa.ChunkedArray) else [col]
    parts = [_clock_times(c, rule) for c in chunks]
    out = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    rest = np.flatnonzero(out == _NOT_PLACED)
    if len(rest):
        from gridgov.sweep.csv_coverage import _TimeParser

        parser = _TimeParser(rule, {})

        def one(text: str) -> int:
            got = parser.parse(text)
            if got is None:
                return _NOT_PLACED
            if isinstance(got, str):
                return _REASON_CODE[got]
            return got

        out[rest] = _mapped(col.take(from_numpy(rest)), one, np.int64)
    return out


_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


def _clock_times(arr: Any, rule: TimeRule) -> Any:
    """:func:`_times` for one Arrow string array, from its bytes (``_NOT_PLACED`` where unsure).

    The calendar check (month 1-12, day within its month, leap years, year 1 on)
    and the offset range (less than 24 hours) are those of
    :meth:`datetime.datetime.fromisoformat`; the day count is Hinnant's
    ``days_from_civil``, exact in integers."""
    n = len(arr)
    out = np.full(n, _NOT_PLACED, dtype=np.int64)
    if n == 0 or arr.buffers()[2] is None:
        return out
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32, count=n + 1, offset=arr.offset * 4)
    data = np.frombuffer(arr.buffers()[2], dtype=np.uint8)
    start = offsets[:-1].astype(np.int64)
    length = offsets[1:] - offsets[:-1]
    aware_sweep = rule.zone is not None
    lengths = (20, 25) if aware_sweep else (19, 20, 25)
    idx = np.flatnonzero(np.isin(length, lengths))
    if not len(idx):
        return out
    s0 = start[idx]
    width = int(length[0])
    grid = None  # every cell as long as the first, one after another: the bytes as rows
    if len(idx) == n and not np.any(length != width):
        o0 = int(offsets[0])
        grid = data[o0 : o0 + n * width].reshape(n, width)
        head = grid[:, :19]
    else:
        head = data[s0[:, None] + np.arange(19)]
    dig = head[:, _DIGITS] - np.uint8(48)
    ok = np.all(dig <= 9, axis=1)
    ok &= (head[:, 4] == 45) & (head[:, 7] == 45) & (head[:, 10] == 84)
    ok &= (head[:, 13] == 58) & (head[:, 16] == 58)
    d = dig.astype(np.int32)  # (exact: every value below is far within 32 bits)
    del head, dig
    year = d[:, 0] * 1000 + d[:, 1] * 100 + d[:, 2] * 10 + d[:, 3]
    month = d[:, 4] * 10 + d[:, 5]
    day = d[:, 6] * 10 + d[:, 7]
    hh, mi, ss = d[:, 8] * 10 + d[:, 9], d[:, 10] * 10 + d[:, 11], d[:, 12] * 10 + d[:, 13]
    del d
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    month_ok = (month >= 1) & (month <= 12)
    dim = _MONTH_DAYS[np.where(month_ok, month, 1)] + ((month == 2) & leap)
    ok &= (year >= 1) & month_ok & (day >= 1) & (day <= dim) & (hh < 24) & (mi < 60) & (ss < 60)
    ln = length[idx]
    shift = np.zeros(len(idx), dtype=np.int64)
    zulu = ln == 20
    ok &= ~zulu | (data[np.where(zulu, s0 + 19, 0)] == 90)  # "Z"
    full = ln == 25
    if full.any():
        if grid is not None:
            tail = grid[:, 19:25]
        else:
            at = np.where(full, s0, 0)
            tail = data[at[:, None] + np.arange(19, 25)]
        sign = tail[:, 0]
        od = tail[:, [1, 2, 4, 5]] - np.uint8(48)
        good = ((sign == 43) | (sign == 45)) & np.all(od <= 9, axis=1) & (tail[:, 3] == 58)
        odi = od.astype(np.int32)
        oh, om = odi[:, 0] * 10 + odi[:, 1], odi[:, 2] * 10 + odi[:, 3]
        good &= (oh < 24) & (om < 60)
        ok &= ~full | good
        minutes = np.where(sign == 45, -1, 1) * (oh * 60 + om)
        shift = np.where(full, minutes.astype(np.int64) * 60_000_000, 0)
    # days_from_civil (H. Hinnant), valid for every year from 1 on
    y = year - (month <= 2)
    era = y // 400
    yoe = y - era * 400
    mp = np.where(month > 2, month - 3, month + 9)
    doy = (153 * mp + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    days = era * 146097 + doe - 719468
    t = (days.astype(np.int64) * 86400 + (hh * 3600 + mi * 60 + ss)) * 1_000_000 - shift
    if aware_sweep:
        t = np.where(t < rule.start_us, _REASON_CODE[REASON_BEFORE], t)
        t = np.where(t > rule.end_us, _REASON_CODE[REASON_AFTER], t)
    else:
        naive = ln == 19
        t = np.where(naive & (t < rule.start_us), _REASON_CODE[REASON_BEFORE], t)
        t = np.where(naive & (t > rule.end_us), _REASON_CODE[REASON_AFTER], t)
        t = np.where(naive, t, _REASON_CODE[REASON_AWARE_IN_NAIVE])
    out[idx[ok]] = t[ok]
    return out


def _counts(col: Any) -> Any:
    """Counts per row as the fast loop reads them (``0``..``99``, empty = 0), else -1."""
    cache = {str(k): k for k in range(100)}
    cache[""] = 0
    return _mapped(col, lambda v: cache.get(v, -1), np.int32)


def _visit_cells(p: VisitRowParser, cols: list[Any], n: int, rule: TimeRule) -> tuple[Any, ...]:
    """Per visit row: the time (:func:`_times`), the outcome code and the three counts
    (-1 where the careful parser must look)."""

    def col_of(i: int) -> Any:
        return cols[i] if i >= 0 else None

    t = _times(col_of(p.i_at), rule) if p.i_at >= 0 else np.full(n, _NOT_PLACED)
    if p.i_out >= 0:

        def code(v: str) -> int:
            got = TEXT_CODES.get(v)
            if got is None:
                member = lookup_enum(Outcome, v)
                got = -1 if member is None else code_of(member)
            return got

        codes = _mapped(col_of(p.i_out), code, np.int8)
    else:
        codes = np.full(n, VERIFIED, dtype=np.int8)
    zero = np.zeros(n, dtype=np.int32)
    counts = [_counts(col_of(i)) if i >= 0 else zero for i in (p.i_p, p.i_reg, p.i_r)]
    return (t, codes, *counts)


def coverage_columns(
    tree: Hierarchy, households: Path, visits: Path, sweep: Sweep
) -> CoverageReport | None:
    """The report :func:`~gridgov.sweep.csv_coverage.coverage_from_csv` gives, or ``None``
    when the reference must read the files (see the module docs)."""
    with default_pool(POOL):
        return _coverage_columns(tree, households, visits, sweep)


def _coverage_columns(
    tree: Hierarchy, households: Path, visits: Path, sweep: Sweep
) -> CoverageReport | None:
    try:
        rule = TimeRule.of(sweep)
    except ValueError:
        return None  # the reference names the problem with the window
    with ThreadPoolExecutor(1) as pool:  # the visits file scanned on the other core
        visits_head = pool.submit(_plain_file, visits)
        got = _table(households)
        if got is None:
            return None
        h_header, h_cols = got
        _columns(h_header, HOUSEHOLD_COLUMNS, HOUSEHOLD_OPTIONAL, str(households))  # raised
        got = _table(visits, visits_head.result())
    if got is None:
        return None
    header, cols = got
    file = str(visits)
    p = VisitRowParser.for_header(header, file)
    n = len(next(iter(cols.values()))) if cols else 0
    names = list(cols)
    vids = cols[names[p.i_id]]
    with ThreadPoolExecutor(1) as pool:  # on the other core: the visit ids, times and counts
        vid_codes = pool.submit(first_index, vids)
        if not may_pack(vids):  # wide ids: one hash table of strings at a time (the peak)
            wait([vid_codes])
        cells = pool.submit(_visit_cells, p, [cols[nm] for nm in names], n, rule)
        visited = cols[names[p.i_h]] if p.i_h >= 0 else None
        built = _frame(tree, sweep, h_header, h_cols, visited)
        del h_cols, visited
        if built is None:
            return None
        frame, hx = built  # per row, the household its raw cell names (-1: none)
        if p.i_h < 0:
            hx = np.full(n, -1, dtype=np.int32)
        all_idc = vid_codes.result()
        t, codes, persons, registered, returnees = cells.result()
    careful = (hx < 0) | (t == _NOT_PLACED) | (codes < 0)
    careful |= (persons < 0) | (registered < 0) | (returnees < 0)
    del registered
    careful |= to_numpy(pc.binary_length(vids)) == 0
    if p.i_s >= 0:
        sw = cols[names[p.i_s]]
        careful |= (to_numpy(pc.binary_length(sw)) > 0) & ~to_numpy(
            pc.equal(sw, strings([sweep.id])[0])
        )
    reason = (~careful) & (t > _NOT_PLACED) & (t <= _NOT_PLACED + len(_REASONS))
    ok = ~careful & ~reason
    # Rows for the careful parser and the window's rejects, in file order.
    rejects: list[Reject] = []
    extra: list[
        tuple[int, int, int, int, int, int, str]
    ] = []  # (k, h, t, code, persons, returnees, vid)
    by_reason = np.flatnonzero(reason)
    del reason
    if len(by_reason):  # outside the window: only the id and the household are needed
        take = from_numpy(by_reason)
        r_ids = vids.take(take).to_pylist()
        r_hh = cols[names[p.i_h]].take(take).to_pylist()
        why = (t[by_reason] - _NOT_PLACED - 1).tolist()
        for k, vid, hh, w in zip(by_reason.tolist(), r_ids, r_hh, why, strict=True):
            rejects.append(Reject(vid, hh, _REASONS[w], k + 2, file))
    by_parser = np.flatnonzero(careful)
    del careful
    if len(by_parser):
        fields = [cols[nm].take(from_numpy(by_parser)).to_pylist() for nm in names]
        if p.i_h >= 0:
            frame.prefetch(fields[p.i_h], hx[by_parser])
        careful_rejects: list[Reject] = []
        for j, k in enumerate(by_parser.tolist()):
            res = _careful(p, [f[j] for f in fields], k + 2, frame, file)  # type: ignore[arg-type]
            if res is None:
                continue
            if isinstance(res, Reject):
                careful_rejects.append(res)
                continue
            h, tt, v = res
            extra.append((k, h, tt, code_of(v.outcome), v.persons_seen, v.returnees, v.id))
        del fields
        if careful_rejects:  # both kinds of rejects, in file order
            rejects = sorted(rejects + careful_rejects, key=lambda r: r.row or 0)
    p.errors.raise_if_any()
    # The accepted rows, in file order: fast ones and those the careful parser placed.
    acc = np.flatnonzero(ok)
    del ok
    if extra and max(max(e[4], e[5]) for e in extra) >= 2**31:
        return None  # counts past int32: the reference adds them as Python integers
    raw_hx = hx  # per row, the household its raw cell names (-1: none)
    if extra:
        ek = np.array([e[0] for e in extra], dtype=np.int64)
        t = t.copy()
        hx = hx.copy()
        codes = codes.copy()
        persons = persons.copy()
        returnees = returnees.copy()
        t[ek] = [e[2] for e in extra]
        hx[ek] = [e[1] for e in extra]
        codes[ek] = [e[3] for e in extra]
        persons[ek] = [e[4] for e in extra]
        returnees[ek] = [e[5] for e in extra]
        acc = np.sort(np.concatenate([acc, ek]))
    # The raw id cells, as the reference keys them: codes of all rows, taken at the accepted.
    idc = all_idc[acc]
    del all_idc
    counts = np.bincount(idc)
    multi = counts[idc] > 1
    duplicates = 0
    conflict_ids: set[int] = set()
    conflicts: list[Conflict] = []
    first = np.ones(len(acc), dtype=bool)
    if multi.any():
        m_at = np.flatnonzero(multi)
        m_rows = acc[m_at]
        m_idc = idc[m_at]
        # rows equal cell for cell (the raw line) are duplicates at once
        take = from_numpy(m_rows)
        cell_codes = [first_index(cols[nm].take(take)) for nm in names if nm != names[p.i_id]]
        order = np.lexsort([*cell_codes[::-1], m_idc])
        keyed = np.stack([m_idc, *cell_codes])[:, order]
        del cell_codes
        new_raw = np.ones(len(order), dtype=bool)
        new_raw[1:] = np.any(keyed[:, 1:] != keyed[:, :-1], axis=0)
        raws_per_id = np.bincount(keyed[0], weights=new_raw, minlength=len(counts)).astype(np.int64)
        del keyed, order, new_raw
        # the first row of each id counts; later rows are repeats (a row whose id
        # appears once is its first)
        first[m_at] = False
        first[m_at[np.unique(m_idc, return_index=True)[1]]] = True
        simple = raws_per_id[m_idc] == 1
        duplicates += int(np.sum(simple & ~first[m_at]))
        hard = np.unique(m_idc[~simple])
        if len(hard):
            duplicates += _settle_conflicts(
                p, cols, names, acc, idc, hard, frame, file, conflicts, conflict_ids, raw_hx
            )
    counted = (
        first & ~_marked(idc, np.fromiter(conflict_ids, dtype=np.int64)) if conflict_ids else first
    )
    c_rows = acc[counted]
    del acc, idc, counted, first, multi, counts
    conflicts.sort(key=lambda c: c.visit_id)
    c_h, c_t, c_code = hx[c_rows], t[c_rows], codes[c_rows]
    c_persons, c_returnees = persons[c_rows], returnees[c_rows]
    # Only the visit ids are read from here on: free the other columns and rows.
    del hx, raw_hx, t, codes, persons, returnees
    cols.clear()
    return _report(
        frame,
        c_h,
        c_t,
        c_code,
        c_persons,
        c_returnees,
        lambda at: vids.take(from_numpy(c_rows[at])).to_pylist(),
        rejects,
        conflicts,
        duplicates,
    )


def _marked(labels: Any, some: Any) -> Any:
    """Per label (non-negative integers), whether it is one of ``some``: a table look-up
    (``numpy.isin`` sorts every label, hundreds of MB of temporaries on the city files)."""
    table = np.zeros(int(max(labels.max(initial=-1), some.max(initial=-1))) + 1, dtype=np.bool_)
    table[some] = True
    return table[labels]


def _settle_conflicts(
    p: VisitRowParser,
    cols: dict[str, Any],
    names: list[str],
    acc: Any,
    idc: Any,
    hard: Any,
    frame: _Frame,
    file: str,
    conflicts: list[Conflict],
    conflict_ids: set[int],
    raw_hx: Any,
) -> int:
    """Ids whose rows differ: compared by the intake's identity, one row at a time."""
    at = np.flatnonzero(_marked(idc, hard))
    rows = acc[at]
    fields = [cols[nm].take(from_numpy(rows)).to_pylist() for nm in names]
    keys: dict[int, dict[VisitKey, str]] = {}
    lines: dict[int, list[int]] = {}
    vid_of: dict[int, str] = {}
    raw_ids = fields[p.i_id]
    if p.i_h >= 0:
        frame.prefetch(fields[p.i_h], raw_hx[rows])
    dup = 0
    for j, k in enumerate(rows.tolist()):
        res = _careful(p, [f[j] for f in fields], k + 2, frame, file)  # type: ignore[arg-type]
        assert res is not None
        assert not isinstance(res, Reject)
        _, tt, v = res
        c = int(idc[at[j]])
        key = visit_key(v, tt)
        group = keys.setdefault(c, {})
        lines.setdefault(c, []).append(k + 2)
        vid_of[c] = raw_ids[j]
        if key in group:
            dup += 1
        else:
            group[key] = render_visit(v)
    for c, group in keys.items():
        if len(group) > 1:
            conflict_ids.add(c)
            conflicts.append(
                Conflict(vid_of[c], tuple(sorted(group.values())), tuple(lines[c]), file)
            )
    return dup


_STATE_FIELDS = (
    "mask",
    "nvisits",
    "last_at",
    "last_code",
    "first_reach",
    "first_visit",
    "nah_min",
    "ver_max",
    "persons",
    "returnees",
)


class _State:
    """The visit state (:class:`~gridgov.sweep.state.VisitState`'s fields) in arrays.

    ``arrays`` holds the numpy arrays; the attributes the report reads give
    Python lists, made on first use.
    """

    def __init__(self, n: int) -> None:
        full = np.full
        self.arrays: dict[str, Any] = {
            "mask": np.zeros(n, dtype=np.uint8),
            "nvisits": np.zeros(n, dtype=np.int64),
            "last_at": full(n, EARLIEST, dtype=np.int64),
            "last_code": full(n, NOT_VISITED, dtype=np.int64),
            "first_reach": full(n, LATEST, dtype=np.int64),
            "first_visit": full(n, LATEST, dtype=np.int64),
            "nah_min": full(n, LATEST, dtype=np.int64),
            "ver_max": full(n, EARLIEST, dtype=np.int64),
            "persons": np.zeros(n, dtype=np.int64),
            "returnees": np.zeros(n, dtype=np.int64),
        }
        self._lists: dict[str, list[int]] = {}

    def __getattr__(self, name: str) -> list[int]:
        if name not in _STATE_FIELDS:
            raise AttributeError(name)
        got = self._lists.get(name)
        if got is None:
            got = self._lists[name] = self.arrays[name].tolist()
        return got

    def status(self, h: int) -> int:
        """The household's status code (see :mod:`gridgov.sweep.rules`)."""
        m = int(self.arrays["mask"][h])
        if m & (1 << VERIFIED):
            return VERIFIED
        if m & (1 << PARTLY):
            return PARTLY
        return int(self.arrays["last_code"][h])

    def statuses(self) -> Any:
        """Every household's status code."""
        m = self.arrays["mask"]
        partly = np.where(m & (1 << PARTLY), PARTLY, self.arrays["last_code"])
        return np.where(m & (1 << VERIFIED), VERIFIED, partly)


def _report(
    frame: _Frame,
    h: Any,
    t: Any,
    code: Any,
    persons: Any,
    returnees: Any,
    vid_at: Callable[[Any], list[str]],
    rejects: list[Reject],
    conflicts: list[Conflict],
    duplicates: int,
) -> CoverageReport:
    """Each household's state from its counted visits (``vid_at``: the visit ids of some
    of them), then the counters of every unit.

    Every field of the state is a minimum, a maximum or an or over the household's
    visits (:meth:`gridgov.sweep.state.VisitState.apply`), so each is one unbuffered
    reduction (``ufunc.at``) over the visits in file order; no sort."""
    n = len(frame)
    st = _State(n)
    a = st.arrays
    if len(h) == 0:
        return CoverageReport(frame, st, _tally(frame, st), rejects, conflicts, duplicates)  # type: ignore[arg-type]
    assert NOT_VISITED <= 8
    seen = np.zeros((n, 8), dtype=bool)  # the outcomes seen, one bit each
    seen[h, code] = True
    a["mask"] = np.packbits(seen, axis=1, bitorder="little")[:, 0]
    del seen
    a["nvisits"] = np.bincount(h, minlength=n).astype(np.int64)
    np.minimum.at(a["first_visit"], h, t)
    reach = code <= PARTLY
    hr, tr = h[reach], t[reach]
    np.minimum.at(a["first_reach"], hr, tr)
    # (values of the array's own dtype: numpy's fast path for ufunc.at)
    np.maximum.at(a["persons"], hr, persons[reach].astype(np.int64))
    np.maximum.at(a["returnees"], hr, returnees[reach].astype(np.int64))
    ver = code[reach] == VERIFIED
    np.maximum.at(a["ver_max"], hr[ver], tr[ver])
    del hr, tr, ver
    other = np.flatnonzero(~reach)  # the latest unreached outcome, by time then by visit id
    del reach
    if len(other):
        oh, ot, oc = h[other], t[other], code[other]
        nah = oc == NOT_AT_HOME
        np.minimum.at(a["nah_min"], oh[nah], ot[nah])
        last_at = a["last_at"]
        np.maximum.at(last_at, oh, ot)
        top = np.flatnonzero(ot == last_at[oh])  # visits at their household's latest time
        a["last_code"][oh[top]] = oc[top]
        ties = np.bincount(oh[top], minlength=n)
        tied = top[ties[oh[top]] > 1]
        if len(tied):  # the same latest time twice: the larger visit id wins
            best: dict[int, tuple[str, int]] = {}
            ids = vid_at(other[tied])
            for hh, vid, cc in zip(oh[tied].tolist(), ids, oc[tied].tolist(), strict=True):
                cur = best.get(hh)
                if cur is None or vid > cur[0]:
                    best[hh] = (vid, cc)
            for hh, (_vid, cc) in best.items():
                a["last_code"][hh] = cc
    return CoverageReport(frame, st, _tally(frame, st), rejects, conflicts, duplicates)  # type: ignore[arg-type]


def _tally(frame: _Frame, st: _State) -> list[list[int]]:
    """:func:`gridgov.sweep.state.tally` in arrays: per household, then up the tree.

    One field at a time (a boolean mask a household, or the values of the
    households it counts), summed by unit with an exact int64 ``add.at``, then
    rolled up as differences of a cumulative sum over the pre-order."""
    tree = frame.tree
    cols_of = getattr(tree, "columns", None)
    size = cols_of.size if cols_of is not None else np.array(tree.index.size, dtype=np.int64)
    n_units = len(size)
    start = np.arange(n_units)
    a = st.arrays
    fa = frame.arrays
    attach = fa["attach"]
    out: list[list[int]] = [[] for _ in range(F)]

    def put(field: int, where: Any, values: Any = None) -> None:
        cs = np.zeros(n_units + 1, dtype=np.int64)
        if where is None:
            np.add.at(cs[1:], attach, values)
        elif values is None:
            np.add.at(cs[1:], attach[where], 1)
        else:
            np.add.at(cs[1:], attach[where], values[where])
        np.cumsum(cs, out=cs)
        out[field] = (cs[start + size] - cs[start]).tolist()

    status = st.statuses()
    invalid = (status > PARTLY) & ((status == VACANT) | (fa["register_invalid"] == 1))
    valid = ~invalid
    put(I_HOUSEHOLDS, None, np.ones(len(status), dtype=np.int64))
    put(I_DISCOVERED, fa["discovered"] == 1)
    put(I_INVALID, invalid)
    del invalid
    for code, field in enumerate(_STATUS_FIELD):
        if field >= 0:
            put(field, valid & (status == code))
    put(I_NO_CENTRAL, valid & (fa["no_central"] == 1))
    visited = valid & (a["nvisits"] > 0)
    del valid
    put(I_VISITED, visited)
    nah_ever = visited & ((a["mask"] & (1 << NOT_AT_HOME)) != 0)
    put(I_NAH_EVER, nah_ever)
    put(I_CONVERTED, nah_ever & (a["nah_min"] < a["ver_max"]))
    del nah_ever
    reached = visited & (status <= PARTLY)
    del visited, status
    put(I_PERSONS, reached, a["persons"])  # exact: at most 2**31 a household
    put(I_RETURNEES, reached, a["returnees"])
    put(I_VISITS, None, a["nvisits"])
    return out
