"""Schema 6 on PostgreSQL: the visits' references checked once a batch, not row by row.

The visit tables lose their foreign keys (each per-row check cost more than the insert);
a batch locks its households and sweeps ``FOR KEY SHARE`` instead, and the one statement
that deletes households waits for the visits being written and then sees them.
"""

from __future__ import annotations

import datetime as dt
import threading

import psycopg
from gridgov_postgres import PostgresStore
from gridgov_postgres.store import VISIT_FOREIGN_KEYS

from gridgov.org import Hierarchy, Unit
from gridgov.store import LATEST_VERSION
from gridgov.sweep.model import Household, Sweep, Visit

T0 = dt.datetime(2022, 4, 1, 8)


def _constraints(store: PostgresStore) -> set[str]:
    rows = store.connection.execute(
        "SELECT conname FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace"
        " WHERE n.nspname = %s AND c.contype = 'f'",
        (store.schema,),
    ).fetchall()
    return {r[0] for r in rows}


def _tree(*buildings: str) -> Hierarchy:
    return Hierarchy.from_units(
        [(Unit("C", "county"), None)] + [(Unit(b, "building"), "C") for b in buildings]
    )


def test_a_schema_5_database_loses_the_visit_foreign_keys(fresh_url: str) -> None:
    store = PostgresStore(fresh_url)
    store.save_hierarchy(_tree("B1"), households=[Household("h1", "B1")])
    store.save_sweep(Sweep("s", "C", T0, T0))
    assert store.append_visits([Visit("v1", "s", "h1", T0)]).added == 1
    with store.connection.transaction():  # put the database back as schema 5 had it
        store.connection.execute(
            "ALTER TABLE visit_ids ADD CONSTRAINT visit_ids_sweep_fkey"
            " FOREIGN KEY (sweep) REFERENCES sweeps (id)"
        )
        store.connection.execute(
            "ALTER TABLE visit_versions ADD CONSTRAINT visit_versions_household_fkey"
            " FOREIGN KEY (household) REFERENCES households (id)"
        )
        store.connection.execute(
            "ALTER TABLE visit_versions ADD CONSTRAINT visit_versions_sweep_id_fkey"
            " FOREIGN KEY (sweep, id) REFERENCES visit_ids (sweep, id)"
        )
        store.connection.execute("UPDATE gridgov_meta SET value = '5' WHERE key = 'schema_version'")
    assert {name for _, name in VISIT_FOREIGN_KEYS} <= _constraints(store)
    store.close()
    store = PostgresStore(fresh_url)
    assert store.schema_version() == LATEST_VERSION
    assert not {name for _, name in VISIT_FOREIGN_KEYS} & _constraints(store)
    assert [v.id for v in store.visits()] == ["v1"]
    result = store.append_visits([Visit("v2", "s", "h1", T0), Visit("v3", "s", "nowhere", T0)])
    assert (result.added, [r.reason for r in result.rejected]) == (
        1,
        ["unknown household 'nowhere'"],
    )
    store.close()


def _waiting_for_a_lock(conn: psycopg.Connection[object], pid: int) -> bool:
    row = conn.execute(
        "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", (pid,)
    ).fetchone()
    return row is not None and row[0] == "Lock"


def test_removing_households_waits_for_the_visits_being_written(fresh_url: str) -> None:
    """A visit written (not yet committed) for a household that a new hierarchy leaves
    out keeps that household: the removal waits for the visit's transaction, then sees it."""
    store = PostgresStore(fresh_url)
    store.save_hierarchy(_tree("B1", "B2"), households=[Household("h1", "B1")])
    store.save_sweep(Sweep("s", "C", T0, T0))
    other = PostgresStore(fresh_url)
    pid = other.connection.execute("SELECT pg_backend_pid()").fetchone()[0]
    writer = store.connection
    writer.execute("BEGIN")
    writer.execute("LOCK TABLE visit_versions IN ROW EXCLUSIVE MODE")  # as a batch does
    writer.execute("INSERT INTO visit_ids (sweep, id) VALUES ('s', 'v1')")
    writer.execute(
        "INSERT INTO visit_versions (sweep, id, digest, household, code, persons, returnees,"
        " doc) VALUES ('s', 'v1', 'd', 'h1', 0, 0, 0, '{}')"
    )
    done = threading.Event()
    failed: list[BaseException] = []

    def replace() -> None:
        try:
            other.save_hierarchy(_tree("B2"), households=[])
        except BaseException as exc:  # reported below
            failed.append(exc)
        done.set()

    thread = threading.Thread(target=replace)
    thread.start()
    watcher = psycopg.connect(fresh_url.split("?")[0], autocommit=True)
    while not _waiting_for_a_lock(watcher, pid) and not done.is_set():
        done.wait(0.05)
    assert not done.is_set(), failed  # the removal waits for the visit's transaction
    writer.execute("COMMIT")
    thread.join()
    assert not failed
    kept = watcher.execute(f"SELECT id FROM {store.schema}.households ORDER BY id").fetchall()
    assert kept == [("h1",)]
    orphans = watcher.execute(
        f"SELECT count(*) FROM {store.schema}.visit_versions v WHERE NOT EXISTS"
        f" (SELECT 1 FROM {store.schema}.households h WHERE h.id = v.household)"
    ).fetchone()
    assert orphans == (0,)
    watcher.close()
    other.close()
    store.close()
