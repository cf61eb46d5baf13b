"""Households and visits as CSV, and batch coverage straight from the files.

Households: ``id,building,floor,occupancy`` plus optional ``door`` and
``discovered`` (``true``/``false``/``1``/``0``/``yes``/``no``, empty = false);
``floor`` may be empty; ``occupancy`` is one of ``permanent``, ``rental``,
``vacant``, ``commercial``, ``moved-out`` (empty = permanent).

Visits: ``id,household,at,visitor,outcome`` plus optional ``persons`` (persons
seen and registered), ``returnees``, ``sweep`` and ``note``. ``at`` is ISO 8601
(``2020-02-10T09:30:00+08:00``; naive times follow the sweep's zone rule, see
:mod:`gridgov.sweep.rules`); ``outcome`` is one of ``verified``,
``partly-verified``, ``not-at-home``, ``refused``, ``vacant-confirmed``,
``no-access``. Columns may come in any order; unknown columns are an error.

Malformed input (a missing column, a wrong number of fields, an unreadable
time, outcome or number) raises :class:`~gridgov.errors.InvalidInput` naming
file, row and field for every problem (the first 100, then a count). Visits
that are well formed but cannot count (unknown household, outside the window,
another sweep) are *rejects* in the report, never errors.

Rows are read in chunks as columns: a plain ``str.split`` when the file has no
quotes, the ``csv`` module otherwise. The chunk reader and the careful row
parser here are shared with the fast path, :mod:`gridgov.sweep.csv_coverage`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator, Sequence
from operator import methodcaller
from pathlib import Path

from gridgov.errors import InvalidInput, SourceError
from gridgov.sweep.coverage import check_visit
from gridgov.sweep.frame import HouseholdFrame
from gridgov.sweep.model import Household, Occupancy, Outcome, Visit
from gridgov.sweep.report import Reject
from gridgov.sweep.rules import (
    TEXT_CODES,
)

HOUSEHOLD_COLUMNS = ("id", "building", "floor", "occupancy")
HOUSEHOLD_OPTIONAL = ("door", "discovered")
VISIT_COLUMNS = ("id", "household", "at", "visitor", "outcome")
VISIT_OPTIONAL = ("persons", "returnees", "sweep", "note")
MAX_ERRORS = 100

_TRUE = {"true": 1, "1": 1, "yes": 1, "false": 0, "0": 0, "no": 0, "": 0}
_OCC = {o.value: o for o in Occupancy}
_OCC[""] = Occupancy.PERMANENT

HouseholdColumns = tuple[
    list[str], list[str], list[int | None], list[Occupancy], list[int], list[str], list[int]
]


class _Errors:
    """Collects errors, keeping the first :data:`MAX_ERRORS` and counting the rest."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.items: list[SourceError] = []
        self.more = 0

    def add(self, message: str, field: str | None, row: int | None) -> None:
        if len(self.items) < MAX_ERRORS:
            self.items.append(SourceError(message, field=field, row=row, file=self.file))
        else:
            self.more += 1

    def raise_if_any(self) -> None:
        if self.items:
            items = list(self.items)
            if self.more:
                items.append(SourceError(f"... and {self.more} more errors", file=self.file))
            raise InvalidInput(items)


def _read_text(path: str | Path) -> str:
    p = Path(path)
    data = p.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InvalidInput(
            [SourceError(f"not UTF-8 text (byte {exc.start})", row=line, file=str(p))]
        ) from None


def _plain(text: str) -> bool:
    """Whether ``text`` can be split on commas and newlines (no quotes, no CR)."""
    return '"' not in text and "\r" not in text


CHUNK = 65_536
"""Rows handled per chunk: columns are built per chunk, so memory stays bounded."""


class _Chunk:
    """Well-formed rows of one chunk: row numbers, raw texts and columns."""

    __slots__ = ("cols", "raws", "rows")

    def __init__(self, rows: Sequence[int], raws: list[str], cols: list[Sequence[str]]) -> None:
        self.rows = rows
        self.raws = raws
        self.cols = cols

    def fields(self, k: int) -> list[str]:
        """The fields of the ``k``-th row of the chunk."""
        return [c[k] for c in self.cols]


