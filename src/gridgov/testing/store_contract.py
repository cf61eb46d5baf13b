"""The contract every :class:`~gridgov.store.port.Store` backend must pass.

Use it from a plugin's tests by subclassing and saying how to get an empty store::

    from gridgov.testing import StoreContract

    class TestMyStore(StoreContract):
        def make_store(self):
            return MyStore(...)      # an EMPTY store, every call

pytest then runs every ``test_*`` method below against your backend: exact
round-trips of every kind of value (hostile text included), append-only visits
(every version kept, exact repeats once, the same instant in any offset one
visit), conflicts, resolutions and rejections, scoped views, roster versions,
the outbox, and the one-truth property: the store's coverage of any messy visit
log equals :func:`gridgov.sweep.coverage` and the tracker for every unit and
counter.
"""

from __future__ import annotations

import datetime as dt

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gridgov.errors import InvalidInput, UnknownUnit
from gridgov.events import Event, EventKind, roster_published
from gridgov.org.hierarchy import Hierarchy
from gridgov.org.unit import PartyOrg, Unit
from gridgov.store.port import (
    AppendResult,
    Attempt,
    ScopeError,
    Store,
    StoreError,
)
from gridgov.store.schema import LATEST_VERSION
from gridgov.sweep.model import Household, Outcome, Sweep, Visit
from gridgov.testing import strategies as gst

EXAMPLES = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.differing_executors,
        HealthCheck.function_scoped_fixture,
    ],
)

BUILDINGS = ("B1", "B2", "B3")
T0 = dt.datetime(2022, 4, 1, 8, 0)


def contract_tree() -> Hierarchy:
    """A small county with hostile names: C > T1 > C1 > G1 > B1, B2 and C > T2 > C2 > G2 > B3."""
    spec = [
        ("C", "county", None),
        ("T1", "township", "C"),
        ("T2", "township", "C"),
        ("C1", "community", "T1"),
        ("C2", "community", "T2"),
        ("G1", "grid", "C1"),
        ("G2", "grid", "C2"),
        ("B1", "building", "G1"),
        ("B2", "building", "G1"),
        ("B3", "building", "G2"),
    ]
    pairs = []
    for i, (uid, level, parent) in enumerate(spec):
        name = gst.HOSTILE[i % len(gst.HOSTILE)] or "plain"
        party = PartyOrg("branch", name[:100], "张伟") if level == "community" else None
        pairs.append((Unit(uid, level, name[:500], {"note": name[:50], "n": i}, party), parent))
    return Hierarchy.from_units(pairs)


def _spellings(value: str) -> list[str]:
    """Ways field apps spell one enumerated value (all read as ``value``)."""
    return [value, value.replace("-", "_"), value.replace("-", " ").title(), value.upper()]


_HOSTILE_PLAIN = ("", " ", "0042", "\\", "a\tb", "\x01\x1f", "\x0b\x0c", "é漢", "\u2028", " x ")
"""Texts a plain CSV cell can hold (no comma, quote, CR or LF) that JSON must escape or keep."""


_BAD_CELLS = ("", "x", "-1", "2022-13-01T00:00:00", "a\x00b", "1.0", "1e3", "\u0663", "\u30003")
"""Cells the reading rules refuse where a count, time, id or household goes (a NUL byte
anywhere; counts outside the one number grammar: fractions, exponents, non-ASCII digits
and spaces) — and an empty or odd note, which is fine."""


def _plain_visits_csv(data: st.DataObject, log: list[Visit]) -> str:
    """``log`` as a plain visit CSV (no quotes) in the spellings field apps send: outcome
    spellings, counts with leading zeros, a plus sign or spaces, ``Z`` and ``-00:00``
    offsets, times with a space or fractions, hostile notes, visitors and residents,
    unknown sweeps; now and then a cell the reading rules refuse (:data:`_BAD_CELLS`)."""
    header = (
        "id,sweep,household,at,visitor,outcome,persons_seen,persons_registered,returnees,"
        "note,residents_seen"
    )
    lines = [header]
    for v in log:
        at = v.at.isoformat()
        shape = data.draw(st.integers(0, 5))
        if shape == 1 and at.endswith("+00:00"):
            at = at[:-6] + data.draw(st.sampled_from(("Z", "-00:00")))
        elif shape == 2:
            at = at.replace("T", " ", 1)
        elif shape == 3 and len(at) >= 19:
            at = at[:19] + ".5" + at[19:]
        elif shape == 4:
            at = f" {at} "
        count = data.draw(st.sampled_from(("{}", "0{}", " {} ", "+{}")))
        outcome = data.draw(st.sampled_from(_spellings(v.outcome.value)))
        sweep = data.draw(st.sampled_from((v.sweep, v.sweep, "S9")))
        vid = v.id if data.draw(st.booleans()) else "0" + v.id
        cells = [
            vid,
            sweep,
            v.household,
            at,
            data.draw(st.sampled_from((v.visitor, *_HOSTILE_PLAIN))),
            outcome,
            count.format(v.persons_seen),
            str(v.persons_registered),
            count.format(v.returnees),
            v.note + data.draw(st.sampled_from(_HOSTILE_PLAIN)),
            data.draw(st.sampled_from(("", "r1", "r1;r2", ";r3;"))),
        ]
        if data.draw(st.integers(0, 40)) == 0:  # now and then a bad cell: the same errors
            cells[data.draw(st.sampled_from((0, 2, 3, 5, 6, 9)))] = data.draw(
                st.sampled_from(_BAD_CELLS)
            )
        lines.append(",".join(cells))
    return "\n".join(lines) + "\n"


