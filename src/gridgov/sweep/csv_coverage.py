"""Batch coverage straight from a households CSV and a visits CSV: the fast path.

No per-row objects: rows come in chunks as columns (:mod:`gridgov.sweep.csv_io`),
household → tree position is mapped once, each distinct time text is parsed
once (a parsed minute plus the seconds), outcomes become integer codes, and the
per-household state lives in flat lists. Anything unusual in a row (an unknown
household, an odd time, a number out of the cache) goes through the careful
parser instead, so the result is exactly :func:`gridgov.sweep.coverage` on the
same rows; conflicts are settled at the end over the chunks kept in memory.
"""

from __future__ import annotations

import datetime as dt
from itertools import repeat
from pathlib import Path

from gridgov.engine import Engine, use_columnar
from gridgov.org.hierarchy import Hierarchy
from gridgov.spelling import lookup_enum
from gridgov.sweep.csv_io import (
    _careful,
    _Chunk,
    _chunks,
    _header,
    _household_columns,
    _plain,
    _read_text,
)
from gridgov.sweep.frame import HouseholdFrame
from gridgov.sweep.intake import VisitKey
from gridgov.sweep.intake import identity as visit_key
from gridgov.sweep.intake import render as render_visit
from gridgov.sweep.model import Outcome, Sweep
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
from gridgov.sweep.visit_format import VisitRowParser


def coverage_from_csv(
    tree: Hierarchy,
    households: str | Path,
    visits: str | Path,
    sweep: Sweep,
    *,
    engine: Engine = "auto",
) -> CoverageReport:
    """Batch coverage of ``sweep`` from a households CSV and a visits CSV (the fast path).

    Rejects carry the visits file and row; conflicts carry the rows of every version.
    ``engine`` picks this pure-Python path or the columnar one
    (:mod:`gridgov.sweep.columnar_coverage`; ``"auto"``: columnar for large files
    when installed); both give the same report and the same errors.
    """
    size = Path(households).stat().st_size + Path(visits).stat().st_size
    if use_columnar(engine, size):
        from gridgov.sweep.columnar_coverage import coverage_columns

        report = coverage_columns(tree, Path(households), Path(visits), sweep)
        if report is not None:
            return report
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
    p = VisitRowParser.for_header(_header(text, file), file)
    errs = p.errors
    width = p.width
    i_id, i_h, i_at, i_out, i_p, i_r, i_s = p.i_id, p.i_h, p.i_at, p.i_out, p.i_p, p.i_r, p.i_s
    i_reg = p.i_reg
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
    codes: dict[str, int] = dict(TEXT_CODES)
    index_get, tcache_get, codes_get, n_get = index.get, tcache.get, codes.get, ncache.get
    verified = TEXT_CODES[Outcome.VERIFIED.value]
    kept: list[tuple[_Chunk, list[int | None]]] = []
    for ch in _chunks(text, file, width, errs):
        cols = ch.cols
        n = len(ch.rows)
        hx = list(map(index_get, cols[i_h]))
        kept.append((ch, hx))
        if i_out >= 0:  # every spelling of an outcome (Not at home, NOT_AT_HOME) once a chunk
            for spelled in set(cols[i_out]).difference(codes):
                member = lookup_enum(Outcome, spelled)
                if member is not None:
                    codes[spelled] = code_of(member)
        for k, row, vid, h, t, code, persons, registered, returnees, sw, raw in zip(
            range(n),
            ch.rows,
            cols[i_id],
            hx,
            map(tcache_get, cols[i_at]),
            map(codes_get, cols[i_out]) if i_out >= 0 else repeat(verified, n),
            map(n_get, cols[i_p]) if i_p >= 0 else repeat(0, n),
            map(n_get, cols[i_reg]) if i_reg >= 0 else repeat(0, n),
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
                or registered is None
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


def _key(p: VisitRowParser, f: list[str], row: int, frame: HouseholdFrame, file: str) -> VisitKey:
    got = _careful(p, f, row, frame, file)
    assert got is not None  # the row was checked before
    assert not isinstance(got, Reject)
    _, t, v = got
    return visit_key(v, t)


def _settle(
    p: VisitRowParser,
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
