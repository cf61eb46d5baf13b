"""Ingest benchmark: ``gridgov sweep import-visits`` into SQLite and PostgreSQL, beside peers.

Generates a store (tree, 20k households, one sweep) and a plain visits CSV of N
visits (default 100k), then times, in the same run:

* whole commands under ``/usr/bin/time -v`` (wall, CPU = user + system, peak RSS):
  ``gridgov sweep import-visits FILE --store URL`` (the first import, then the same file
  again: every visit already stored), for SQLite and (with a server) PostgreSQL, with
  the columnar engine (``GRIDGOV_ENGINE=auto``: the bulk path) and, with ``--python``,
  the reference path (``GRIDGOV_ENGINE=python``);
* the peers, also whole commands: a plain script reading the same CSV with :mod:`csv`
  and inserting the rows with one ``sqlite3`` ``executemany`` in one transaction, and
  (with a server) one reading it with :mod:`csv` and sending it with psycopg's ``COPY``;
* in process: :func:`gridgov.store.visit_io.check_file` + ``import_visits`` into a fresh
  store (the command's work without the interpreter's start-up), wall and CPU seconds
  (``time.process_time``, all threads); for PostgreSQL also the CPU seconds of the
  store's server process (``server_cpu_seconds``, from ``/proc`` of its backend: the
  server is on this machine) and ``visits_per_total_cpu_s`` (client and server).

Prints one JSON row each; ``visits_per_s`` is N / wall seconds and ``visits_per_cpu_s``
N / CPU seconds (on a shared machine CPU is the steadier figure; a PostgreSQL row's CPU is
the client's only, the server works in its own processes). Run:
``python benchmarks/bench_ingest.py [N] [--python]``; with GRIDGOV_BENCH_POSTGRES_URL set
(``postgresql://.../test?schema=NAME``; the schema is dropped at the end) PostgreSQL too.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_store import N_HOUSEHOLDS, T0, county_store
from whole_command import time_command

from gridgov.store import open_store
from gridgov.sweep.model import Outcome, Visit
from gridgov.sweep.visit_format import write_visits

SQLITE_PEER = r"""
import csv, sqlite3, sys
con = sqlite3.connect(sys.argv[2], isolation_level=None)
con.execute("CREATE TABLE IF NOT EXISTS v (id TEXT, sweep TEXT, household TEXT, at TEXT,"
            " visitor TEXT, outcome TEXT, persons_seen INT, persons_registered INT,"
            " returnees INT, note TEXT, residents_seen TEXT, UNIQUE (sweep, id))")
with open(sys.argv[1], newline="", encoding="utf-8") as fh:
    rows = csv.reader(fh)
    next(rows)
    con.execute("BEGIN")
    con.executemany("INSERT INTO v VALUES (?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING", rows)
    con.execute("COMMIT")