def _header(text: str, file: str) -> list[str]:
    if _plain(text):
        first = text.split("\n", 1)[0]
        if not first.strip():
            raise InvalidInput([SourceError("empty file: no header row", row=1, file=file)])
        return [h.strip() for h in first.split(",")]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        rec = next(reader, None)
    except csv.Error as exc:
        raise InvalidInput([SourceError(f"malformed CSV: {exc}", row=1, file=file)]) from None
    if not rec:
        raise InvalidInput([SourceError("empty file: no header row", row=1, file=file)])
    return [h.strip() for h in rec]


def _chunks(text: str, file: str, width: int, errs: _Errors) -> Iterator[_Chunk]:
    """The rows after the header in chunks; rows of the wrong width become errors.

    ``raws`` hold the line itself for a plain file, else the fields joined by US (0x1f).
    """
    if _plain(text):
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        commas = width - 1
        count_commas = methodcaller("count", ",")
        for c0 in range(1, len(lines), CHUNK):
            chunk = lines[c0 : c0 + CHUNK]
            rows: Sequence[int]
            if set(map(count_commas, chunk)) == {commas}:
                good = chunk
                rows = range(c0 + 1, c0 + 1 + len(chunk))
            else:
                good, rows = [], []
                for k, line in enumerate(chunk):
                    n = line.count(",")
                    if n == commas:
                        good.append(line)
                        rows.append(c0 + 1 + k)
                    elif line.strip():
                        errs.add(f"expected {width} fields, found {n + 1}", None, c0 + 1 + k)
            flat = ",".join(good).split(",") if good else []
            yield _Chunk(rows, good, [flat[i::width] for i in range(width)])
        return
    reader = csv.reader(io.StringIO(text, newline=""))
    last = 0
    recs: list[list[str]] = []
    nums: list[int] = []
    try:
        for record in reader:
            start = last + 1
            last = reader.line_num
            if start == 1:
                continue  # the header
            if len(record) == width:
                recs.append(record)
                nums.append(start)
            elif record and not (len(record) == 1 and not record[0].strip()):
                errs.add(f"expected {width} fields, found {len(record)}", None, start)
            if len(recs) >= CHUNK:
                yield _Chunk(nums, ["\x1f".join(r) for r in recs], _transpose(recs, width))
                recs, nums = [], []
    except csv.Error as exc:
        errs.add(f"malformed CSV: {exc}", None, last + 1)
    if recs:
        yield _Chunk(nums, ["\x1f".join(r) for r in recs], _transpose(recs, width))


def _transpose(recs: list[list[str]], width: int) -> list[Sequence[str]]:
    return [list(c) for c in zip(*recs, strict=True)] if recs else [[] for _ in range(width)]


def _columns(
    header: list[str], required: tuple[str, ...], optional: tuple[str, ...], file: str
) -> dict[str, int]:
    errors = []
    where: dict[str, int] = {}
    for i, name in enumerate(header):
        if name in where:
            errors.append(SourceError("column appears twice", field=name, row=1, file=file))
        elif name not in required and name not in optional:
            errors.append(
                SourceError(
                    f"unknown column (expected {', '.join(required + optional)})",
                    field=name or "(empty)",
                    row=1,
                    file=file,
                )
            )
        where[name] = i
    for name in required:
        if name not in where:
            errors.append(SourceError("missing column", field=name, row=1, file=file))
    if errors:
        raise InvalidInput(errors)
    return where


# -- households --------------------------------------------------------------------


