"""A checked visit CSV in columns, for bulk ingest into a store (the columnar engine).

:func:`read_visit_columns` reads a *plain* CSV of the one visit format
(:mod:`gridgov.sweep.visit_format`: no quotes, no CR, no blank lines; what the
columnar coverage reader reads, :func:`gridgov.sweep.columnar_coverage._table`)
as text columns, and checks every cell by the reference reader's own rules: each
*distinct* cell of the outcome, count and resident columns goes through the
reference parser (:class:`~gridgov.sweep.visit_format.VisitRowParser`) once, and
times of the shapes ``YYYY-MM-DDTHH:MM:SS`` (with ``Z``, ``±HH:MM`` or no
offset) are computed from their bytes (every other distinct time by
:meth:`datetime.datetime.fromisoformat`, as the reference). It returns ``None``
whenever the file is not plain or any row is not a good visit: the reference
reader then reads it and reports every error at its file, row and field, so the
messages are the reference's own. Ids, households, visitors and notes are kept
exactly (texts, leading zeros and spaces included).

:class:`VisitColumns` keeps what a store needs for its rows (see
:meth:`gridgov.store.SqlStore.append_columns`), and makes a :class:`Visit` only
for a row a report names (a rejection or a conflict).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gridgov._arrow import encode, from_numpy, strings, to_numpy
from gridgov.sweep.intake_bulk import json_texts, text
from gridgov.sweep.model import Outcome, Visit
from gridgov.sweep.rules import _EPOCH_AWARE, _EPOCH_NAIVE, OUTCOME_CODES, TimeRule
from gridgov.sweep.visit_format import FIELDS, VisitRowParser, field_key

_ONE_US = dt.timedelta(microseconds=1)
_INT64_MAX = 2**63 - 1
_WIDE = 2**62
_NAIVE_RULE = TimeRule(None, -_WIDE, _WIDE)
_AWARE_RULE = TimeRule(dt.UTC, -_WIDE, _WIDE)


class VisitColumns:
    """Every visit of a checked plain CSV, in columns (row ``k`` is file row ``k + 2``).

    Text columns are Arrow string arrays; ``us`` holds each time's instant in µs
    since 1970 (UTC) for a time with an offset (``aware``) and the clock reading
    in µs since the naive epoch for one without; ``at_iso`` is the time as
    :meth:`datetime.datetime.isoformat` writes the parsed value.
    """

    def __init__(self, path: str, cols: dict[str, Any]) -> None:
        self.path = path
        self.id = cols["id"]
        self.sweep = cols["sweep"]
        self.household = cols["household"]
        self.at = cols["at"]
        self.at_iso = cols["at_iso"]
        self.us = cols["us"]
        self.aware = cols["aware"]
        self.visitor = cols["visitor"]
        self.note = cols["note"]
        self.code = cols["code"]
        self.seen = cols["seen"]
        self.registered = cols["registered"]
        self.returnees = cols["returnees"]
        self.residents_json = cols["residents_json"]
        self._residents: list[tuple[str, ...]] = cols["residents"]
        self._residents_code = cols["residents_code"]
        self.count = len(self.us)

    def __len__(self) -> int:
        return self.count

    @classmethod
    def from_visits(cls, visits: list[Visit], *, path: str = "") -> VisitColumns:
        """The columns of visits already read (any text; times by their ISO text)."""
        from gridgov.sweep.intake import _encode

        def col(values: list[str]) -> Any:
            return strings(values)

        at = col([v.at.isoformat() for v in visits])
        times = _times(at)
        assert times is not None
        residents = list(dict.fromkeys(v.residents_seen for v in visits)) or [()]
        where = {r: i for i, r in enumerate(residents)}
        codes = np.array([where[v.residents_seen] for v in visits], dtype=np.int32)
        ints = {
            name: np.array([getattr(v, name) for v in visits], dtype=np.int64)
            for name in ("persons_seen", "persons_registered", "returnees")
        }
        return cls(
            path,
            {
                "id": col([v.id for v in visits]),
                "sweep": col([v.sweep for v in visits]),
                "household": col([v.household for v in visits]),
                "at": at,
                "us": times[0],
                "aware": times[1],
                "at_iso": times[2],
                "visitor": col([v.visitor for v in visits]),
                "note": col([v.note for v in visits]),
                "code": np.array([OUTCOME_CODES[v.outcome] for v in visits], dtype=np.int64),
                "seen": ints["persons_seen"],
                "registered": ints["persons_registered"],
                "returnees": ints["returnees"],
                "residents": residents,
                "residents_code": codes,
                "residents_json": strings([_encode(list(r)) for r in residents]).take(
                    from_numpy(codes)
                ),
            },
        )

    @staticmethod
    def file_row(k: int) -> int:
        """The file row (as a text editor numbers lines; the header is row 1) of visit ``k``."""
        return k + 2

    def visit(self, k: int) -> Visit:
        """The :class:`Visit` of row ``k``, as the reference reader makes it."""
        from gridgov.sweep.rules import CODE_OUTCOMES

        return Visit(
            self.id[k].as_py(),
            self.sweep[k].as_py(),
            self.household[k].as_py(),
            dt.datetime.fromisoformat(self.at[k].as_py().strip()),
            self.visitor[k].as_py(),
            CODE_OUTCOMES[int(self.code[k])],
            int(self.seen[k]),
            int(self.registered[k]),
            self.note[k].as_py(),
            int(self.returnees[k]),
            self._residents[int(self._residents_code[k])],
        )

    def instants(self, rows: Any, rule: TimeRule) -> tuple[Any, Any]:
        """``(t_us, placed)`` of ``rows`` (an index array) under ``rule``
        (:meth:`TimeRule.to_us`: an offset time in a naive sweep cannot be placed)."""
        us = self.us[rows]
        aware = self.aware[rows]
        if rule.zone is None:
            return us, ~aware
        t = us
        naive = np.flatnonzero(~aware)
        if len(naive):
            if isinstance(rule.zone, dt.timezone):
                offset = rule.zone.utcoffset(None) // _ONE_US
                t[naive] = us[naive] - offset
            else:  # a zone with rules: each clock reading in turn
                for k in naive.tolist():
                    got = rule.to_us(_EPOCH_NAIVE + dt.timedelta(microseconds=int(us[k])))
                    assert isinstance(got, int)
                    t[k] = got
        return t, np.ones(len(t), dtype=np.bool_)


def _distinct(col: Any, fn: Any) -> tuple[list[Any], Any]:
    """``fn`` of every distinct cell, and each row's position among them."""
    values, codes = encode(col)
    return [fn(v) for v in values], codes


