"""Visits in SQL stores: append-only versions, resolutions, and coverage rolled up in SQL.

Every version of a visit id is a row of ``visit_versions``, unique by
``(sweep, id, digest)`` (the digest of its content, :mod:`gridgov.sweep.intake`),
and every id a row of ``visit_ids``. Whether an id or a version is new is
decided *inside the database* within the writing transaction: SQLite holds its
write lock from the start of it, PostgreSQL decides in ``INSERT ... ON
CONFLICT DO NOTHING RETURNING`` statements (the second of two writers of one
id waits for the first to commit). So two writers of the same ids at the same
time each learn exactly what they stored, and no differing version is lost.

:meth:`VisitsSql.sweep_counts` computes the intake's counting rule and the
coverage rules (:mod:`gridgov.sweep.rules`) in one SQL query per sweep: only
per-position sums come back to Python, to be rolled up the tree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from gridgov.store import codec
from gridgov.store.port import AppendResult, StoredVersion, VisitOutbox, VisitVersions
from gridgov.store.versions import (
    VersionRow,
    append_counts,
    append_report,
    append_result,
    check_keep,
    check_same_zone,
    prepare,
    time_rule,
)
from gridgov.sweep.intake import VersionKey
from gridgov.sweep.model import Household, Sweep, Visit
from gridgov.sweep.report import Counts
from gridgov.sweep.rules import INVALID_OCCUPANCY
from gridgov.sweep.state import FIELDS

if TYPE_CHECKING:
    from gridgov.store.bulk_rows import BulkRows
    from gridgov.store.visit_columns import VisitColumns

CHUNK = 500
PAGE = 5000

VERSION_COLUMNS = "sweep, id, digest, household, t_us, code, persons, returnees, doc"


def version_values(row: VersionRow) -> tuple[Any, ...]:
    """The values of :data:`VERSION_COLUMNS` for one version row."""
    return (
        row.sweep,
        row.id,
        row.digest,
        row.household,
        row.t_us,
        row.code,
        row.persons,
        row.returnees,
        codec.doc(row.visit),
    )


def household_values(h: Household) -> tuple[Any, ...]:
    """``(id, building, doc, discovered, register_invalid)`` of a household row."""
    return (
        h.id,
        h.building,
        codec.doc(h),
        1 if h.discovered else 0,
        1 if h.occupancy in INVALID_OCCUPANCY else 0,
    )


_SUMS = (
    # (counter, SQL summed per household row of ``flags``) in :data:`FIELDS` order
    ("households", "1"),
    ("discovered", "disc"),
    ("invalid", "inv"),
    ("verified", "CASE WHEN inv = 0 AND status = 0 THEN 1 ELSE 0 END"),
    ("partly_verified", "CASE WHEN inv = 0 AND status = 1 THEN 1 ELSE 0 END"),
    ("not_at_home", "CASE WHEN inv = 0 AND status = 2 THEN 1 ELSE 0 END"),
    ("refused", "CASE WHEN inv = 0 AND status = 3 THEN 1 ELSE 0 END"),
    ("no_access", "CASE WHEN inv = 0 AND status = 5 THEN 1 ELSE 0 END"),
    ("not_visited", "CASE WHEN inv = 0 AND status = 6 THEN 1 ELSE 0 END"),
    ("visited", "CASE WHEN inv = 0 AND nv > 0 THEN 1 ELSE 0 END"),
    ("not_at_home_ever", "CASE WHEN inv = 0 AND nv > 0 AND nah = 1 THEN 1 ELSE 0 END"),
    (
        "converted",
        "CASE WHEN inv = 0 AND nv > 0 AND nah = 1 AND nah_min < ver_max THEN 1 ELSE 0 END",
    ),
    ("persons", "CASE WHEN inv = 0 AND nv > 0 AND status <= 1 THEN persons ELSE 0 END"),
    ("returnees", "CASE WHEN inv = 0 AND nv > 0 AND status <= 1 THEN returnees ELSE 0 END"),
    ("no_central", "CASE WHEN inv = 0 THEN nc ELSE 0 END"),
    ("visits", "nv"),
)
assert tuple(name for name, _ in _SUMS) == FIELDS

COUNTS_SQL = (
    "WITH sw AS ("
    " SELECT s.start_us AS lo_t, s.end_us AS hi_t, u.pos AS lo, u.pos + u.size - 1 AS hi"
    " FROM sweeps s JOIN units u ON u.id = s.scope WHERE s.id = ?),"
    # the sweep's households: counted at their own unit when they are one, else their building
    " hh AS ("
    " SELECT h.id, COALESCE(uh.pos, ub.pos) AS p, h.discovered AS disc, h.register_invalid AS ri,"
    " CASE WHEN cl.household IS NULL THEN 1 ELSE 0 END AS nc"
    " FROM households h JOIN units ub ON ub.id = h.building"
    " LEFT JOIN units uh ON uh.id = h.id"
    " LEFT JOIN central_links cl ON cl.household = h.id CROSS JOIN sw"
    " WHERE (uh.pos IS NULL OR uh.pos BETWEEN ub.pos AND ub.pos + ub.size - 1)"
    " AND COALESCE(uh.pos, ub.pos) BETWEEN sw.lo AND sw.hi),"
    # versions the intake places: in the window, to a household of the sweep
    " placed AS ("
    " SELECT v.id, v.digest, v.household, v.t_us, v.code, v.persons, v.returnees"
    " FROM visit_versions v JOIN hh ON hh.id = v.household CROSS JOIN sw"
    " WHERE v.sweep = ? AND v.t_us BETWEEN sw.lo_t AND sw.hi_t),"
    " kept AS ("
    " SELECT r.id, r.digest FROM visit_resolutions r WHERE r.sweep = ? AND r.seq = ("
    " SELECT MAX(r2.seq) FROM visit_resolutions r2 WHERE r2.sweep = r.sweep AND r2.id = r.id)),"
    " ids AS (SELECT id, COUNT(*) AS nd FROM placed GROUP BY id),"
    # the counting policy: the only version, or the kept one
    " counted AS ("
    " SELECT p.* FROM placed p JOIN ids ON ids.id = p.id LEFT JOIN kept k ON k.id = p.id"
    " WHERE (k.id IS NULL AND ids.nd = 1) OR k.digest = p.digest),"
    " per_h AS ("
    " SELECT household AS hid, COUNT(*) AS nv,"
    " MAX(CASE WHEN code = 0 THEN 1 ELSE 0 END) AS ver,"
    " MAX(CASE WHEN code = 1 THEN 1 ELSE 0 END) AS part,"
    " MAX(CASE WHEN code = 2 THEN 1 ELSE 0 END) AS nah,"
    " MIN(CASE WHEN code = 2 THEN t_us END) AS nah_min,"
    " MAX(CASE WHEN code = 0 THEN t_us END) AS ver_max,"
    " MAX(CASE WHEN code <= 1 THEN persons ELSE 0 END) AS persons,"
    " MAX(CASE WHEN code <= 1 THEN returnees ELSE 0 END) AS returnees"
    " FROM counted GROUP BY household),"
    # the latest unreached outcome (by time, then visit id in code point order)
    " last_u AS ("
    " SELECT household AS hid, code, ROW_NUMBER() OVER ("
    " PARTITION BY household ORDER BY t_us DESC, id{binary} DESC) AS rn"
    " FROM counted WHERE code >= 2),"
    " st AS ("
    " SELECT hh.p, hh.disc, hh.ri, hh.nc, COALESCE(ph.nv, 0) AS nv, COALESCE(ph.nah, 0) AS nah,"
    " ph.nah_min, ph.ver_max, COALESCE(ph.persons, 0) AS persons,"
    " COALESCE(ph.returnees, 0) AS returnees,"
    " CASE WHEN ph.ver = 1 THEN 0 WHEN ph.part = 1 THEN 1"
    " WHEN lu.code IS NOT NULL THEN lu.code ELSE 6 END AS status"
    " FROM hh LEFT JOIN per_h ph ON ph.hid = hh.id"
    " LEFT JOIN last_u lu ON lu.hid = hh.id AND lu.rn = 1),"
    " flags AS ("
    " SELECT st.*, CASE WHEN status > 1 AND (status = 4 OR ri = 1) THEN 1 ELSE 0 END AS inv"
    " FROM st)"
    " SELECT p, " + ", ".join(f"SUM({expr})" for _, expr in _SUMS) + " FROM flags GROUP BY p"
)
"""Per attach position, the sums of :data:`gridgov.sweep.state.FIELDS` for one sweep."""


class VisitsSql:
    """The visit methods of :class:`gridgov.store.SqlStore` (a mixin; see the module docs)."""

    _scopes: tuple[str, ...]
    _binary = ""
    """What makes an ``ORDER BY`` on ids compare code points (PostgreSQL: ``COLLATE "C"``)."""

    # provided by SqlStore
    def _tx(self, *, bulk: bool = False) -> AbstractContextManager[Any]:
        raise NotImplementedError

    def _rd(self) -> AbstractContextManager[Any]:
        raise NotImplementedError

    def _q(self, cur: Any, text: str, params: Sequence[Any] = ()) -> list[Any]:
        raise NotImplementedError

    def _sql(self, text: str) -> str:
        raise NotImplementedError

    def _check_open(self) -> None:
        raise NotImplementedError

    def _enqueue(self, cur: Any, event: Any, channels: Iterable[str]) -> int:
        raise NotImplementedError

    def _unit_clause(self, column: str) -> tuple[str, list[Any]]:
        raise NotImplementedError

    def _existing(
        self, cur: Any, table: str, values: Iterable[str], *, doc: bool = True
    ) -> dict[str, Any]:
        """``{id: doc}`` (or ``{id: None}``) of the rows of ``table`` among ``values``."""
        out: dict[str, Any] = {}
        keys = sorted(set(values))
        cols = "id, doc" if doc else "id, NULL"
        for i in range(0, len(keys), CHUNK):
            part = keys[i : i + CHUNK]
            marks = ", ".join("?" * len(part))
            for row in self._q(cur, f"SELECT {cols} FROM {table} WHERE id IN ({marks})", part):
                out[row[0]] = row[1]
        return out

    # -- writing ------------------------------------------------------------------------
    def _insert_versions(
        self, cur: Any, rows: list[VersionRow]
    ) -> tuple[set[tuple[str, str]], set[VersionKey]]:
        """Claim ids and insert versions (numbered in arrival order); what was new.

        Right for a database that admits one writer at a time and whose transaction
        holds the write lock from its start (SQLite's ``BEGIN IMMEDIATE``): what this
        transaction reads cannot change before it commits. A backend with concurrent
        writers must decide in its ``INSERT`` statements instead (PostgreSQL does).
        """
        stored: set[VersionKey] = set()
        known: set[tuple[str, str]] = set()
        for sweep, vid, d, _ in self._stored_rows(cur, {(r.sweep, r.id) for r in rows}, False):
            stored.add((sweep, vid, d))
            known.add((sweep, vid))
        new_ids = [p for p in dict.fromkeys((r.sweep, r.id) for r in rows) if p not in known]
        new_versions: dict[VersionKey, VersionRow] = {}
        for row in rows:
            if row.key not in stored and row.key not in new_versions:
                new_versions[row.key] = row
        cur.executemany(
            self._sql("INSERT INTO visit_ids (sweep, id) VALUES (?, ?) ON CONFLICT DO NOTHING"),
            new_ids,
        )
        cur.executemany(
            self._sql(
                f"INSERT INTO visit_versions ({VERSION_COLUMNS})"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sweep, id, digest) DO NOTHING"
            ),
            [version_values(r) for r in new_versions.values()],
        )
        return set(new_ids), set(new_versions)

    def _versions_of(
        self, cur: Any, pairs: set[tuple[str, str]]
    ) -> dict[tuple[str, str], list[tuple[str, Visit]]]:
        """Stored versions ``[(digest, visit)]`` of ``(sweep, id)`` pairs, oldest first."""
        out: dict[tuple[str, str], list[tuple[str, Visit]]] = {}
        for sweep, vid, d, doc in self._stored_rows(cur, pairs, True):
            out.setdefault((sweep, vid), []).append((d, codec.visit_from(doc)))
        return out

    def _stored_rows(
        self, cur: Any, pairs: set[tuple[str, str]], doc: bool
    ) -> list[tuple[str, str, str, Any]]:
        """``(sweep, id, digest, doc or None)`` of every stored version of ``pairs``, oldest
        first (looked up by sweep and ids, through the ``(sweep, id, digest)`` index)."""
        by_sweep: dict[str, list[str]] = {}
        for sweep, vid in pairs:
            by_sweep.setdefault(sweep, []).append(vid)
        found: list[Any] = []
        cols = "seq, sweep, id, digest, doc" if doc else "seq, sweep, id, digest, NULL"
        for sweep, ids in by_sweep.items():
            ids.sort()
            for i in range(0, len(ids), CHUNK):
                part = ids[i : i + CHUNK]
                marks = ", ".join("?" * len(part))
                found.extend(
                    self._q(
                        cur,
                        f"SELECT {cols} FROM visit_versions WHERE sweep = ? AND id IN ({marks})",
                        [sweep, *part],
                    )
                )
        found.sort(key=lambda r: int(r[0]))
        return [(r[1], r[2], r[3], r[4]) for r in found]

    def append_visits(
        self, visits: Iterable[Visit], *, outbox: VisitOutbox | None = None
    ) -> AppendResult:
        """Append a batch of visits in one transaction (see :class:`AppendResult`), with the
        events of ``outbox`` (see :meth:`gridgov.store.port.Store.append_visits`)."""
        batch = list(visits)
        if not batch:
            self._check_open()
            return AppendResult()
        with self._tx() as cur:
            sweeps = {
                sid: codec.sweep_from(doc)
                for sid, doc in self._existing(cur, "sweeps", (v.sweep for v in batch)).items()
            }
            houses = self._existing(cur, "households", (v.household for v in batch), doc=False)
            rows, rejected = prepare(batch, sweeps, houses)
            new_ids, new_versions = self._insert_versions(cur, rows) if rows else (set(), set())
            result = append_result(
                rows, rejected, new_ids, new_versions, lambda pairs: self._versions_of(cur, pairs)
            )
            return self._with_events(cur, result, outbox)

    def _with_events(
        self, cur: Any, result: AppendResult, outbox: VisitOutbox | None
    ) -> AppendResult:
        """Enqueue the events ``outbox`` makes of a batch's result, in its transaction."""
        for event, channels in outbox(result) if outbox is not None else ():
            self._enqueue(cur, event, channels)
        return result

    def append_columns(
        self, cols: VisitColumns, lo: int, hi: int, *, outbox: VisitOutbox | None = None
    ) -> AppendResult:
        """Append rows ``lo:hi`` of a checked visit file in one transaction, with the events
        of ``outbox``.

        The bulk path of :meth:`append_visits`: the same rejections, versions,
        digests, documents and report as :meth:`append_visits` of those rows'
        visits (property-tested), with the rows kept in columns.
        """
        from gridgov.store.bulk_rows import bulk_rows

        self._check_open()
        if hi <= lo:
            return AppendResult()
        # the batch checks its households and sweeps in this transaction and claims every
        # id before inserting its versions: the database need not check each row again
        with self._tx(bulk=True) as cur:
            batch, rejected = bulk_rows(
                cols,
                lo,
                hi,
                lambda ids: {
                    sid: codec.sweep_from(doc)
                    for sid, doc in self._existing(cur, "sweeps", ids).items()
                },
                lambda ids: self._existing(cur, "households", ids, doc=False),
            )
            if batch is None:
                return self._with_events(cur, AppendResult(0, 0, (), tuple(rejected)), outbox)
            new_ids, new_versions, exact = self._insert_batch(cur, batch)
            counted = append_counts(len(batch), new_ids, new_versions, rejected)
            if counted is None:
                ids_set, versions_set = exact()
                counted = append_report(
                    batch.keys(),
                    lambda i: cols.visit(int(batch.keep[i])),
                    rejected,
                    ids_set,
                    versions_set,
                    lambda pairs: self._versions_of(cur, pairs),
                )
            return self._with_events(cur, counted, outbox)

    def _insert_batch(
        self, cur: Any, batch: BulkRows
    ) -> tuple[int, int, Callable[[], tuple[set[tuple[str, str]], set[VersionKey]]]]:
        """Claim ids and insert the distinct versions of ``batch`` (in arrival order):
        ``(new ids, new versions, the exact sets)`` (the sets asked for only when the
        counts do not settle the report). For a single-writer database whose
        transaction holds the write lock from its start (as :meth:`_insert_versions`):
        rows numbered after the ones before this transaction are this transaction's.
        """
        seq0 = self._q(cur, "SELECT COALESCE(MAX(seq), 0) FROM visit_versions")[0][0]
        cur.executemany(
            "INSERT INTO visit_ids (sweep, id) VALUES (?, ?) ON CONFLICT DO NOTHING",
            batch.pairs(),
        )
        new_ids = cur.rowcount
        cur.executemany(
            f"INSERT INTO visit_versions ({VERSION_COLUMNS})"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sweep, id, digest) DO NOTHING",
            batch.rows(),
        )
        new_versions = cur.rowcount

        def exact() -> tuple[set[tuple[str, str]], set[VersionKey]]:
            # the versions numbered after seq0 are this transaction's; an id is new when
            # it has no version from before (every stored id has one: ids are claimed
            # with their versions)
            versions = self._q(
                cur, "SELECT sweep, id, digest FROM visit_versions WHERE seq > ?", (seq0,)
            )
            ids = self._q(
                cur,
                "SELECT DISTINCT v.sweep, v.id FROM visit_versions v WHERE v.seq > ?"
                " AND NOT EXISTS (SELECT 1 FROM visit_versions o"
                " WHERE o.sweep = v.sweep AND o.id = v.id AND o.seq <= ?)",
                (seq0, seq0),
            )
            return {(a, b) for a, b in ids}, {(a, b, c) for a, b, c in versions}

        return new_ids, new_versions, exact

    def _save_sweep_row(self, cur: Any, sweep: Sweep) -> None:
        """Insert or replace a sweep row with its window in µs (zone fixed once it has visits)."""
        rule = time_rule(sweep)
        old = self._q(cur, "SELECT doc FROM sweeps WHERE id = ?", (sweep.id,))
        if old and self._q(cur, "SELECT 1 FROM visit_ids WHERE sweep = ? LIMIT 1", (sweep.id,)):
            check_same_zone(codec.sweep_from(old[0][0]), rule)
        cur.execute(
            self._sql(
                "INSERT INTO sweeps (id, scope, doc, start_us, end_us) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET scope = excluded.scope, doc = excluded.doc,"
                " start_us = excluded.start_us, end_us = excluded.end_us"
            ),
            (sweep.id, sweep.scope, codec.doc(sweep), rule.start_us, rule.end_us),
        )

    # -- reading ------------------------------------------------------------------------
    def _visit_where(self, sweep: str | None, household: str | None) -> tuple[str, list[Any]]:
        conds: list[str] = []
        params: list[Any] = []
        if sweep is not None:
            conds.append("v.sweep = ?")
            params.append(sweep)
        if household is not None:
            conds.append("v.household = ?")
            params.append(household)
        if self._scopes:
            where, scope_params = self._unit_clause("sh.building")
            conds.append(
                f"EXISTS (SELECT 1 FROM households sh WHERE sh.id = v.household AND {where})"
            )
            params.extend(scope_params)
        return (" AND ".join(conds) or "1 = 1"), params

    def visits(self, *, sweep: str | None = None, household: str | None = None) -> Iterator[Visit]:
        """Every stored version in scope, by id then arrival (read page by page)."""
        where, params = self._visit_where(sweep, household)
        last: tuple[str, int] | None = None
        b = self._binary
        while True:
            cond = where
            args = list(params)
            if last is not None:
                cond += f" AND (v.id{b} > ?{b} OR (v.id = ? AND v.seq > ?))"
                args += [last[0], last[0], last[1]]
            with self._rd() as cur:
                rows = self._q(
                    cur,
                    f"SELECT v.id, v.seq, v.doc FROM visit_versions v WHERE {cond}"
                    f" ORDER BY v.id{b}, v.seq LIMIT {PAGE}",
                    args,
                )
            for row in rows:
                yield codec.visit_from(row[2])
            if len(rows) < PAGE:
                return
            last = (rows[-1][0], int(rows[-1][1]))

    def count_visits(self, *, sweep: str | None = None) -> int:
        """How many versions are in scope (counted in the database)."""
        where, params = self._visit_where(sweep, None)
        with self._rd() as cur:
            rows = self._q(cur, f"SELECT COUNT(*) FROM visit_versions v WHERE {where}", params)
        return int(rows[0][0])

    def sweep_counts(self, sweep: str, *, level: str | None = None) -> dict[str, Counts]:
        """Counts of every unit of the sweep's scope, computed in SQL (see the module docs)."""
        with self._rd() as cur:
            scope = self._q(
                cur,
                "SELECT u.pos, u.size FROM sweeps s JOIN units u ON u.id = s.scope WHERE s.id = ?",
                (sweep,),
            )
            if not scope:
                return {}
            lo, hi = int(scope[0][0]), int(scope[0][0]) + int(scope[0][1]) - 1
            sums = self._q(cur, COUNTS_SQL.format(binary=self._binary), (sweep, sweep, sweep))
            units = self._q(
                cur,
                "SELECT u.pos, u.id, u.level, pu.pos FROM units u"
                " LEFT JOIN units pu ON pu.id = u.parent WHERE u.pos BETWEEN ? AND ?",
                (lo, hi),
            )
            view: set[str] | None = None
            if self._scopes:
                where, params = self._unit_clause("u.id")
                view = {
                    r[0]
                    for r in self._q(
                        cur,
                        f"SELECT u.id FROM units u WHERE u.pos BETWEEN ? AND ? AND {where}",
                        [lo, hi, *params],
                    )
                }
        return roll_up(units, sums, lo, view, level)

    def _stored(self, cur: Any, sweep: str, visit_id: str) -> VisitVersions | None:
        where, params = self._visit_where(sweep, None)
        rows = self._q(
            cur,
            f"SELECT v.digest, v.doc FROM visit_versions v WHERE v.id = ? AND {where}"
            " ORDER BY v.seq",
            [visit_id, *params],
        )
        if not rows:
            return None
        kept = self._q(
            cur,
            "SELECT digest FROM visit_resolutions WHERE sweep = ? AND id = ?"
            " ORDER BY seq DESC LIMIT 1",
            (sweep, visit_id),
        )
        versions = tuple(
            StoredVersion(i, d, codec.visit_from(doc)) for i, (d, doc) in enumerate(rows, start=1)
        )
        number = next((v.number for v in versions if kept and v.digest == kept[0][0]), None)
        return VisitVersions(sweep, visit_id, versions, number)

    def conflicts(self, sweep: str) -> list[VisitVersions]:
        """Ids stored with two or more contents, with every version, by id (two queries)."""
        where, params = self._visit_where(sweep, None)
        with self._rd() as cur:
            rows = self._q(
                cur,
                f"SELECT v.id, v.digest, v.doc FROM visit_versions v WHERE {where} AND v.id IN ("
                " SELECT id FROM visit_versions WHERE sweep = ? GROUP BY id HAVING COUNT(*) > 1"
                ") ORDER BY v.seq",
                [*params, sweep],
            )
            kept = dict(
                self._q(
                    cur,
                    "SELECT id, digest FROM visit_resolutions WHERE sweep = ? ORDER BY seq",
                    (sweep,),
                )
            )
        by_id: dict[str, list[tuple[str, str]]] = {}
        for vid, d, doc in rows:
            by_id.setdefault(vid, []).append((d, doc))
        out = []
        for vid in sorted(by_id):
            versions = tuple(
                StoredVersion(i, d, codec.visit_from(doc))
                for i, (d, doc) in enumerate(by_id[vid], start=1)
            )
            number = next((v.number for v in versions if v.digest == kept.get(vid)), None)
            out.append(VisitVersions(sweep, vid, versions, number))
        return out

    def resolve(self, sweep: str, visit_id: str, keep: int, *, note: str = "") -> StoredVersion:
        """Record which version counts (a new row; nothing is deleted)."""
        with self._tx() as cur:
            chosen = check_keep(self._stored(cur, sweep, visit_id), sweep, visit_id, keep)
            cur.execute(
                self._sql(
                    "INSERT INTO visit_resolutions (sweep, id, digest, note) VALUES (?, ?, ?, ?)"
                ),
                (sweep, visit_id, chosen.digest, note),
            )
        return chosen

    def resolutions(self, sweep: str) -> dict[str, str]:
        """The kept digest of every resolved id of ``sweep`` (the latest resolution)."""
        with self._rd() as cur:
            rows = self._q(
                cur,
                "SELECT id, digest FROM visit_resolutions WHERE sweep = ? ORDER BY seq",
                (sweep,),
            )
        return {str(vid): str(d) for vid, d in rows}


def roll_up(
    units: list[Any],
    sums: list[Any],
    lo: int,
    view: set[str] | None,
    level: str | None,
) -> dict[str, Counts]:
    """Per-position sums rolled up to every unit ``(pos, id, level, parent pos)`` of a scope.

    Parents come before children in pre-order, so one pass from the last position up
    adds each unit's totals to its parent.
    """
    width = len(FIELDS)
    totals: dict[int, list[int]] = {}
    for row in sums:
        totals[int(row[0])] = [int(x or 0) for x in row[1:]]
    ordered = sorted(units, key=lambda r: int(r[0]))
    for pos, _, _, parent in reversed(ordered):
        mine = totals.get(int(pos))
        if mine is None or parent is None or int(pos) == lo:
            continue
        up = totals.setdefault(int(parent), [0] * width)
        for k in range(width):
            up[k] += mine[k]
    out: dict[str, Counts] = {}
    for pos, uid, unit_level, _ in ordered:
        if level is not None and unit_level != level:
            continue
        if view is not None and uid not in view:
            continue
        got = totals.get(int(pos))
        out[uid] = Counts(*got) if got is not None else Counts()
    return out