def _household_columns(path: str | Path) -> HouseholdColumns:
    file = str(path)
    text = _read_text(path)
    header = _header(text, file)
    where = _columns(header, HOUSEHOLD_COLUMNS, HOUSEHOLD_OPTIONAL, file)
    width = len(header)
    i_id, i_b, i_f, i_o = (where[c] for c in HOUSEHOLD_COLUMNS)
    i_door, i_disc = where.get("door", -1), where.get("discovered", -1)
    errs = _Errors(file)
    ids: list[str] = []
    buildings: list[str] = []
    floors: list[int | None] = []
    occ: list[Occupancy] = []
    disc: list[int] = []
    doors: list[str] = []
    rows: list[int] = []
    occ_of = _OCC
    fcache: dict[str, int | None] = {"": None}
    bad = -1

    def floor_of(text: str) -> int | None:
        got = fcache.get(text, bad)
        if got == bad:
            try:
                got = int(text.strip()) if text.strip() else None
            except ValueError:
                got = bad
            fcache[text] = got
        return got

    def disc_of(text: str) -> int:
        return _TRUE.get(text.strip().lower(), bad)

    strip = str.strip
    for ch in _chunks(text, file, width, errs):
        cols = ch.cols
        n = len(ch.rows)
        o_c = list(map(occ_of.get, cols[i_o]))
        f_c = list(map(floor_of, cols[i_f]))
        d_c = list(map(disc_of, cols[i_disc])) if i_disc >= 0 else [0] * n
        if None not in o_c and bad not in f_c and bad not in d_c:
            ids.extend(map(strip, cols[i_id]))
            buildings.extend(map(strip, cols[i_b]))
            floors.extend(f_c)
            occ.extend(o_c)  # type: ignore[arg-type]
            disc.extend(d_c)
            doors.extend(cols[i_door] if i_door >= 0 else [""] * n)
            rows.extend(ch.rows)
            continue
        for k in range(n):
            row = ch.rows[k]
            o, fl, d = o_c[k] or occ_of.get(cols[i_o][k].strip()), f_c[k], d_c[k]
            if fl == bad:
                errs.add(f"not a whole number: {cols[i_f][k]!r}", "floor", row)
            if o is None:
                expected = ", ".join(x.value for x in Occupancy)
                errs.add(
                    f"unknown occupancy {cols[i_o][k]!r} (expected {expected})", "occupancy", row
                )
            if d == bad:
                errs.add(f"not true/false: {cols[i_disc][k]!r}", "discovered", row)
            if fl == bad or o is None or d == bad:
                continue
            ids.append(cols[i_id][k].strip())
            buildings.append(cols[i_b][k].strip())
            floors.append(fl)
            occ.append(o)
            disc.append(d)
            doors.append(cols[i_door][k] if i_door >= 0 else "")
            rows.append(row)
    errs.raise_if_any()
    return ids, buildings, floors, occ, disc, doors, rows


def read_households(path: str | Path) -> list[Household]:
    """Read a households CSV (see the module docs); every bad row is reported."""
    ids, buildings, floors, occ, disc, doors, rows = _household_columns(path)
    errs = _Errors(str(path))
    seen: set[str] = set()
    for hid, row in zip(ids, rows, strict=True):
        if not hid:
            errs.add("empty id", "id", row)
        elif hid in seen:
            errs.add(f"household {hid!r} appears twice", "id", row)
        seen.add(hid)
    errs.raise_if_any()
    return [
        Household(i, b, f, d, o, bool(x))
        for i, b, f, o, x, d in zip(ids, buildings, floors, occ, disc, doors, strict=True)
    ]


# -- visits ------------------------------------------------------------------------


