"""Soak: flushers and importers killed at random while two channels deliver.

A workspace with a healthy webhook channel and one whose receiver is down,
events already in the outbox, and a visit file (some visits to households
nobody stored, each becoming a visit-rejected event). Two ``notify flush``
and two ``sweep import-visits`` processes run at once; one of them is killed
with SIGKILL at random moments and restarted. Afterwards, with one last
flush: every key reached the healthy receiver (the repeats are bounded by the
processes killed: a flusher records each send at once, so at most the one
in flight is sent again; importers flush too), nothing is pending, the failing channel's
deliveries are all given up, the SQLite file passes its integrity check, and
the store holds exactly the inputs. It runs on SQLite and on PostgreSQL.

``GRIDGOV_SOAK=long`` runs the long profile (10,000 events, 60 kills);
the default is short enough for ``make test``.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import sqlite3
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from gridgov import events as ev
from gridgov.store import open_store
from gridgov.store.visit_io import write_visits_jsonl
from gridgov.sweep.model import Household, Sweep, Visit

from .loopback import Hook, closed_port, gridgov, start, workspace

pytest.importorskip("gridgov_webhook")

LONG = os.environ.get("GRIDGOV_SOAK") == "long"
EVENTS = 10_000 if LONG else 400
VISITS = 40_000 if LONG else 4_000
UNKNOWN_EVERY = 50  # one visit in 50 names a household nobody stored
KILLS = 60 if LONG else 8
T0 = dt.datetime(2022, 4, 1, 8)


def _setup(root: Path, hook: Hook, url: str | None) -> tuple[Path, set[str], int]:
    workspace(
        root,
        f"""
[notify]
retry_base = 0.05
retry_factor = 2.0
retry_max_delay = 0.5
max_attempts = 3
lease_seconds = 5.0
batch = 50

[channels.ok]
type = "webhook"
url = "{hook.url}"
timeout = 5

[channels.down]
type = "webhook"
url = "http://127.0.0.1:{closed_port()}/hook"
timeout = 2

[[routes]]
channels = ["ok", "down"]
""",
        store=url,
    )
    store = open_store(url or f"sqlite:///{root}/gridgov.db")
    households = 500
    store.save_households(Household(f"h{i}", f"B{i // 25}") for i in range(households))
    store.save_sweep(Sweep("S1", "C", T0, T0 + dt.timedelta(days=1)))
    expected: set[str] = set()
    for i in range(EVENTS):
        e = ev.roster_published(
            roster=f"r{i}", version=1, unit="C", at=T0 + dt.timedelta(seconds=i)
        )
        store.enqueue(e, ["ok", "down"])
        expected.add(e.id)
    store.close()
    path = root / "visits.jsonl"
    unknown = 0
    visits = []
    for i in range(VISITS):
        ghost = i % UNKNOWN_EVERY == 0
        unknown += ghost
        house = f"ghost{i}" if ghost else f"h{i % households}"
        visits.append(Visit(f"v{i:06d}", "S1", house, T0 + dt.timedelta(seconds=i)))
    write_visits_jsonl(visits, path)
    return path, expected, VISITS - unknown


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """None for the workspace's SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        yield None
        return
    psycopg = pytest.importorskip("psycopg")
    pytest.importorskip("gridgov_postgres")
    server = os.environ.get(
        "GRIDGOV_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
    )
    try:
        psycopg.connect(server, connect_timeout=3).close()
    except psycopg.Error as exc:
        if os.environ.get("GRIDGOV_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"no PostgreSQL server at {server}: {exc}")
        pytest.skip(f"no PostgreSQL server at {server}")
    schema = f"gridgov_soak_{uuid.uuid4().hex[:12]}"
    yield f"{server}{'&' if '?' in server else '?'}schema={schema}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def test_soak_kills_of_flushers_and_importers_lose_and_repeat_nothing(
    tmp_path: Path, store_url: str | None
) -> None:
    hook = Hook(delay=0.002)
    rng = random.Random(20261201)
    root = tmp_path / "ws"
    try:
        path, expected, good_visits = _setup(root, hook, store_url)

        def flusher() -> subprocess.Popen[str]:
            return start("notify", "flush", "--wait", "5", "-w", str(root))

        def importer() -> subprocess.Popen[str]:
            return start("sweep", "import-visits", str(path), "--batch", "500", "-w", str(root))

        running = {"flush": [flusher(), flusher()], "import": [importer(), importer()]}
        kills = {"flush": 0, "import": 0}
        imports_done = 0
        while sum(kills.values()) < KILLS or imports_done < 2:
            time.sleep(rng.uniform(0.1, 0.6))
            if sum(kills.values()) < KILLS:
                kind = rng.choice(("flush", "import"))
                victim = rng.choice(running[kind])
                if victim.poll() is None:
                    os.kill(victim.pid, signal.SIGKILL)
                    kills[kind] += 1
            for kind, procs in running.items():
                for i, p in enumerate(procs):
                    if p.poll() is None:
                        continue
                    _out, err = p.communicate()
                    if p.returncode != -signal.SIGKILL:
                        assert "Traceback" not in err, err
                        unexpected = [
                            line
                            for line in err.splitlines()
                            if line.startswith("gridgov: error:")
                            and "unknown household" not in line
                            and "more" not in line
                        ]
                        assert unexpected == [], err
                        assert p.returncode in (0, 1), err
                        if kind == "import" and sum(kills.values()) >= KILLS:
                            imports_done += 1
                    procs[i] = flusher() if kind == "flush" else importer()
        for p in running["import"]:
            if p.poll() is None:
                os.kill(p.pid, signal.SIGKILL)
                kills["import"] += 1
            p.communicate()
        for p in running["flush"]:  # they stop by themselves (--wait 5)
            p.communicate(timeout=120)
        final = gridgov("notify", "flush", "--wait", "120", "-w", str(root), timeout=300)
        assert "0 pending" in final.stdout, final.stdout + final.stderr

        if store_url is None:
            conn = sqlite3.connect(root / "gridgov.db")
            try:
                assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
                visits, distinct = conn.execute(
                    "SELECT COUNT(*), COUNT(DISTINCT id) FROM visit_versions"
                ).fetchone()
            finally:
                conn.close()
        store = open_store(store_url or f"sqlite:///{root}/gridgov.db")
        try:
            stored = store.count_visits()
            events = store.events()
            statuses = Counter((d.channel, d.status) for d in store.deliveries())
        finally:
            store.close()
        if store_url is not None:
            visits = distinct = stored
        assert stored == visits
        rejected = {e.id for e in events if e.kind.value == "visit-rejected"}
        n_events = len(events)
        assert (visits, distinct) == (good_visits, good_visits)
        assert len(rejected) == VISITS - good_visits
        everything = expected | rejected
        assert n_events == len(everything)
        assert dict(statuses) == {
            ("ok", "delivered"): len(everything),
            ("down", "dead"): len(everything),
        }
        assert set(hook.accepted) == everything  # every key reached the healthy receiver
        # an importer flushes too: any killed process may leave its one send in flight
        repeats = sum(hook.accepted.values()) - len(everything)
        print(f"soak: {len(everything)} events, kills {kills}, {repeats} repeated sends")
        assert repeats <= sum(kills.values()), (repeats, kills)
    finally:
        hook.close()