def _column(cols: dict[str, Any], name: str, n: int, default: str = "") -> Any:
    col = cols.get(name)
    if col is None:
        return pc.cast(_repeat(default, n), pa.string())
    return col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col


def _repeat(value: str, n: int) -> Any:
    """A string array of ``n`` times ``value`` (a dictionary array, decoded)."""
    indices = from_numpy(np.zeros(n, dtype=np.int32))
    return pa.DictionaryArray.from_arrays(indices, strings([value])).cast(pa.string())


def _has_nul(col: Any) -> bool:
    buf = col.buffers()[2]
    return buf is not None and bool(np.any(np.frombuffer(buf, dtype=np.uint8) == 0))


def _times(col: Any) -> tuple[Any, Any, Any] | None:
    """``(us, aware, at_iso)`` of a time column (see :class:`VisitColumns`), or ``None``
    when a time is not an ISO 8601 date-time (the reference names it)."""
    from gridgov.sweep.columnar_coverage import _clock_times

    naive_t = _clock_times(col, _NAIVE_RULE)
    aware_t = _clock_times(col, _AWARE_RULE)
    length = to_numpy(pc.binary_length(col))
    naive = (length == 19) & (naive_t > -_WIDE)
    aware = (length != 19) & (aware_t > -_WIDE)
    us = np.where(naive, naive_t, aware_t)
    iso = col
    fix = aware & (length == 20)  # "Z" is written "+00:00"
    minus_zero = aware & (length == 25)
    if minus_zero.any():  # so is "-00:00"
        tail = pc.utf8_slice_codeunits(col, 19, 25)
        fix |= minus_zero & to_numpy(pc.equal(tail, text("-00:00")))
    if fix.any():
        utc = pc.binary_join_element_wise(
            pc.utf8_slice_codeunits(col, 0, 19), text("+00:00"), text("")
        )
        iso = pc.if_else(from_numpy(fix), utc, col)
    rest = np.flatnonzero(~(naive | aware))
    if len(rest):
        got, codes = _distinct(col.take(from_numpy(rest)), _parse_time)
        if None in got:
            return None
        us[rest] = np.array([g[0] for g in got], dtype=np.int64)[codes]
        aware[rest] = np.array([g[1] for g in got], dtype=np.bool_)[codes]
        iso = pc.replace_with_mask(
            iso, from_numpy(_mask(len(col), rest)), strings([got[c][2] for c in codes.tolist()])
        )
    return us.astype(np.int64), aware, iso


def _mask(n: int, at: Any) -> Any:
    out = np.zeros(n, dtype=np.bool_)
    out[at] = True
    return out