print(con.execute("SELECT COUNT(*) FROM v").fetchone()[0])
"""

PG_PEER = r"""
import csv, sys
import psycopg
from gridgov_postgres import split_url
conninfo, schema = split_url(sys.argv[2])
with psycopg.connect(conninfo) as con:
    con.execute(f"SET search_path TO {schema}")
    con.execute("CREATE TABLE IF NOT EXISTS peer_v (id TEXT, sweep TEXT, household TEXT,"
                " at TEXT, visitor TEXT, outcome TEXT, persons_seen INT, persons_registered INT,"
                " returnees INT, note TEXT, residents_seen TEXT, UNIQUE (sweep, id))")
    with open(sys.argv[1], newline="", encoding="utf-8") as fh:
        rows = csv.reader(fh)
        next(rows)
        with con.cursor() as cur, cur.copy("COPY peer_v FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    print(con.execute("SELECT COUNT(*) FROM peer_v").fetchone()[0])
"""


def prepare(url: str) -> None:
    """A store with the tree, the households and the sweep (no visits)."""
    store = county_store(url, until=T0 + dt.timedelta(days=1))
    store.close()


def visits(n: int) -> list[Visit]:
    """``n`` visits of sweep ``s1``, every outcome, times through the day."""
    outcomes = list(Outcome)
    return [
        Visit(
            f"v{i}",
            "s1",
            f"h{(i * 7919) % N_HOUSEHOLDS}",
            T0 + dt.timedelta(seconds=i % 80_000),
            visitor=f"w{i % 97}",
            outcome=outcomes[i % 6],
            persons_seen=i % 5,
            persons_registered=i % 4,
        )
        for i in range(n)
    ]


def row(name: str, n: int, figures: dict[str, object]) -> None:
    """One JSON row."""
    secs = float(figures["seconds"])  # type: ignore[arg-type]
    cpu = float(figures["cpu_seconds"])  # type: ignore[arg-type]
    out = {
        "bench": "ingest",
        "run": name,
        "visits": n,
        "seconds": secs,
        "cpu_seconds": cpu,
        "peak_mb": figures.get("peak_mb"),
        "visits_per_s": round(n / secs) if secs else None,
        "visits_per_cpu_s": round(n / cpu) if cpu else None,
    }
    server = figures.get("server_cpu_seconds")
    if server is not None:
        out["server_cpu_seconds"] = server
        out["visits_per_total_cpu_s"] = round(n / (cpu + float(server)))  # type: ignore[arg-type]
    print(json.dumps(out), flush=True)


def server_cpu(store: object) -> float | None:
    """CPU seconds (user + system) so far of a PostgreSQL store's server process."""
    conn = getattr(store, "connection", None)
    if conn is None or not hasattr(conn, "info"):
        return None
    pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None  # the server is on another machine
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def in_process(url: str, path: Path) -> dict[str, object]:
    """The command's work in this process: check the file, then import it (fresh store)."""
    import gridgov.store.bulk_rows  # noqa: F401  (the engine's import is not the ingest's work)
    from gridgov.store.visit_io import check_file, import_visits

    store = open_store(url)
    try:
        s0 = server_cpu(store)
        t0, c0 = time.perf_counter(), time.process_time()
        checked = check_file(path, engine="auto")
        result = import_visits(store, path, checked=checked)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        s1 = server_cpu(store)
    finally:
        store.close()
    assert result.added == checked.count, result
    figures: dict[str, object] = {
        "seconds": round(wall, 3),
        "cpu_seconds": round(cpu, 3),
        "peak_mb": None,
    }
    if s0 is not None and s1 is not None:
        figures["server_cpu_seconds"] = round(s1 - s0, 2)
    return figures


def drop(url: str) -> None:
    """Drop a PostgreSQL benchmark schema."""
    store = open_store(url)
    store.drop_schema()  # type: ignore[attr-defined]


def main() -> None:
    """Run every row (see the module docs)."""
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 100_000
    engines = ["auto", "python"] if "--python" in sys.argv else ["auto"]
    gridgov = str(Path(sys.executable).with_name("gridgov"))
    pg = os.environ.get("GRIDGOV_BENCH_POSTGRES_URL")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "visits.csv")
        write_visits(visits(n), path)
        backends = [("sqlite", lambda k: f"sqlite:///{Path(tmp, f'store{k}.db')}")]
        if pg:
            backends.append(("postgresql", lambda k: pg))
        for name, url_of in backends:
            for k, engine in enumerate(engines):
                url = url_of(k)
                prepare(url)
                label = "bulk" if engine == "auto" else "reference"
                cmd = [gridgov, "sweep", "import-visits", str(path), "--store", url]
                env = {"GRIDGOV_ENGINE": engine}
                try:
                    row(f"gridgov {name} import ({label})", n, time_command(cmd, env))
                    row(f"gridgov {name} import again ({label})", n, time_command(cmd, env))
                finally:
                    if name == "postgresql":
                        drop(url)
            url = url_of(len(engines))
            prepare(url)
            try:
                row(f"gridgov {name} import in process (bulk)", n, in_process(url, path))
            finally:
                if name == "postgresql":
                    drop(url)
        peer = Path(tmp, "peer.py")
        peer.write_text(SQLITE_PEER, encoding="utf-8")
        db = str(Path(tmp, "peer.db"))
        row("peer sqlite3 executemany", n, time_command([sys.executable, str(peer), str(path), db]))
        if pg:
            peer = Path(tmp, "peer_pg.py")
            peer.write_text(PG_PEER, encoding="utf-8")
            prepare(pg)
            try:
                cmd = [sys.executable, str(peer), str(path), pg]
                row("peer postgresql COPY", n, time_command(cmd))
            finally:
                drop(pg)


if __name__ == "__main__":
    main()
