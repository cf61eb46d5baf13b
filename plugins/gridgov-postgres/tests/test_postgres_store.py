"""The PostgreSQL store: the shared contract, COPY ingest, SQL roll-ups, concurrency."""

from __future__ import annotations

import datetime as dt
import os
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import psycopg
import pytest
from gridgov_postgres import PostgresStore, split_url
from psycopg import sql

from gridgov import events as ev
from gridgov.examples import reference_county
from gridgov.plugins import Plugins, use_plugins
from gridgov.store import LATEST_VERSION, MemoryStore, Store, StoreError, open_store
from gridgov.sweep.model import Household, Outcome, Sweep, Visit
from gridgov.testing import StoreContract

T0 = dt.datetime(2022, 4, 1, 8)


class TestPostgresStore(StoreContract):
    @pytest.fixture(autouse=True)
    def _url(self, pg_url: str) -> None:
        self.url = pg_url

    def make_store(self) -> Store:
        store = PostgresStore(self.url)
        store.truncate()
        return store


def test_url_parsing() -> None:
    assert split_url("postgresql://u@h:5/db?schema=s&sslmode=require") == (
        "postgresql://u@h:5/db?sslmode=require",
        "s",
    )
    assert split_url("postgresql+psycopg://u@h/db") == ("postgresql://u@h/db", None)
    with pytest.raises(StoreError, match="not a PostgreSQL URL"):
        split_url("mysql://x")


def test_a_bad_password_is_not_echoed() -> None:
    with pytest.raises(StoreError) as info:
        PostgresStore("postgresql://nobody:s3cret@127.0.0.1:1/db", connect_timeout=1)
    assert "s3cret" not in str(info.value)
    assert "nobody:***@127.0.0.1:1" in str(info.value)


def test_opened_by_url_through_the_entry_point(fresh_url: str) -> None:
    with use_plugins(Plugins()):
        store = open_store(fresh_url)
    assert isinstance(store, PostgresStore)
    assert store.schema_version() == LATEST_VERSION
    store.close()


def _dataset(seed: int) -> tuple[object, list[Household], list[Sweep], list[Visit]]:
    rng = random.Random(seed)
    tree = reference_county(seed=seed, scale=0.03)
    houses = [Household(u.id, tree.parent(u.id) or "") for u in tree if u.level == "household"]
    sweeps = [Sweep("s1", tree.root, T0, T0), Sweep("s2", tree.root, T0, T0)]
    outcomes = list(Outcome)
    visits = [
        Visit(
            f"v{i}", rng.choice(["s1", "s2"]), rng.choice(houses).id, T0, "", rng.choice(outcomes)
        )
        for i in range(4000)
    ]
    return tree, houses, sweeps, visits


def test_roll_ups_in_sql_agree_with_the_memory_store(pg_url: str) -> None:
    tree, houses, sweeps, visits = _dataset(7)
    stores: list[Store] = [MemoryStore(), PostgresStore(pg_url)]
    stores[1].truncate()  # type: ignore[attr-defined]
    for store in stores:
        store.save_hierarchy(tree)  # type: ignore[arg-type]
        store.save_households(houses)
        for s in sweeps:
            store.save_sweep(s)
        for i in range(0, len(visits), 1000):
            assert store.append_visits(visits[i : i + 1000]).added == 1000
    mem, pg = stores
    for sweep in ("s1", "s2"):
        assert pg.sweep_counts(sweep) == mem.sweep_counts(sweep)
        for level in ("county", "township", "community", "grid"):
            assert pg.sweep_counts(sweep, level=level) == mem.sweep_counts(sweep, level=level)
    community = tree.at_level("community")[0]  # type: ignore[attr-defined]
    assert pg.scoped(community).sweep_counts("s1", level="grid") == mem.scoped(
        community
    ).sweep_counts("s1", level="grid")
    assert pg.count_visits() == 4000
    pg.close()