def _parse_time(value: str) -> tuple[int, bool, str] | None:
    try:
        at = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if at.tzinfo is None:
        return (at - _EPOCH_NAIVE) // _ONE_US, False, at.isoformat()
    return (at - _EPOCH_AWARE) // _ONE_US, True, at.isoformat()


def read_visit_columns(path: str | Path, *, sweep: str | None = None) -> VisitColumns | None:
    """The visits of a plain CSV in columns, every row checked; ``None``: the reference
    reader must read it (see the module docs)."""
    from gridgov.sweep.columnar_coverage import _table

    p = Path(path)
    got = _table(p)
    if got is None:
        return None
    header, raw = got
    keys = [field_key(h) for h in header]
    if len(set(keys)) != len(keys) or not set(keys) <= set(FIELDS):
        return None
    if not {"id", "household", "at"} <= set(keys):
        return None
    cols = {k: raw[h] for k, h in zip(keys, header, strict=True)}
    n = len(cols["id"])
    if n == 0:
        return None
    file = str(p)
    parser = VisitRowParser({k: i for i, k in enumerate(keys)}, file, sweep=sweep)
    out: dict[str, Any] = {}
    for name in ("id", "household", "at", "visitor", "note"):
        out[name] = _column(cols, name, n)
        if _has_nul(out[name]):
            return None
    for name in ("id", "household"):
        if np.any(to_numpy(pc.binary_length(out[name])) == 0):
            return None
    sweeps = _column(cols, "sweep", n)
    empty = to_numpy(pc.binary_length(sweeps)) == 0
    if empty.any():
        if not sweep:
            return None
        sweeps = pc.if_else(from_numpy(empty), text(sweep), sweeps)
    if _has_nul(sweeps):
        return None
    out["sweep"] = sweeps
    times = _times(out["at"])
    if times is None:
        return None
    out["us"], out["aware"], out["at_iso"] = times
    if "outcome" in cols:
        outcomes, codes = _distinct(_column(cols, "outcome", n), lambda v: parser.outcome(v, 0))
        if None in outcomes:
            return None
        out["code"] = np.array([OUTCOME_CODES[o] for o in outcomes], dtype=np.int64)[codes]
    else:
        out["code"] = np.full(n, OUTCOME_CODES[Outcome.VERIFIED], dtype=np.int64)
    counts: dict[str, Any] = {}
    for name in ("persons", "persons_seen", "persons_registered", "returnees"):
        if name in cols:
            values, codes = _distinct(
                _column(cols, name, n), lambda v, f=name: parser.count(v, f, 0)
            )
            if any(v is None or v > _INT64_MAX for v in values):
                return None
            counts[name] = np.array(values, dtype=np.int64)[codes]
    zero = np.zeros(n, dtype=np.int64)
    persons = counts.get("persons", zero)
    out["seen"] = counts.get("persons_seen", persons)
    out["registered"] = counts.get("persons_registered", persons)
    out["returnees"] = counts.get("returnees", zero)
    if "residents_seen" in cols:
        residents, rcodes = _distinct(
            _column(cols, "residents_seen", n), lambda v: parser.residents(v, 0)
        )
        if None in residents:
            return None
    else:
        residents, rcodes = [()], np.zeros(n, dtype=np.int32)
    from gridgov.sweep.intake import _encode

    out["residents"] = residents
    out["residents_code"] = rcodes
    out["residents_json"] = strings([_encode(list(r)) for r in residents]).take(from_numpy(rcodes))
    if parser.errors:
        return None
    return VisitColumns(file, out)


def doc_texts(cols: VisitColumns, keep: Any, parts: dict[str, Any]) -> Any:
    """The stored document (:func:`gridgov.store.codec.doc`) of the rows ``keep``, from
    the JSON texts of their ``at``, ``sweep``, ``household``, ``visitor``, ``note``,
    ``outcome``, ``seen``, ``registered``, ``returnees`` and ``residents`` (``parts``: made
    once for the digests' identity too)."""
    from gridgov.sweep.intake_bulk import join

    take = from_numpy(keep)
    pieces = [
        text('{"at":'),
        parts["at"],
        text(',"household":'),
        parts["household"],
        text(',"id":'),
        json_texts(cols.id.take(take)),
        text(',"note":'),
        parts["note"],
        text(',"outcome":'),
        parts["outcome"],
        text(',"persons_registered":'),
        parts["registered"],
        text(',"persons_seen":'),
        parts["seen"],
        text(',"residents_seen":'),
        parts["residents"],
        text(',"returnees":'),
        parts["returnees"],
        text(',"sweep":'),
        parts["sweep"],
        text(',"visitor":'),
        parts["visitor"],
        text("}"),
    ]
    return join(pieces)