class _VisitParser:
    """Turns visit rows into checked values; shared by the object and the fast path."""

    def __init__(self, header: list[str], file: str) -> None:
        self.where = where = _columns(header, VISIT_COLUMNS, VISIT_OPTIONAL, file)
        self.width = len(header)
        self.i_id, self.i_h, self.i_at, self.i_vis, self.i_out = (where[c] for c in VISIT_COLUMNS)
        self.i_p = where.get("persons", -1)
        self.i_r = where.get("returnees", -1)
        self.i_s = where.get("sweep", -1)
        self.i_n = where.get("note", -1)
        self.errors = _Errors(file)

    def count_field(self, f: list[str], i: int, name: str, row: int) -> int | None:
        if i < 0:
            return 0
        text = f[i].strip()
        if not text:
            return 0
        try:
            value = int(text)
        except ValueError:
            value = -1
        if value < 0:
            self.errors.add(f"not a whole number >= 0: {f[i]!r}", name, row)
            return None
        return value

    def time(self, text: str, row: int) -> dt.datetime | None:
        try:
            return dt.datetime.fromisoformat(text.strip())
        except ValueError:
            self.errors.add(f"not an ISO 8601 date-time: {text!r}", "at", row)
            return None

    def visit(self, f: list[str], row: int, sweep_id: str) -> Visit | None:
        """A :class:`Visit` from a row of the right width, or ``None`` (error recorded)."""
        ok = True
        vid = f[self.i_id]
        hid = f[self.i_h]
        if not vid:
            self.errors.add("empty id", "id", row)
            ok = False
        if not hid:
            self.errors.add("empty household", "household", row)
            ok = False
        at = self.time(f[self.i_at], row)
        code = TEXT_CODES.get(f[self.i_out].strip())
        if code is None:
            self.errors.add(
                f"unknown outcome {f[self.i_out]!r} (expected {', '.join(TEXT_CODES)})",
                "outcome",
                row,
            )
        persons = self.count_field(f, self.i_p, "persons", row)
        returnees = self.count_field(f, self.i_r, "returnees", row)
        if not ok or at is None or code is None or persons is None or returnees is None:
            return None
        sweep = f[self.i_s] if self.i_s >= 0 and f[self.i_s] else sweep_id
        return Visit(
            vid,
            sweep,
            hid,
            at,
            f[self.i_vis],
            _OUTCOMES[code],
            persons,
            persons,
            f[self.i_n] if self.i_n >= 0 else "",
            returnees,
        )


_OUTCOMES = tuple(Outcome(v) for v in TEXT_CODES)


def read_visits(path: str | Path, *, sweep: str) -> list[Visit]:
    """Read a visits CSV into :class:`Visit` values (``sweep`` fills a missing sweep column)."""
    file = str(path)
    text = _read_text(path)
    parser = _VisitParser(_header(text, file), file)
    out: list[Visit] = []
    for ch in _chunks(text, file, parser.width, parser.errors):
        for k, row in enumerate(ch.rows):
            v = parser.visit(ch.fields(k), row, sweep)
            if v is not None:
                out.append(v)
    parser.errors.raise_if_any()
    return out


def _careful(
    p: _VisitParser, f: list[str], row: int, frame: HouseholdFrame, file: str
) -> tuple[int, int, Visit] | Reject | None:
    """Parse and check one row the slow, thorough way: ``(h, t, visit)``, a reject or ``None``."""
    v = p.visit(f, row, frame.sweep.id)
    if v is None:
        return None
    checked = check_visit(frame, v)
    if isinstance(checked, str):
        return Reject(v.id, v.household, checked, row, file)
    h, t = checked
    return h, t, v


# -- writing -----------------------------------------------------------------------


def households_csv_text(households: list[Household]) -> str:
    """Households as CSV text (``id,building,floor,occupancy,door,discovered``)."""
    out = io.StringIO(newline="")
    w = csv.writer(out, lineterminator="\n")
    w.writerow((*HOUSEHOLD_COLUMNS, *HOUSEHOLD_OPTIONAL))
    for h in households:
        floor = "" if h.floor is None else str(h.floor)
        disc = "true" if h.discovered else "false"
        w.writerow((h.id, h.building, floor, h.occupancy.value, h.door, disc))
    return out.getvalue()


def visits_csv_text(visits: list[Visit]) -> str:
    """Visits as CSV text (``id,household,at,visitor,outcome,persons,returnees,sweep,note``).

    ``persons`` is ``persons_seen``; ``residents_seen`` is not written.
    """
    out = io.StringIO(newline="")
    w = csv.writer(out, lineterminator="\n")
    w.writerow((*VISIT_COLUMNS, "persons", "returnees", "sweep", "note"))
    for v in visits:
        w.writerow(
            (
                v.id,
                v.household,
                v.at.isoformat(),
                v.visitor,
                v.outcome.value,
                v.persons_seen,
                v.returnees,
                v.sweep,
                v.note,
            )
        )
    return out.getvalue()