class StoreContract:
    """Subclass as ``Test...`` and implement :meth:`make_store` (an empty store each call)."""

    def make_store(self) -> Store:
        """An empty store of the backend under test."""
        raise NotImplementedError

    # -- helpers ----------------------------------------------------------------------
    def seeded(self) -> Store:
        """An empty store with the contract tree, two sweeps and three households a building."""
        store = self.make_store()
        store.save_hierarchy(contract_tree())
        store.save_households(
            Household(f"{b}-{k}", b, floor=k, door=gst.HOSTILE[k])
            for b in BUILDINGS
            for k in (1, 2, 3)
        )
        store.save_sweep(Sweep("S1", "C", T0, T0 + dt.timedelta(days=2), "first <sweep>"))
        store.save_sweep(Sweep("S2", "G2", T0, T0 + dt.timedelta(days=1)))
        return store

    # -- schema and lifecycle ---------------------------------------------------------
    def test_schema_version_is_latest(self) -> None:
        store = self.make_store()
        try:
            assert store.schema_version() == LATEST_VERSION
        finally:
            store.close()

    def test_closed_store_refuses_use(self) -> None:
        store = self.make_store()
        store.close()
        with pytest.raises(StoreError):
            store.count_visits()

    def test_empty_store_has_nothing(self) -> None:
        store = self.make_store()
        try:
            assert store.hierarchy() is None
            assert list(store.households()) == []
            assert store.sweeps() == []
            assert store.count_visits() == 0
            assert store.events() == []
            assert store.roster("nope") is None
            assert store.problem("nope") is None
        finally:
            store.close()

    # -- hierarchy ----------------------------------------------------------------------
    def test_hierarchy_round_trip(self) -> None:
        store = self.make_store()
        try:
            tree = contract_tree()
            store.save_hierarchy(tree)
            assert store.hierarchy() == tree
            smaller = contract_tree()
            smaller.remove("T2", subtree=True)
            store.save_hierarchy(smaller)
            assert store.hierarchy() == smaller
        finally:
            store.close()

    @EXAMPLES
    @given(data=st.data())
    def test_any_hierarchy_round_trips(self, data: st.DataObject) -> None:
        from gridgov.strategies import hierarchies

        tree = data.draw(hierarchies(max_units=25))
        store = self.make_store()
        try:
            store.save_hierarchy(tree)
            assert store.hierarchy() == tree
        finally:
            store.close()

    # -- households, sweeps, visits ----------------------------------------------------
    @EXAMPLES
    @given(data=st.data())
    def test_households_and_sweeps_round_trip(self, data: st.DataObject) -> None:
        hh = data.draw(st.lists(gst.households(buildings=BUILDINGS), max_size=8))
        sw = data.draw(gst.sweeps(scopes=("C", "G1", "B3")))
        store = self.make_store()
        try:
            store.save_hierarchy(contract_tree())
            store.save_households(hh)
            store.save_sweep(sw)
            expected = {h.id: h for h in hh}
            assert sorted(store.households(), key=lambda h: h.id) == sorted(
                expected.values(), key=lambda h: h.id
            )
            for h in expected.values():
                assert store.household(h.id) == h
            assert store.sweeps() == [sw]
            assert store.sweep(sw.id) == sw
        finally:
            store.close()

    @EXAMPLES
    @given(data=st.data())
    def test_visits_round_trip_and_append_is_idempotent(self, data: st.DataObject) -> None:
        houses = [f"{b}-{k}" for b in BUILDINGS for k in (1, 2, 3)]
        vs = data.draw(
            st.lists(
                gst.visits(sweeps=("S1", "S2"), households=houses),
                max_size=12,
                unique_by=lambda v: v.id,
            )
        )
        store = self.seeded()
        try:
            first = store.append_visits(vs)
            assert first == AppendResult(added=len(vs))
            again = store.append_visits(reversed(vs))
            assert again == AppendResult(duplicates=len(vs))
            assert sorted(store.visits(), key=lambda v: v.id) == sorted(vs, key=lambda v: v.id)
            assert store.count_visits() == len(vs)
            for sweep in ("S1", "S2"):
                mine = sorted((v for v in vs if v.sweep == sweep), key=lambda v: v.id)
                assert sorted(store.visits(sweep=sweep), key=lambda v: v.id) == mine
                assert store.count_visits(sweep=sweep) == len(mine)
        finally:
            store.close()

    def test_same_id_different_content_keeps_every_version(self) -> None:
        store = self.seeded()
        try:
            v = Visit("v1", "S1", "B1-1", T0, "a", Outcome.VERIFIED)
            other = attrs.evolve(v, outcome=Outcome.REFUSED, note="changed")
            assert store.append_visits([v]).added == 1
            result = store.append_visits([other, v])
            assert result.added == 0
            assert result.duplicates == 1
            assert [(c.id, c.stored, c.offered) for c in result.conflicts] == [("v1", v, other)]
            assert list(store.visits()) == [v, other]  # nothing a field worker sent is lost
            assert store.append_visits([other]) == AppendResult(duplicates=1)
            within = store.append_visits(
                [Visit("v2", "S1", "B1-2", T0), Visit("v2", "S1", "B1-3", T0)]
            )
            assert (within.added, len(within.conflicts)) == (1, 1)
            listed = store.conflicts("S1")
            assert [(c.visit_id, len(c.versions), c.kept) for c in listed] == [
                ("v1", 2, None),
                ("v2", 2, None),
            ]
            assert [x.visit for x in listed[0].versions] == [v, other]
            assert store.conflicts("S2") == []
        finally:
            store.close()

    def test_the_same_instant_in_another_offset_is_the_same_visit(self) -> None:
        store = self.seeded()
        try:
            zone = dt.timezone(dt.timedelta(hours=8))
            store.save_sweep(Sweep("Z", "C", T0.replace(tzinfo=zone), T0.replace(tzinfo=zone)))
            eight = Visit("z", "Z", "B1-1", T0.replace(tzinfo=zone))
            utc = attrs.evolve(eight, at=dt.datetime(2022, 4, 1, 0, 0, tzinfo=dt.UTC))
            naive = attrs.evolve(eight, at=T0)  # read in the sweep's zone
            assert store.append_visits([eight]).added == 1
            assert store.append_visits([utc, naive]) == AppendResult(duplicates=2)
            assert store.sweep_counts("Z")["C"].verified == 1
        finally:
            store.close()

    def test_a_resolution_is_a_new_fact_after_which_the_kept_version_counts(self) -> None:
        store = self.seeded()
        try:
            first = Visit("v1", "S1", "B1-1", T0, "a", Outcome.NOT_AT_HOME)
            second = attrs.evolve(first, outcome=Outcome.VERIFIED, persons_seen=3)
            store.append_visits([first, second])
            before = store.sweep_counts("S1")["B1"]
            assert (before.visits, before.verified, before.not_visited) == (0, 0, 3)
            with pytest.raises(StoreError, match="no version 3"):
                store.resolve("S1", "v1", 3)
            with pytest.raises(StoreError, match="no visit"):
                store.resolve("S1", "nope", 1)
            kept = store.resolve("S1", "v1", 2, note="phoned the family")
            assert kept.visit == second
            assert store.resolutions("S1") == {"v1": kept.digest}
            after = store.sweep_counts("S1")["B1"]
            assert (after.visits, after.verified, after.persons) == (1, 1, 3)
            assert [c.kept for c in store.conflicts("S1")] == [2]
            store.resolve("S1", "v1", 1)  # a coordinator may change their mind: latest wins
            assert store.sweep_counts("S1")["B1"].not_at_home == 1
            assert store.count_visits() == 2  # nothing was deleted
            with pytest.raises(ScopeError):
                store.scoped("G1").resolve("S1", "v1", 2)
        finally:
            store.close()

    @EXAMPLES
    @given(data=st.data())
    def test_counts_equal_the_batch_and_the_tracker_for_every_unit(
        self, data: st.DataObject
    ) -> None:
        """The one-truth property: the store's coverage of any messy log, appended in any
        order and batches and with mixed spellings, is exactly the batch coverage and the
        tracker's, for every unit and every counter; and again after resolutions."""
        from gridgov import strategies as gs
        from gridgov.sweep import CoverageTracker, coverage
        from gridgov.sweep.visit_format import read_visits_text, visits_csv_text

        tree = data.draw(gs.sweep_trees())
        households = data.draw(gs.households(tree))
        sweep = data.draw(gs.sweeps(tree))
        log = data.draw(gs.visit_logs(households, sweep, max_size=30))
        text = visits_csv_text(log)
        for outcome in Outcome:
            spelled = data.draw(st.sampled_from(_spellings(outcome.value)))
            text = text.replace(f",{outcome.value},", f",{spelled},")
        log = read_visits_text(text)
        order = data.draw(st.permutations(range(len(log))))
        cuts = sorted(data.draw(st.lists(st.integers(0, len(log)), max_size=3)))
        batch = coverage(tree, households, log, sweep)
        tracker = CoverageTracker(tree, households, sweep)
        tracker.add_many([log[i] for i in order])
        store = self.make_store()
        try:
            store.save_hierarchy(tree)
            store.save_households(households)
            store.save_sweep(sweep)
            store.save_sweep(Sweep("S0", sweep.scope, sweep.start, sweep.end))
            shuffled = [log[i] for i in order]
            for lo, hi in zip([0, *cuts], [*cuts, len(log)], strict=True):
                store.append_visits(shuffled[lo:hi])
            got = store.sweep_counts(sweep.id)
            assert set(got) == set(batch.units())
            for unit in batch.units():
                assert got[unit] == batch.counts(unit) == tracker.counts(unit), unit
            level = data.draw(st.sampled_from(tree.levels.names))
            assert store.sweep_counts(sweep.id, level=level) == {
                u: batch.counts(u) for u in batch.units(level)
            }
            # a coordinator resolves some conflicts: the kept versions count, everywhere
            for c in store.conflicts(sweep.id):
                keep = data.draw(st.none() | st.integers(1, len(c.versions)))
                if keep is not None:
                    store.resolve(sweep.id, c.visit_id, keep)
            kept = store.resolutions(sweep.id)
            if kept:
                batch = coverage(tree, households, log, sweep, resolutions=kept)
                tracker = CoverageTracker(tree, households, sweep, resolutions=kept)
                tracker.add_many(shuffled)
                got = store.sweep_counts(sweep.id)
                for unit in batch.units():
                    assert got[unit] == batch.counts(unit) == tracker.counts(unit), unit
        finally:
            store.close()

    def stored_rows(self, store: Store) -> list[tuple[object, ...]] | None:
        """Every stored version as the backend keeps it (its digest, instant, document),
        by sweep and id then arrival; ``None`` when the backend does not expose rows."""
        from gridgov.store.sql import SqlStore

        if not isinstance(store, SqlStore):
            return None
        with store._rd() as cur:
            if store.url.startswith("sqlite"):
                assert store._q(cur, "PRAGMA foreign_key_check") == []
            rows = store._q(
                cur,
                "SELECT sweep, id, digest, household, t_us, code, persons, returnees, doc"
                " FROM visit_versions ORDER BY sweep, id, seq",
            )
        return [tuple(r) for r in rows]

    @EXAMPLES
    @given(data=st.data())
    def test_bulk_import_equals_the_reference_import(self, data: st.DataObject) -> None:
        """A plain visit CSV imported through the columnar engine (read in columns,
        digests and documents built in bulk, ``append_columns``) stores exactly what the
        reference import stores and reports the same batches, twice over (the second
        import adds nothing), on messy files: repeats, conflicts, offsets, spellings,
        unknown households and sweeps, leading zeros and hostile text."""
        import tempfile
        from pathlib import Path

        from gridgov import strategies as gs
        from gridgov.engine import columnar_available
        from gridgov.store.visit_io import BatchReport, check_file, import_visits

        if not columnar_available():
            pytest.skip("the columnar engine is not installed")
        tree = data.draw(gs.sweep_trees())
        households = data.draw(gs.households(tree))
        sweep = data.draw(gs.sweeps(tree))
        log = data.draw(gs.visit_logs(households, sweep, max_size=30))
        text = _plain_visits_csv(data, log)
        batch = data.draw(st.integers(1, 8))
        got: list[object] = []
        with tempfile.TemporaryDirectory(prefix="gridgov-bulk-") as tmp:
            path = Path(tmp, "visits.csv")
            path.write_text(text, encoding="utf-8", newline="")
            for engine in ("python", "columnar"):
                store = self.make_store()
                try:
                    store.save_hierarchy(tree)
                    store.save_households(households)
                    store.save_sweep(sweep)
                    utc = {"tzinfo": dt.UTC} if sweep.start.tzinfo is None else {"tzinfo": None}
                    start, end = sweep.start.replace(**utc), sweep.end.replace(**utc)
                    store.save_sweep(Sweep("S0", sweep.scope, start, end))  # the other zone
                    try:
                        checked = check_file(path, engine=engine)
                    except InvalidInput as exc:  # the same errors, both ways
                        got.append(str(exc))
                        continue
                    if engine == "columnar" and log and hasattr(store, "append_columns"):
                        assert checked.columns is not None  # the bulk path ran
                    reports: list[BatchReport] = []
                    results = [
                        import_visits(
                            store, path, batch_size=batch, on_batch=reports.append, checked=checked
                        )
                        for _ in range(2)
                    ]
                    assert results[1].added == 0
                    got.append(
                        (
                            reports,
                            results,
                            self.stored_rows(store),
                            list(store.visits()),
                            store.sweep_counts(sweep.id),
                            store.conflicts(sweep.id),
                            store.conflicts("S0"),
                        )
                    )
                finally:
                    store.close()
        reference, bulk = got
        if isinstance(reference, str):
            assert bulk == reference
            return
        assert isinstance(reference, tuple)
        assert isinstance(bulk, tuple)
        for name, a, b in zip(
            ("batches", "results", "rows", "visits", "counts", "conflicts", "conflicts S0"),
            reference,
            bulk,
            strict=True,
        ):
            assert a == b, name

    @pytest.mark.parametrize("engine", ["python", "columnar"])
    def test_visits_and_their_events_commit_together(self, engine: str) -> None:
        """``outbox`` makes events of a batch's result inside its transaction: the visits
        and the events are stored together; when it raises, neither is (both paths: the
        reference's ``append_visits`` and the columnar ``append_columns``), and the same
        import afterwards stores both once."""
        import tempfile
        from pathlib import Path

        from gridgov.engine import columnar_available
        from gridgov.events import visit_rejected
        from gridgov.store.visit_io import check_file, import_visits

        if engine == "columnar" and not columnar_available():
            pytest.skip("the columnar engine is not installed")
        rows = ["id,sweep,household,at", "ok,S1,B1-1,2022-04-01T09:00:00"]
        rows += ["bh,S1,nowhere,2022-04-01T09:00:00", "bs,S9,B1-1,2022-04-01T09:00:00"]

        def events(result: AppendResult) -> list[tuple[Event, list[str]]]:
            return [
                (
                    visit_rejected(
                        visit=r.visit.id,
                        household=r.visit.household,
                        unit="C",
                        reason=r.reason,
                        at=T0,
                        secret=b"contract-secret-16+",
                    ),
                    ["log", "sms"],
                )
                for r in result.rejected
            ]

        def failing(result: AppendResult) -> list[tuple[Event, list[str]]]:
            events(result)
            raise RuntimeError("the outbox failed")

        store = self.seeded()
        try:
            with tempfile.TemporaryDirectory(prefix="gridgov-outbox-") as tmp:
                path = Path(tmp, "visits.csv")
                path.write_text("\n".join(rows) + "\n", encoding="utf-8")
                checked = check_file(path, engine=engine)  # type: ignore[arg-type]
                if engine == "columnar" and hasattr(store, "append_columns"):
                    assert checked.columns is not None
                with pytest.raises(RuntimeError, match="the outbox failed"):
                    import_visits(store, path, checked=checked, outbox=failing)
                assert list(store.visits()) == []
                assert store.events() == []
                for _ in range(2):
                    result = import_visits(store, path, checked=checked, outbox=events)
            assert [v.id for v in store.visits()] == ["ok"]
            assert (result.added, result.duplicates, len(result.rejected)) == (0, 1, 2)
            stored = store.events()
            assert sorted(e.data["visit"] for e in stored) == ["bh", "bs"]
            assert {e.kind for e in stored} == {EventKind.VISIT_REJECTED}
            assert store.count_deliveries(status="pending") == 4  # 2 events x 2 channels
        finally:
            store.close()

    def test_visits_to_unknown_households_or_sweeps_are_rejected(self) -> None:
        store = self.seeded()
        try:
            good = Visit("ok", "S1", "B1-1", T0)
            bad_house = Visit("bh", "S1", "nowhere", T0)
            bad_sweep = Visit("bs", "S9", "B1-1", T0)
            result = store.append_visits([good, bad_house, bad_sweep])
            assert result.added == 1
            assert {r.visit.id: r.reason for r in result.rejected} == {
                "bh": "unknown household 'nowhere'",
                "bs": "unknown sweep 'S9'",
            }
            assert [v.id for v in store.visits()] == ["ok"]
        finally:
            store.close()

    def test_sweep_counts_follow_the_coverage_rules_and_scopes(self) -> None:
        store = self.seeded()
        try:
            store.append_visits(
                [
                    Visit("a", "S1", "B1-1", T0, outcome=Outcome.NOT_AT_HOME),
                    Visit("b", "S1", "B1-1", T0 + dt.timedelta(hours=5), persons_seen=2),
                    Visit("c", "S1", "B2-2", T0, outcome=Outcome.REFUSED),
                    Visit("d", "S1", "B3-3", T0, outcome=Outcome.VACANT_CONFIRMED),
                    Visit("late", "S1", "B3-1", T0 + dt.timedelta(days=9)),  # outside
                    Visit("e", "S2", "B3-1", T0),
                ]
            )
            g1 = store.sweep_counts("S1", level="grid")["G1"]
            assert (g1.households, g1.target, g1.reached, g1.refused, g1.visits) == (6, 6, 1, 1, 3)
            assert (g1.not_at_home_ever, g1.converted, g1.persons, g1.revisits) == (1, 1, 2, 5)
            c = store.sweep_counts("S1")["C"]
            assert (c.households, c.invalid, c.target, c.reached, c.visits) == (9, 1, 8, 1, 4)
            assert set(store.sweep_counts("S2")) == {"G2", "B3"}
            assert store.sweep_counts("S2")["G2"].visits == 1
            scoped = store.scoped("T2").sweep_counts("S1", level="community")
            assert list(scoped) == ["C2"]
            assert scoped["C2"].invalid == 1
            assert store.sweep_counts("nope") == {}
        finally:
            store.close()

    # -- scoping --------------------------------------------------------------------------
    def test_scoped_view_returns_nothing_outside_the_subtree(self) -> None:
        store = self.seeded()
        try:
            store.append_visits(
                [Visit(f"v-{b}", "S1", f"{b}-1", T0) for b in BUILDINGS]
                + [Visit("v-s2", "S2", "B3-2", T0)]
            )
            store.save_problem("p-g1", {"x": 1}, unit="G1")
            store.save_problem("p-c2", {"x": 2}, unit="C2")
            store.save_problem("p-all", {"x": 3})
            store.save_roster("r-g1", {"v": 1}, unit="G1")
            store.save_roster("r-g2", {"v": 1}, unit="G2")
            store.enqueue(roster_published(roster="r-g1", version=1, unit="G1", at=T0), ["log"])
            store.enqueue(roster_published(roster="r-g2", version=1, unit="G2", at=T0), ["log"])
            view = store.scoped("T1")
            tree = view.hierarchy()
            assert tree is not None
            assert sorted(u.id for u in tree) == ["B1", "B2", "C1", "G1", "T1"]
            assert {h.building for h in view.households()} == {"B1", "B2"}
            assert view.household("B3-1") is None
            assert view.household("B1-1") is not None
            assert [s.id for s in view.sweeps()] == []
            assert view.sweep("S2") is None
            assert sorted(v.id for v in view.visits()) == ["v-B1", "v-B2"]
            assert view.count_visits() == 2
            assert list(view.visits(household="B3-1")) == []
            assert view.problem_ids() == ["p-g1"]
            assert view.problem("p-c2") is None
            assert view.roster("r-g2") is None
            assert view.roster("r-g1") is not None
            assert [e.unit for e in view.events()] == ["G1"]
            assert [d.event.unit for d in view.deliveries()] == ["G1"]
            assert [s.id for s in store.scoped("C2").sweeps()] == ["S2"]
            with pytest.raises(UnknownUnit):
                store.scoped("nope")
            with pytest.raises(UnknownUnit):
                view.scoped("G2")
            assert view.scoped("B1").count_visits() == 1
        finally:
            store.close()

    def test_a_scoped_view_stays_right_after_the_hierarchy_is_replaced(self) -> None:
        def tree(spec: list[tuple[str, str, str | None]]) -> Hierarchy:
            return Hierarchy.from_units([(Unit(u, lv, u), p) for u, lv, p in spec])

        base = [
            ("C", "county", None),
            ("T1", "township", "C"),
            ("T2", "township", "C"),
            ("C1", "community", "T1"),
            ("C2", "community", "T2"),
            ("G1", "grid", "C1"),
            ("G2", "grid", "C2"),
            ("B1", "building", "G1"),
        ]
        store = self.seeded()
        try:
            view = store.scoped("C1")
            nested = store.scoped("T1").scoped("G1")
            assert {h.building for h in view.households()} == {"B1", "B2"}
            # a new township first shifts every position; B2 moves to another grid
            store.save_hierarchy(
                tree(
                    [
                        ("C", "county", None),
                        ("T0", "township", "C"),
                        ("C0", "community", "T0"),
                        *base[1:],
                        ("B2", "building", "G2"),
                        ("B3", "building", "G2"),
                    ]
                )
            )
            assert {h.building for h in view.households()} == {"B1"}
            moved = view.hierarchy()
            assert moved is not None
            assert sorted(u.id for u in moved) == ["B1", "C1", "G1"]
            assert {h.building for h in nested.households()} == {"B1"}
            # G1 moves out of T1: the view made through T1 neither leaks nor pretends
            store.save_hierarchy(
                tree([*base[:5], ("G1", "grid", "C2"), ("G2", "grid", "C2"), base[7]])
            )
            assert list(nested.households()) == []
            with pytest.raises(ScopeError):
                nested.hierarchy()
            assert {h.building for h in view.households()} == set()
            # C1 is gone altogether: nothing is in its subtree any more
            store.save_hierarchy(tree([b for b in base if b[0] not in ("C1", "G1", "B1")]))
            assert view.hierarchy() is None
            assert list(view.households()) == []
            assert view.household("B1-1") is None
        finally:
            store.close()

    def test_scoped_view_is_read_only(self) -> None:
        store = self.seeded()
        try:
            view = store.scoped("G1")
            with pytest.raises(ScopeError):
                view.append_visits([Visit("v", "S1", "B1-1", T0)])
            with pytest.raises(ScopeError):
                view.save_households([Household("x", "B1")])
            with pytest.raises(ScopeError):
                view.save_hierarchy(contract_tree())
            assert store.count_visits() == 0
        finally:
            store.close()

    # -- duty documents -----------------------------------------------------------------
    @EXAMPLES
    @given(
        doc=st.recursive(
            st.none() | st.booleans() | st.integers(-(2**53), 2**53) | gst.hostile_text(),
            lambda inner: (
                st.lists(inner, max_size=4)
                | st.dictionaries(gst.hostile_text(max_size=8), inner, max_size=4)
            ),
            max_leaves=12,
        )
    )
    def test_problem_and_roster_documents_round_trip(self, doc: object) -> None:
        store = self.make_store()
        try:
            store.save_problem("p", doc)
            assert store.problem("p") == doc
            assert store.problem_ids() == ["p"]
            assert store.save_roster("r", doc) == 1
            assert store.save_roster("r", {"second": doc}, status="published") == 2
            assert store.save_roster("r", [doc]) == 3
            record = store.roster("r", status="published")
            assert record is not None
            assert (record.version, record.status, record.doc) == (2, "published", {"second": doc})
            latest = store.roster("r")
            assert latest is not None
            assert (latest.version, latest.doc) == (3, [doc])
            first = store.roster("r", version=1)
            assert first is not None
            assert first.doc == doc
            assert [r.version for r in store.roster_versions("r")] == [1, 2, 3]
        finally:
            store.close()

    def test_attrs_values_are_stored_as_documents(self) -> None:
        store = self.make_store()
        try:
            sweep = Sweep("s", "C", T0, T0, "p")
            store.save_problem("p", sweep)
            assert store.problem("p") == {
                "id": "s",
                "scope": "C",
                "start": T0.isoformat(),
                "end": T0.isoformat(),
                "purpose": "p",
            }
            with pytest.raises(StoreError):
                store.save_roster("r", {}, status="final")
            with pytest.raises(StoreError, match="cannot store this document"):
                store.save_problem("bad", {"when": T0})
            assert store.problem("bad") is None
        finally:
            store.close()

    # -- outbox -----------------------------------------------------------------------------
    @EXAMPLES
    @given(data=st.data())
    def test_events_round_trip_and_enqueue_is_idempotent(self, data: st.DataObject) -> None:
        evs = data.draw(
            st.lists(gst.events(units=("C", "G1", "B3")), max_size=5, unique_by=lambda e: e.id)
        )
        store = self.make_store()
        try:
            store.save_hierarchy(contract_tree())
            for e in evs:
                assert store.enqueue(e, ["log", "hook"]) == 2
                assert store.enqueue(e, ["hook", "log"]) == 0
            assert sorted(store.events(), key=lambda e: e.id) == sorted(evs, key=lambda e: e.id)
            assert len(store.deliveries(status="pending")) == 2 * len(evs)
            assert {d.key for d in store.deliveries()} == {
                f"{e.id}:{c}" for e in evs for c in ("log", "hook")
            }
        finally:
            store.close()

    @EXAMPLES
    @given(data=st.data())
    def test_enqueue_all_is_enqueue_of_each(self, data: st.DataObject) -> None:
        items = data.draw(
            st.lists(
                st.tuples(
                    gst.events(units=("C", "G1")),
                    st.lists(st.sampled_from(("a", "b", "c")), max_size=3),
                ),
                max_size=6,
            )
        )
        one, each = self.make_store(), None
        try:
            got = one.enqueue_all(items)
            one_view = sorted(d.key for d in one.deliveries())
            one_events = sorted(e.id for e in one.events())
            one.close()
            each = self.make_store()
            want = sum(each.enqueue(e, chs) for e, chs in items)
            assert got == want
            assert one_view == sorted(d.key for d in each.deliveries())
            assert one_events == sorted(e.id for e in each.events())
        finally:
            one.close()
            if each is not None:
                each.close()

    def test_delivery_attempts_are_recorded(self) -> None:
        store = self.make_store()
        try:
            e1 = roster_published(roster="r", version=1, unit="C", at=T0)
            e2 = Event("e2", EventKind.VISIT_REJECTED, T0 + dt.timedelta(hours=1), "C")
            store.enqueue(e1, ["a", "b"])
            store.enqueue(e2, ["a"])
            assert [(d.event.id, d.channel) for d in store.due_deliveries(0.0)] == [
                (e1.id, "a"),
                (e1.id, "b"),
                ("e2", "a"),
            ]
            store.record_attempt(e1.id, "a", ok=True)
            store.record_attempt(e1.id, "b", ok=False, error="down", next_attempt=100.0)
            store.record_attempt("e2", "a", ok=False, error="gone", give_up=True)
            assert [d.key for d in store.due_deliveries(99.0)] == []
            due = store.due_deliveries(100.0)
            assert [(d.key, d.attempts, d.last_error) for d in due] == [(f"{e1.id}:b", 1, "down")]
            assert [d.key for d in store.deliveries(status="delivered")] == [f"{e1.id}:a"]
            assert [d.key for d in store.deliveries(status="dead")] == ["e2:a"]
            store.record_attempt(e1.id, "a", ok=False, error="late failure")
            assert store.deliveries(status="delivered")[0].attempts == 1
            assert store.enqueue(e1, ["a", "b", "c"]) == 1
            assert len(store.due_deliveries(1000.0, limit=1)) == 1
            with pytest.raises(StoreError):
                store.record_attempt("nope", "a", ok=True)
        finally:
            store.close()

    @EXAMPLES
    @given(
        plan=st.lists(
            st.tuples(st.sampled_from(("a", "b", "c")), st.integers(0, 3), st.integers(0, 5)),
            max_size=25,
        ),
        per_channel=st.integers(1, 4),
    )
    def test_claims_are_fair_ordered_by_due_time_and_exclusive(
        self, plan: list[tuple[str, int, int]], per_channel: int
    ) -> None:
        """Each claim leases at most ``per_channel`` of each channel, earliest due first."""
        store = self.make_store()
        try:
            due: dict[str, list[tuple[float, float, str]]] = {}
            for i, (channel, retry_at, hours) in enumerate(plan):
                e = roster_published(
                    roster=f"r{i}", version=1, unit="C", at=T0 + dt.timedelta(hours=hours)
                )
                if store.enqueue(e, [channel]) == 0:
                    continue
                if retry_at:
                    store.record_attempt(e.id, channel, ok=False, next_attempt=float(retry_at))
                moment = T0 + dt.timedelta(hours=hours)
                due.setdefault(channel, []).append((float(retry_at), moment.timestamp(), e.id))
            now = 2.0
            expected_due = {c: sorted(x for x in items if x[0] <= now) for c, items in due.items()}
            first = store.claim_deliveries(now, owner="one", lease=10.0, per_channel=per_channel)
            second = store.claim_deliveries(now, owner="two", lease=10.0, per_channel=per_channel)
            for channel, items in expected_due.items():
                ids = [x[2] for x in items]
                got1 = [d.event.id for d in first if d.channel == channel]
                got2 = [d.event.id for d in second if d.channel == channel]
                assert got1 == ids[:per_channel]
                assert got2 == ids[per_channel : 2 * per_channel]
            assert {d.key for d in first}.isdisjoint({d.key for d in second})
            # a lease that ends makes its deliveries claimable again, in the same order
            third = store.claim_deliveries(now + 10.0, owner="three", lease=5.0, per_channel=99)
            assert sorted(d.key for d in third) == sorted(
                f"{x[2]}:{c}" for c, items in due.items() for x in items if x[0] <= now + 10.0
            )
            if first:
                nxt = store.next_due()
                assert nxt is not None
                assert nxt >= now + 10.0
        finally:
            store.close()

    def test_every_attempt_outcome_is_recorded(self) -> None:
        store = self.make_store()
        try:
            evs = [roster_published(roster=f"r{i}", version=1, unit="C", at=T0) for i in range(6)]
            for e in evs:
                store.enqueue(e, ["m"])
            claimed = store.claim_deliveries(0.0, owner="me", lease=60.0)
            assert len(claimed) == 6
            assert store.claim_deliveries(0.0, owner="you", lease=60.0) == []
            assert store.next_due() == 60.0
            ids = [e.id for e in evs]
            store.record_attempts(
                [
                    Attempt(ids[0], "m", "delivered"),
                    Attempt(ids[1], "m", "retry", "5xx", 50.0, done=("x@example.org",)),
                    Attempt(ids[2], "m", "dead", "410 Gone", 0.0),
                    Attempt(ids[3], "m", "deferred", "429", 30.0),
                    Attempt(ids[4], "m", "postponed", next_attempt=30.0),
                    Attempt(ids[5], "m", "released"),
                ]
            )
            got = {d.event.id: d for d in store.deliveries()}
            assert got[ids[0]].status == "delivered"
            assert got[ids[0]].attempts == 1
            assert (got[ids[1]].status, got[ids[1]].attempts, got[ids[1]].next_attempt) == (
                "pending",
                1,
                50.0,
            )
            assert got[ids[1]].done == ("x@example.org",)
            assert (got[ids[2]].status, got[ids[2]].last_error) == ("dead", "410 Gone")
            assert (got[ids[3]].attempts, got[ids[3]].deferrals) == (0, 1)
            assert (got[ids[4]].attempts, got[ids[4]].next_attempt) == (0, 30.0)
            assert (got[ids[5]].attempts, got[ids[5]].next_attempt) == (0, 0.0)
            assert store.count_deliveries() == 6
            assert store.count_deliveries(status="pending") == 4
            # the released one is claimable at once; the others when due
            assert [d.event.id for d in store.claim_deliveries(1.0, owner="you", lease=5)] == [
                ids[5]
            ]
            late = store.claim_deliveries(50.0, owner="you", lease=5)
            # by due time, then id; the released one's lease has ended by now
            assert [d.event.id for d in late] == [ids[5], *sorted((ids[3], ids[4])), ids[1]]
            store.record_attempts([Attempt(ids[0], "m", "retry", "late", 1.0)])
            assert store.deliveries(status="delivered")[0].attempts == 1
            with pytest.raises(StoreError):
                store.record_attempts([Attempt("nope", "m", "delivered")])
        finally:
            store.close()

    # -- hostile text everywhere ----------------------------------------------------------
    def test_hostile_text_round_trips_verbatim_in_every_field(self) -> None:
        store = self.make_store()
        try:
            tree = contract_tree()
            store.save_hierarchy(tree)
            assert store.hierarchy() == tree
            for i, text in enumerate(gst.HOSTILE):
                hid = f"h{i}{text[:300]}"
                sid = f"s{i}{text[:300]}"
                h = Household(hid, "B1", door=text)
                s = Sweep(sid, "C", T0, T0, purpose=text)
                v = Visit(f"v{i}{text[:300]}", sid, hid, T0, visitor=text, note=text)
                store.save_households([h])
                store.save_sweep(s)
                assert store.append_visits([v]).added == 1
                assert store.household(hid) == h
                assert store.sweep(sid) == s
                assert list(store.visits(household=hid)) == [v]
                store.save_problem(f"p{i}", {text: text})
                assert store.problem(f"p{i}") == {text: text}
                e = Event(
                    f"e{i}", EventKind.RULE_VIOLATION, T0, "C", text, {"t": text}, {"name": text}
                )
                store.enqueue(e, [text or "blank"])
                assert [x for x in store.events() if x.id == e.id] == [e]
        finally:
            store.close()