def test_truncate_empties_every_table_but_the_schema_version(
    pg_server: str, fresh_url: str
) -> None:
    """Every table the schema has (read from the catalog, so a new table is not missed)."""
    tree, houses, sweeps, visits = _dataset(3)
    store = PostgresStore(fresh_url)
    store.save_hierarchy(tree)  # type: ignore[arg-type]
    store.save_households(houses)
    for s in sweeps:
        store.save_sweep(s)
    store.append_visits(visits[:100])
    event = ev.roster_published(roster="r", version=1, unit="C", at=T0)
    store.enqueue(event, ["log"])
    store.save_roster("r", [{"post": "P"}], status="published")
    version = store.schema_version()

    def rows() -> dict[str, int]:
        with psycopg.connect(pg_server) as conn:
            tables = conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
                (store.schema,),
            ).fetchall()
            return {
                t: conn.execute(
                    sql.SQL("SELECT count(*) FROM {}.{}").format(
                        sql.Identifier(store.schema), sql.Identifier(t)
                    )
                ).fetchone()[0]  # type: ignore[index]
                for (t,) in tables
            }

    before = rows()
    assert {"units", "households", "visit_versions", "events", "deliveries", "rosters"} <= {
        t for t, n in before.items() if n
    }
    store.truncate()
    assert rows() == dict.fromkeys(before, 0) | {"gridgov_meta": 1}
    assert store.schema_version() == version
    assert store.hierarchy() is None and store.count_visits() == 0
    store.close()


def test_ingest_goes_through_copy(pg_url: str) -> None:
    store = PostgresStore(pg_url)
    store.truncate()
    store.save_households([Household("h", "B")])
    store.save_sweep(Sweep("s", "C", T0, T0))
    statements: list[str] = []
    real = store._insert_versions

    def spy(cur, rows):  # type: ignore[no-untyped-def]
        statements.append("copy")
        return real(cur, rows)

    store._insert_versions = spy  # type: ignore[method-assign]
    result = store.append_visits(Visit(f"v{i}", "s", "h", T0) for i in range(500))
    assert result.added == 500
    assert statements == ["copy"]
    with store.connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM visit_versions")
        assert cur.fetchone() == (500,)
    store.close()


WRITER = textwrap.dedent(
    """
    import datetime as dt, sys
    from gridgov_postgres import PostgresStore
    from gridgov.sweep.model import Visit
    store = PostgresStore(sys.argv[1])
    t = dt.datetime(2022, 4, 1)
    total = 0
    for b in range(10):
        r = store.append_visits(Visit(f"v{b}-{i}", "s", f"h{i % 20}", t) for i in range(300))
        total += r.added + r.duplicates
    assert total == 3000, total
    print(sum(1 for _ in store.visits()))
    """
)


def test_two_processes_ingesting_the_same_visits_store_each_once(fresh_url: str) -> None:
    store = PostgresStore(fresh_url)
    store.save_households(Household(f"h{i}", "B") for i in range(20))
    store.save_sweep(Sweep("s", "C", T0, T0))
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, fresh_url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()
    assert store.count_visits() == 3000
    with store.connection.cursor() as cur:
        cur.execute("SELECT count(DISTINCT id), count(*) FROM visit_versions")
        assert cur.fetchone() == (3000, 3000)
    store.close()


CONFLICTING_WRITER = textwrap.dedent(
    """
    import datetime as dt, json, sys
    from gridgov_postgres import PostgresStore
    from gridgov.sweep.model import Visit
    store = PostgresStore(sys.argv[1])
    note, backwards = sys.argv[2], sys.argv[3] == "1"
    t = dt.datetime(2022, 4, 1)
    ids = [f"v{i:05d}" for i in range(int(sys.argv[4]))]
    batches = [ids[i : i + 250] for i in range(0, len(ids), 250)]
    totals = [0, 0, 0]
    for batch in reversed(batches) if backwards else batches:
        r = store.append_visits(Visit(v, "s", f"h{int(v[1:]) % 20}", t, note=note) for v in batch)
        totals[0] += r.added
        totals[1] += r.duplicates
        totals[2] += len(r.conflicts)
    print(json.dumps(totals))
    """
)


