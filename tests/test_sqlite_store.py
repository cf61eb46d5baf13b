"""What only the SQLite store promises: durability settings, migrations, concurrent writers."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from gridgov.serialize import unstructure
from gridgov.store import LATEST_VERSION, MIGRATIONS, SqliteStore, StoreError, open_store
from gridgov.store.codec import dumps
from gridgov.store.schema import META_TABLE
from gridgov.store.sqlite import PAGE_SIZE, sqlite_path
from gridgov.sweep.model import Household, Sweep, Visit

T0 = dt.datetime(2022, 4, 1, 8)


def test_connection_settings(tmp_path: Path) -> None:
    store = SqliteStore(f"sqlite:///{tmp_path}/g.db")
    assert store.pragmas() == {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "busy_timeout": 60000,
        "synchronous": 2,
    }
    assert store.integrity_check() == "ok"
    assert store.connection.execute("PRAGMA page_size").fetchone()[0] == PAGE_SIZE


def test_an_existing_database_keeps_its_page_size(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (x)")  # SQLite's default page size, fixed from now on
    con.close()
    store = SqliteStore(f"sqlite:///{path}")
    assert store.connection.execute("PRAGMA page_size").fetchone()[0] == 4096
    assert store.integrity_check() == "ok"


def test_foreign_keys_are_enforced_by_the_database(tmp_path: Path) -> None:
    store = SqliteStore(f"sqlite:///{tmp_path}/g.db")
    with pytest.raises(sqlite3.IntegrityError):
        store.connection.execute(
            "INSERT INTO visit_versions (sweep, id, digest, household, code, persons,"
            " returnees, doc) VALUES ('s','v','d','h',0,0,0,'{}')"
        )


def test_a_version_2_database_is_upgraded_with_its_visits(tmp_path: Path) -> None:
    """Migration 3 moves the old one-row-per-id visits into versions with their digests
    and fills the columns the coverage roll-up reads; nothing is lost."""
    from gridgov.org import Hierarchy, Unit
    from gridgov.store import codec
    from gridgov.sweep import coverage
    from gridgov.sweep.model import Occupancy, Outcome

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE gridgov_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    for statements in MIGRATIONS[:2]:
        for statement in statements:
            conn.execute(statement)
    conn.execute("INSERT INTO gridgov_meta VALUES ('schema_version', '2')")
    houses = [Household("h1", "B"), Household("h2", "B", occupancy=Occupancy.MOVED_OUT)]
    sweep = Sweep("s1", "C", T0, T0 + dt.timedelta(hours=2))
    visits = [
        Visit("a", "s1", "h1", T0, outcome=Outcome.NOT_AT_HOME),
        Visit("b", "s1", "h1", T0 + dt.timedelta(hours=1), persons_seen=2),
    ]
    for h in houses:
        conn.execute("INSERT INTO households VALUES (?, ?, ?)", (h.id, h.building, codec.doc(h)))
    conn.execute("INSERT INTO sweeps VALUES (?, ?, ?)", (sweep.id, sweep.scope, codec.doc(sweep)))
    for v in visits:
        conn.execute(
            "INSERT INTO visits VALUES (?, ?, ?, ?, ?)",
            (v.id, v.sweep, v.household, v.outcome.value, codec.dumps(unstructure(v))),
        )
    conn.commit()
    conn.close()
    store = SqliteStore(f"sqlite:///{path}")
    assert store.schema_version() == LATEST_VERSION
    assert list(store.visits()) == visits
    assert store.append_visits(visits).duplicates == 2
    tree = Hierarchy.from_units([(Unit("C", "county"), None), (Unit("B", "building"), "C")])
    store.save_hierarchy(tree)
    assert store.sweep_counts("s1") == {
        u: coverage(tree, houses, visits, sweep).counts(u) for u in ("C", "B")
    }
    assert store.sweep_counts("s1")["C"].invalid == 1
    assert store.integrity_check() == "ok"


def _without_rowid(store: SqliteStore, table: str) -> bool:
    sql = store.connection.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).fetchone()[0]
    return "WITHOUT ROWID" in sql.upper()


def test_a_version_6_database_gets_compact_visit_ids(tmp_path: Path) -> None:
    """Migration 7 rebuilds ``visit_ids`` WITHOUT ROWID with every id; the visits keep
    their references (the foreign keys still hold, and are still enforced)."""
    url = f"sqlite:///{tmp_path}/old.db"
    store = SqliteStore(url)
    store.save_households([Household("h1", "B")])
    store.save_sweep(Sweep("s1", "C", T0, T0 + dt.timedelta(hours=2)))
    visits = [Visit(f"v{i}", "s1", "h1", T0 + dt.timedelta(minutes=i)) for i in range(5)]
    assert store.append_visits(visits).added == 5
    assert _without_rowid(store, "visit_ids")
    conn = store.connection
    conn.execute("PRAGMA foreign_keys = OFF")  # back to schema 6's table with a rowid
    conn.executescript(
        "BEGIN; CREATE TABLE old_ids (sweep TEXT NOT NULL REFERENCES sweeps (id),"
        " id TEXT NOT NULL, PRIMARY KEY (sweep, id));"
        " INSERT INTO old_ids SELECT sweep, id FROM visit_ids; DROP TABLE visit_ids;"
        " ALTER TABLE old_ids RENAME TO visit_ids;"
        " UPDATE gridgov_meta SET value = '6' WHERE key = 'schema_version'; COMMIT;"
    )
    assert not _without_rowid(store, "visit_ids")
    store.close()
    store = SqliteStore(url)
    assert store.schema_version() == LATEST_VERSION == 7
    assert _without_rowid(store, "visit_ids")
    assert store.connection.execute("SELECT id FROM visit_ids ORDER BY id").fetchall() == [
        (f"v{i}",) for i in range(5)
    ]
    assert list(store.visits()) == visits
    assert store.append_visits([*visits, Visit("v9", "s1", "h1", T0)]).added == 1
    assert store.connection.execute("PRAGMA foreign_key_check").fetchall() == []
    assert store.pragmas()["foreign_keys"] == 1
    with pytest.raises(sqlite3.IntegrityError):
        store.connection.execute("INSERT INTO visit_ids (sweep, id) VALUES ('nope', 'x')")
    assert store.integrity_check() == "ok"


def test_url_forms(tmp_path: Path) -> None:
    assert sqlite_path("sqlite:///rel/g.db") == "rel/g.db"
    assert sqlite_path("sqlite:////abs/g.db") == "/abs/g.db"
    with pytest.raises(StoreError, match="without a file path"):
        sqlite_path("sqlite:///")
    with pytest.raises(StoreError, match="not a store URL"):
        open_store(str(tmp_path / "g.db"))
    with pytest.raises(StoreError, match="no storage named 'nosuch'"):
        open_store("nosuch://x")


def _version_1_database(path: Path) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(META_TABLE)
    for statement in MIGRATIONS[0]:
        conn.execute(statement)
    conn.execute("INSERT INTO gridgov_meta VALUES ('schema_version', '1')")
    h = Household("h1", "B1")
    s = Sweep("s1", "C", T0, T0)
    v = Visit("v1", "s1", "h1", T0, note="kept through the migration")
    conn.execute("INSERT INTO households VALUES (?, ?, ?)", ("h1", "B1", dumps(unstructure(h))))
    conn.execute("INSERT INTO sweeps VALUES (?, ?, ?)", ("s1", "C", dumps(unstructure(s))))
    conn.execute(
        "INSERT INTO visits VALUES (?, ?, ?, ?, ?)",
        ("v1", "s1", "h1", "verified", dumps(unstructure(v))),
    )
    for version in (1, 2):
        conn.execute("INSERT INTO rosters VALUES ('r', ?, 'published', NULL, '[]')", (version,))
    conn.close()


def test_an_old_database_is_migrated_with_its_data(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _version_1_database(path)
    store = SqliteStore(f"sqlite:///{path}")
    assert store.schema_version() == LATEST_VERSION
    assert [v.note for v in store.visits()] == ["kept through the migration"]
    assert store.save_roster("r", []) == 3  # the version counter starts after the old ones
    tables = {r[0] for r in store.connection.execute("SELECT name FROM sqlite_master")}
    assert "deliveries" in tables
    assert store.integrity_check() == "ok"


def test_a_newer_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    SqliteStore(f"sqlite:///{path}").close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE gridgov_meta SET value = '99' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="schema version 99, newer than this gridgov"):
        SqliteStore(f"sqlite:///{path}")


def test_a_failed_bulk_write_leaves_nothing(tmp_path: Path) -> None:
    store = SqliteStore(f"sqlite:///{tmp_path}/g.db")

    class Boom(Exception):
        pass

    def households():
        yield Household("a", "B")
        raise Boom

    with pytest.raises(Boom):
        store.save_households(households())
    assert list(store.households()) == []


WRITER = textwrap.dedent(
    """
    import datetime as dt, sys
    from gridgov.store import open_store
    from gridgov.sweep.model import Visit
    url, tag = sys.argv[1], sys.argv[2]
    store = open_store(url)
    t = dt.datetime(2022, 4, 1)
    for b in range(20):
        r = store.append_visits(
            Visit(f"{tag}-{b}-{i}", "s1", f"h{i % 50}", t) for i in range(200)
        )
        assert r.added == 200, r
    store.close()
    """
)


def test_two_processes_writing_at_once_both_succeed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/g.db"
    store = SqliteStore(url)
    store.save_households(Household(f"h{i}", "B") for i in range(50))
    store.save_sweep(Sweep("s1", "C", T0, T0))
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, url, tag], stderr=subprocess.PIPE)
        for tag in ("a", "b")
    ]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()
    assert store.count_visits() == 2 * 20 * 200
    assert store.integrity_check() == "ok"


def test_concurrent_first_opens_migrate_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/fresh.db"
    code = "import sys; from gridgov.store import open_store; open_store(sys.argv[1]).close()"
    procs = [subprocess.Popen([sys.executable, "-c", code, url]) for _ in range(3)]
    assert [p.wait(timeout=60) for p in procs] == [0, 0, 0]
    assert SqliteStore(url).schema_version() == LATEST_VERSION


def test_threads_sharing_one_store_do_not_mix_transactions(tmp_path: Path) -> None:
    import threading

    store = SqliteStore(f"sqlite:///{tmp_path}/g.db")
    store.save_households(Household(f"h{i}", "B") for i in range(10))
    store.save_sweep(Sweep("s1", "C", T0, T0))
    errors: list[BaseException] = []

    def work(tag: str) -> None:
        try:
            for b in range(20):
                store.append_visits(Visit(f"{tag}{b}-{i}", "s1", f"h{i}", T0) for i in range(10))
                assert store.count_visits() >= 10
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in "abcd"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store.count_visits() == 4 * 20 * 10
