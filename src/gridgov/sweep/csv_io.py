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

:func:`coverage_from_csv` is the fast path: no per-row objects, household →
tree position mapped once, times parsed once per distinct text, integer outcome
codes, and a plain ``str.split`` when the file has no quotes (the ``csv``
module otherwise). It gives exactly the report :func:`gridgov.sweep.coverage`
gives for the same rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator, Sequence
from itertools import repeat
from operator import methodcaller
from pathlib import Path

from gridgov.errors import InvalidInput, SourceError
from gridgov.org.hierarchy import Hierarchy
from gridgov.sweep.coverage import VisitKey, check_visit, render_visit, visit_key
from gridgov.sweep.frame import HouseholdFrame
from gridgov.sweep.model import Household, Occupancy, Outcome, Sweep, Visit
from gridgov.sweep.report import Conflict, CoverageReport, Reject
from gridgov.sweep.rules import (
    INVALID_OCCUPANCY,
    NOT_AT_HOME,
    PARTLY,
    REASON_AFTER,
    REASON_BEFORE,
    TEXT_CODES,
    VERIFIED,
    TimeRule,
    code_of,
)
from gridgov.sweep.state import VisitState, tally

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


def coverage_from_csv(
    tree: Hierarchy,
    households: str | Path,
    visits: str | Path,
    sweep: Sweep,
) -> CoverageReport:
    """Batch coverage of ``sweep`` from a households CSV and a visits CSV (the fast path).

    Rejects carry the visits file and row; conflicts carry the rows of every version.
    """
    ids, buildings, _, occ, disc, _, hrows = _household_columns(households)
    frame = HouseholdFrame.from_columns(
        tree,
        sweep,
        ids,
        buildings,
        disc,
        [1 if o in INVALID_OCCUPANCY else 0 for o in occ],
        file=str(households),
        rows=hrows,
    )
    del ids, buildings, occ, disc, hrows
    file = str(visits)
    text = _read_text(visits)
    p = _VisitParser(_header(text, file), file)
    errs = p.errors
    width = p.width
    i_id, i_h, i_at, i_out, i_p, i_r, i_s = p.i_id, p.i_h, p.i_at, p.i_out, p.i_p, p.i_r, p.i_s
    sweep_id = sweep.id
    index = frame.index
    st = VisitState(len(frame))
    mask, nvisits, first_visit, first_reach = st.mask, st.nvisits, st.first_visit, st.first_reach
    persons_l, returnees_l, ver_max = st.persons, st.returnees, st.ver_max
    last_at, last_id, last_code, nah_min = st.last_at, st.last_id, st.last_code, st.nah_min
    tcache: dict[str, int | str] = {}
    ncache: dict[str, int] = {str(k): k for k in range(100)}
    ncache[""] = 0
    seen: dict[str, str] = {}
    setdefault = seen.setdefault
    rejects: list[Reject] = []
    conflicts: dict[str, list[VisitKey]] = {}
    dirty: set[int] = set()
    duplicates = 0
    times = _TimeParser(frame.rule, tcache)
    sep = "," if _plain(text) else "\x1f"  # how _chunks made each raw row
    index_get, tcache_get, codes_get, n_get = index.get, tcache.get, TEXT_CODES.get, ncache.get
    kept: list[tuple[_Chunk, list[int | None]]] = []
    for ch in _chunks(text, file, width, errs):
        cols = ch.cols
        n = len(ch.rows)
        hx = list(map(index_get, cols[i_h]))
        kept.append((ch, hx))
        for k, row, vid, h, t, code, persons, returnees, sw, raw in zip(
            range(n),
            ch.rows,
            cols[i_id],
            hx,
            map(tcache_get, cols[i_at]),
            map(codes_get, cols[i_out]),
            map(n_get, cols[i_p]) if i_p >= 0 else repeat(0, n),
            map(n_get, cols[i_r]) if i_r >= 0 else repeat(0, n),
            cols[i_s] if i_s >= 0 else repeat("", n),
            ch.raws,
            strict=True,
        ):
            if t is None:
                t = times.parse(cols[i_at][k])
            if (
                h is None
                or t is None
                or code is None
                or persons is None
                or returnees is None
                or not vid
                or (sw and sw != sweep_id)
            ):
                got = _careful(p, ch.fields(k), row, frame, file)
                if got is None:
                    continue
                if isinstance(got, Reject):
                    rejects.append(got)
                    continue
                h, t, v = got
                code, persons, returnees = code_of(v.outcome), v.persons_seen, v.returnees
            elif t.__class__ is str:
                assert isinstance(t, str)
                rejects.append(Reject(vid, cols[i_h][k], t, row, file))
                continue
            prev = setdefault(vid, raw)
            if prev is not raw:
                if prev == raw:
                    duplicates += 1
                    continue
                mine = _key(p, ch.fields(k), row, frame, file)
                keys = conflicts.get(vid)
                if keys is None:
                    first = _key(p, prev.split(sep), 0, frame, file)
                    if first == mine:
                        duplicates += 1
                        continue
                    conflicts[vid] = [first, mine]
                    dirty.add(index[first[1]])
                elif mine in keys:
                    duplicates += 1
                else:
                    keys.append(mine)
                continue
            assert isinstance(t, int)
            mask[h] |= 1 << code
            nvisits[h] += 1
            if t < first_visit[h]:
                first_visit[h] = t
            if code <= PARTLY:
                if t < first_reach[h]:
                    first_reach[h] = t
                if persons > persons_l[h]:
                    persons_l[h] = persons
                if returnees > returnees_l[h]:
                    returnees_l[h] = returnees
                if code == VERIFIED and t > ver_max[h]:
                    ver_max[h] = t
            else:
                la = last_at[h]
                if t > la or (t == la and vid > last_id[h]):
                    last_at[h] = t
                    last_id[h] = vid
                    last_code[h] = code
                if code == NOT_AT_HOME and t < nah_min[h]:
                    nah_min[h] = t
    errs.raise_if_any()
    out: list[Conflict] = []
    if conflicts:
        out = _settle(p, kept, conflicts, dirty, frame, st, file)
    return CoverageReport(frame, st, tally(frame, st), rejects, out, duplicates)


