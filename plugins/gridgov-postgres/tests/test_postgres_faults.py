"""PostgreSQL under concurrency and faults: roster versions, flushers, connections, secrets."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psycopg
import pytest
from gridgov_postgres import PostgresStore

from gridgov import events as ev
from gridgov.store import open_store

CLI = "import sys; from gridgov.cli import main; sys.exit(main(sys.argv[1:]))"
T0 = dt.datetime(2022, 4, 1, 8)


def _cli(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", CLI, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )


def test_concurrent_publishers_of_one_roster_get_distinct_versions(fresh_url: str) -> None:
    PostgresStore(fresh_url).close()
    got: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def publish() -> None:
        store = PostgresStore(fresh_url)
        try:
            start.wait()
            for _ in range(5):
                got.append(store.save_roster("R", {"x": 1}, status="published"))
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)
        finally:
            store.close()

    threads = [threading.Thread(target=publish) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(got) == list(range(1, 41))
    store = PostgresStore(fresh_url)
    assert [r.version for r in store.roster_versions("R")] == list(range(1, 41))
    store.close()


def test_concurrent_roster_publish_commands(fresh_url: str, tmp_path: Path) -> None:
    PostgresStore(fresh_url).close()
    roster = tmp_path / "roster.json"
    roster.write_text('[{"post": "P1", "shift": "D", "team": "T1"}]', encoding="utf-8")
    procs = [
        _cli(
            "roster", "publish", str(roster), "--id", "R", "--store", fresh_url, "-w", str(tmp_path)
        )
        for _ in range(8)
    ]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        assert "Traceback" not in err
    store = PostgresStore(fresh_url)
    assert [r.version for r in store.roster_versions("R")] == list(range(1, 9))
    store.close()


def _connections(url: str, name: str) -> int:
    """Open connections named ``name`` (other tests share the server: count only ours)."""
    with psycopg.connect(url.split("?", 1)[0], autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", (name,)
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_a_scoped_store_opened_by_url_closes_its_connection(fresh_url: str) -> None:
    from gridgov.examples import reference_county

    name = f"gridgov-leak-{uuid.uuid4().hex[:8]}"
    url = f"{fresh_url}&application_name={name}"
    store = PostgresStore(url)
    tree = reference_county(seed=1, scale=0.1)  # a county of 12 communities is not needed
    store.save_hierarchy(tree)
    assert _connections(url, name) == 1  # the name reaches the server
    store.close()
    unit = next(iter(tree.children(tree.root)))
    closed = []  # kept alive: closing must release the connection, not the garbage collector
    for _ in range(20):
        view = open_store(url, scope=unit)
        assert view.hierarchy() is not None
        view.close()
        closed.append(view)
    left = _connections(url, name)
    for _ in range(50):  # a closed backend leaves pg_stat_activity a moment later
        if left == 0:
            break
        time.sleep(0.1)
        left = _connections(url, name)
    assert left == 0
    assert len(closed) == 20


class _Hook:
    def __init__(self) -> None:
        self.seen: Counter[str] = Counter()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("content-length", "0")))
                time.sleep(0.01)
                outer.seen[self.headers.get("webhook-id", "")] += 1
                self.send_response(200)
                self.send_header("content-length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def hook() -> Iterator[_Hook]:
    h = _Hook()
    yield h
    h.server.shutdown()
    h.server.server_close()


def test_two_flushers_share_the_work_with_skip_locked(
    fresh_url: str, tmp_path: Path, hook: _Hook
) -> None:
    pytest.importorskip("gridgov_webhook")
    root = tmp_path / "ws"
    init = _cli("init", str(root), "--store", fresh_url)
    assert init.wait(timeout=60) == 0
    text = (root / "gridgov.toml").read_text(encoding="utf-8").split("# A channel:", 1)[0]
    # margins far above what a loaded machine needs (a drain returns once nothing is pending)
    text = text.replace("lease_seconds = 60.0", "lease_seconds = 900.0")
    text += f'[channels.hook]\ntype = "webhook"\nurl = "{hook.url}"\ntimeout = 300\n'
    text += '\n[[routes]]\nchannels = ["hook"]\n'
    (root / "gridgov.toml").write_text(text, encoding="utf-8")
    assert "lease_seconds = 900.0" in text
    store = PostgresStore(fresh_url)
    for i in range(300):
        store.enqueue(ev.roster_published(roster=f"r{i}", version=1, unit="C", at=T0), ["hook"])
    store.close()
    procs = [_cli("notify", "flush", "--wait", "400", "-w", str(root)) for _ in range(3)]
    outs = []
    for p in procs:
        out, err = p.communicate(timeout=900)
        assert p.returncode == 0, err
        outs.append(out)
    assert len(hook.seen) == 300, outs
    assert sum(hook.seen.values()) == 300, outs  # nobody sent anything twice


def test_credentials_in_a_store_url_are_never_printed(fresh_url: str, tmp_path: Path) -> None:
    with_password = fresh_url.replace("postgres@", "postgres:Sup3rSecret@", 1)
    assert "Sup3rSecret" in with_password
    from gridgov.examples import reference_county
    from gridgov.org import write_csv

    tree_file = tmp_path / "tree.csv"
    write_csv(reference_county(seed=1, scale=0.1), tree_file)  # any tree: the URL is the point
    commands = [
        ("init", str(tmp_path / "ws"), "--store", with_password),
        ("org", "import", str(tree_file), "-w", str(tmp_path / "ws")),
        ("init", str(tmp_path / "bad"), "--store", "postgresql://u:Sup3rSecret@127.0.0.1:1/x"),
    ]
    shown = ""
    runs = []
    for args in commands:  # one after the other
        p = _cli(*args)
        out, err = p.communicate(timeout=120)
        shown += out + err
        runs.append(p)
    assert runs[0].returncode == 0
    assert runs[1].returncode == 0
    assert runs[2].returncode == 1
    assert "postgres:***@127.0.0.1" in shown
    assert "Sup3rSecret" not in shown
