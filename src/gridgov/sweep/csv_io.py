"""Households as CSV, and the chunked row reader batch coverage reads files with.

Households: ``id,building,floor,occupancy`` plus optional ``door`` and
``discovered`` (``true``/``false``/``1``/``0``/``yes``/``no``, empty = false);
``floor`` may be empty, else a whole number by :mod:`gridgov.numbers` (a
basement is ``-1``; ``1_000`` or ``٣`` are not floors); ``occupancy`` is one
of ``permanent``, ``rental``, ``vacant``, ``commercial``, ``moved-out``
(empty = permanent), spelled as :mod:`gridgov.spelling` reads enumerated
values (``Moved out``, ``MOVED_OUT``).

Visits are in the one visit format of :mod:`gridgov.sweep.visit_format`; its
row parser is what the fast path (:mod:`gridgov.sweep.csv_coverage`) uses on
the chunks read here.

Malformed input raises :class:`~gridgov.errors.InvalidInput` naming file, row
and field for every problem (the first 100, then a count).

Rows are read in chunks as columns: a plain ``str.split`` when the file has no
quotes, the ``csv`` module otherwise.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from operator import methodcaller
from pathlib import Path

from gridgov.csvrows import DIALECT, csv_error, header_positions
from gridgov.errors import InvalidInput, SourceProblem
from gridgov.numbers import MIN_INT, parse_int_or_none
from gridgov.spelling import lookup_enum, unknown_message
from gridgov.sweep.frame import HouseholdFrame
from gridgov.sweep.intake import place as check_visit
from gridgov.sweep.model import Household, Occupancy, Visit
from gridgov.sweep.report import Reject
from gridgov.sweep.visit_format import ErrorList, VisitRowParser
from gridgov.sweep.visit_format import read_visits as read_visits
from gridgov.sweep.visit_format import visits_csv_text as visits_csv_text

HOUSEHOLD_COLUMNS = ("id", "building", "floor", "occupancy")
HOUSEHOLD_OPTIONAL = ("door", "discovered")

_TRUE = {"true": 1, "1": 1, "yes": 1, "false": 0, "0": 0, "no": 0, "": 0}


class _Occupancies(dict[str, Occupancy | None]):
    """Occupancy texts to values, each distinct spelling looked up once."""

    def __missing__(self, text: str) -> Occupancy | None:
        got = Occupancy.PERMANENT if not text.strip() else lookup_enum(Occupancy, text)
        self[text] = got
        return got


_BAD = MIN_INT - 1
"""What :func:`_floor_of` gives for a cell that is not a floor: no floor (basements are
negative, ``-1`` is a floor) can be it, as :func:`~gridgov.numbers.parse_int` stays 64-bit."""


def _floor_of(text: str) -> int | None:
    """A floor cell: a whole number (:mod:`gridgov.numbers`), ``None`` if empty, or :data:`_BAD`."""
    text = text.strip()
    if not text:
        return None
    floor = parse_int_or_none(text)
    return _BAD if floor is None else floor


HouseholdColumns = tuple[
    list[str], list[str], list[int | None], list[Occupancy], list[int], list[str], list[int]
]


_Errors = ErrorList


def _read_text(path: str | Path) -> str:
    from gridgov.utf8 import read_utf8

    return read_utf8(path)


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
            raise InvalidInput([SourceProblem("empty file: no header row", row=1, file=file)])
        return [h.strip() for h in first.split(",")]
    reader = csv.reader(io.StringIO(text, newline=""), **DIALECT)  # type: ignore[arg-type]
    try:
        rec = next(reader, None)
    except csv.Error as exc:
        raise InvalidInput([csv_error(exc, row=1, file=file)]) from None
    if not rec:
        raise InvalidInput([SourceProblem("empty file: no header row", row=1, file=file)])
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
        limit = csv.field_size_limit()  # the csv module's limit, kept by the split path too
        for c0 in range(1, len(lines), CHUNK):
            chunk = lines[c0 : c0 + CHUNK]
            rows: Sequence[int]
            if set(map(count_commas, chunk)) == {commas} and max(map(len, chunk)) <= limit:
                good = chunk
                rows = range(c0 + 1, c0 + 1 + len(chunk))
            else:
                good, rows = [], []
                for k, line in enumerate(chunk):
                    n = line.count(",")
                    if len(line) > limit and max(map(len, line.split(","))) > limit:
                        errs.add(f"field longer than {limit} characters", None, c0 + 1 + k)
                    elif n == commas:
                        good.append(line)
                        rows.append(c0 + 1 + k)
                    elif line.strip():
                        errs.add(f"expected {width} fields, found {n + 1}", None, c0 + 1 + k)
            flat = ",".join(good).split(",") if good else []
            yield _Chunk(rows, good, [flat[i::width] for i in range(width)])
        return
    reader = csv.reader(io.StringIO(text, newline=""), **DIALECT)  # type: ignore[arg-type]
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
        errs.add(csv_error(exc, row=last + 1, file=file).message, None, last + 1)
    if recs:
        yield _Chunk(nums, ["\x1f".join(r) for r in recs], _transpose(recs, width))


def _transpose(recs: list[list[str]], width: int) -> list[Sequence[str]]:
    return [list(c) for c in zip(*recs, strict=True)] if recs else [[] for _ in range(width)]


def _columns(
    header: list[str], required: tuple[str, ...], optional: tuple[str, ...], file: str
) -> dict[str, int]:
    return header_positions(header, fields=required + optional, required=required, file=file)


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
    occ_of = _Occupancies().__getitem__
    fcache: dict[str, int | None] = {"": None}
    bad = _BAD

    def floor_of(text: str) -> int | None:
        got = fcache.get(text, bad)
        if got == bad:
            got = fcache[text] = _floor_of(text)
        return got

    def disc_of(text: str) -> int:
        return _TRUE.get(text.strip().lower(), bad)

    strip = str.strip
    for ch in _chunks(text, file, width, errs):
        cols = ch.cols
        n = len(ch.rows)
        o_c = list(map(occ_of, cols[i_o]))
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
            o, fl, d = o_c[k], f_c[k], d_c[k]
            if fl == bad:
                errs.add(f"not a whole number: {cols[i_f][k]!r}", "floor", row)
            if o is None:
                errs.add(unknown_message(Occupancy, cols[i_o][k], "occupancy"), "occupancy", row)
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
    return [h for _, h in read_household_rows(path)]


def read_household_rows(path: str | Path) -> list[tuple[int, Household]]:
    """``(row, household)`` of every household of a CSV; every bad row is reported."""
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
        (r, Household(i, b, f, d, o, bool(x)))
        for r, i, b, f, o, x, d in zip(rows, ids, buildings, floors, occ, disc, doors, strict=True)
    ]


# -- visits ------------------------------------------------------------------------


def _careful(
    p: VisitRowParser, f: list[str], row: int, frame: HouseholdFrame, file: str
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