def test_two_processes_sending_different_versions_lose_nothing(fresh_url: str) -> None:
    """Issue 10: the same ids with other notes from two importers at once. The database
    decides what is new, so every version is kept and each is reported exactly once."""
    import json

    n = 3000
    store = PostgresStore(fresh_url)
    store.save_households(Household(f"h{i}", "B") for i in range(20))
    store.save_sweep(Sweep("s", "C", T0, T0))
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CONFLICTING_WRITER, fresh_url, note, backwards, str(n)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for note, backwards in (("first", "0"), ("second", "1"))
    ]
    totals = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err.decode()
        totals.append(json.loads(out))
    added = sum(t[0] for t in totals)
    duplicates = sum(t[1] for t in totals)
    conflicts = sum(t[2] for t in totals)
    assert (added, duplicates, conflicts) == (n, 0, n)
    assert store.count_visits() == 2 * n
    listed = store.conflicts("s")
    assert len(listed) == n
    assert all(sorted(v.visit.note for v in c.versions) == ["first", "second"] for c in listed)
    store.close()


def test_concurrent_first_opens_migrate_once(fresh_url: str) -> None:
    code = (
        "import sys; from gridgov_postgres import PostgresStore; PostgresStore(sys.argv[1]).close()"
    )
    procs = [subprocess.Popen([sys.executable, "-c", code, fresh_url]) for _ in range(3)]
    assert [p.wait(timeout=60) for p in procs] == [0, 0, 0]
    store = PostgresStore(fresh_url)
    assert store.schema_version() == LATEST_VERSION
    store.close()


def test_schema_is_dropped_on_request(fresh_url: str) -> None:
    store = PostgresStore(fresh_url)
    schema = store.schema
    store.drop_schema()
    conninfo, _ = split_url(fresh_url)
    with psycopg.connect(conninfo) as conn:
        rows = conn.execute(
            "SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", (schema,)
        ).fetchall()
    assert rows == []


@pytest.mark.parametrize("engine", ["python", "columnar"])
def test_two_parallel_cli_imports_of_other_versions_keep_both(
    fresh_url: str, tmp_path: Path, engine: str
) -> None:
    """The issue's reproduction through the command line: two ``sweep import-visits`` of
    the same ids with different notes at once; afterwards every id has both versions
    (through the reference path and through the bulk path, ``append_columns``)."""
    from gridgov.sweep.visit_format import visits_csv_text

    n = 2000
    store = PostgresStore(fresh_url)
    store.save_households(Household(f"h{i}", "B") for i in range(20))
    store.save_sweep(Sweep("s", "C", T0, T0))
    paths = []
    for note in ("first", "second"):
        path = tmp_path / f"{note}.csv"
        visits = [Visit(f"v{i:05d}", "s", f"h{i % 20}", T0, note=note) for i in range(n)]
        path.write_text(visits_csv_text(visits), encoding="utf-8")
        paths.append(path)
    cli = "import sys; from gridgov.cli import main; sys.exit(main(sys.argv[1:]))"
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                cli,
                "sweep",
                "import-visits",
                str(p),
                "--batch",
                "200",
                "--store",
                fresh_url,
                "-w",
                str(tmp_path),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "GRIDGOV_ENGINE": engine},
        )
        for p in paths
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    for p, (_, err) in zip(procs, outs, strict=True):
        assert p.returncode in (0, 1), err
        assert "Traceback" not in err, err
    summaries = [out.strip().splitlines()[-1] for out, _ in outs]
    added = sum(int(s.split(" added")[0].rsplit(" ", 1)[1].replace(",", "")) for s in summaries)
    conflicts = sum(int(s.split(" conflicts")[0].rsplit(" ", 1)[1]) for s in summaries)
    assert (added, conflicts) == (n, n), summaries
    assert store.count_visits() == 2 * n
    assert len(store.conflicts("s")) == n
    store.close()