def _key(p: _VisitParser, f: list[str], row: int, frame: HouseholdFrame, file: str) -> VisitKey:
    got = _careful(p, f, row, frame, file)
    assert got is not None  # the row was checked before
    assert not isinstance(got, Reject)
    _, t, v = got
    return visit_key(v, t)


def _household_of(key: VisitKey, index: dict[str, int]) -> int:
    return index[key[1]]


def _settle(
    p: _VisitParser,
    kept: list[tuple[_Chunk, list[int | None]]],
    conflicts: dict[str, list[VisitKey]],
    dirty: set[int],
    frame: HouseholdFrame,
    st: VisitState,
    file: str,
) -> list[Conflict]:
    """Withdraw every version of conflicting ids: rebuild the households they touched.

    Runs only when there are conflicts, over the chunks kept from the main pass;
    it parses only the rows of conflicting ids and of the households to rebuild.
    """
    for h in dirty:
        st.reset(h)
    rows: dict[str, list[int]] = {vid: [] for vid in conflicts}
    versions: dict[str, dict[VisitKey, str]] = {vid: {} for vid in conflicts}
    again: set[str] = set()
    for ch, hx in kept:
        ids = ch.cols[p.i_id]
        hits = [
            k
            for k, (vid, h) in enumerate(zip(ids, hx, strict=True))
            if h in dirty or vid in conflicts
        ]
        for k in hits:
            vid, row = ids[k], ch.rows[k]
            got = _careful(p, ch.fields(k), row, frame, file)
            if got is None or isinstance(got, Reject):
                continue
            h, t, v = got
            if vid in conflicts:
                rows[vid].append(row)
                versions[vid].setdefault(visit_key(v, t), render_visit(v))
            elif vid not in again:
                again.add(vid)
                st.apply(h, vid, t, code_of(v.outcome), v.persons_seen, v.returnees)
    return [
        Conflict(vid, tuple(sorted(versions[vid].values())), tuple(rows[vid]), file)
        for vid in sorted(conflicts)
    ]


class _TimeParser:
    """Visit times to points of the sweep's time line, each distinct text parsed once.

    Texts shaped ``YYYY-MM-DDTHH:MM:SS`` + optional offset share the parse of their
    minute: only the seconds are added. Anything else goes through
    :func:`datetime.datetime.fromisoformat`. Unreadable texts give ``None``.
    """

    __slots__ = ("cache", "minutes", "rule")

    def __init__(self, rule: TimeRule, cache: dict[str, int | str]) -> None:
        self.rule = rule
        self.cache = cache
        self.minutes: dict[str, int | str] = {}

    def parse(self, text: str) -> int | str | None:
        """The point (µs), the reason it is outside the window, or ``None`` when unreadable."""
        rule = self.rule
        sec = text[17:19]
        if (
            len(text) >= 19
            and text[16] == ":"
            and text[19:20] in _OFFSET_START
            and sec.isdigit()
            and sec < "60"
        ):
            key = text[:16] + text[19:]
            base = self.minutes.get(key)
            if base is None:
                try:
                    base = self.minutes[key] = rule.to_us(dt.datetime.fromisoformat(key))
                except ValueError:
                    return None
            if base.__class__ is str:
                t: int | str = base
            else:
                assert isinstance(base, int)
                t = base + int(sec) * 1_000_000
                if t < rule.start_us:
                    t = REASON_BEFORE
                elif t > rule.end_us:
                    t = REASON_AFTER
        else:
            try:
                t = rule.place(dt.datetime.fromisoformat(text))
            except ValueError:
                return None
        self.cache[text] = t
        return t


_OFFSET_START = frozenset({"", "+", "-", "Z"})


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
