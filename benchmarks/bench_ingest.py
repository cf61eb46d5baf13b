"""Whole-command ingest benchmark: ``gridgov sweep import-visits`` vs a plain ``sqlite3`` peer.

Generates a store (tree, 20k households, one sweep) and a visits CSV of N visits
(default 100k), then times, each as a whole process under ``/usr/bin/time -v``:

* ``gridgov sweep import-visits FILE --store sqlite:///...`` (the first import, then
  the same file again: every visit already stored);
* the peer: a plain Python script reading the same CSV with :mod:`csv` and inserting
  the same rows with one ``sqlite3`` ``executemany`` in one transaction.

Prints one JSON row each (wall and CPU seconds; the machine is shared, CPU is the
steadier figure). Run: ``python benchmarks/bench_ingest.py [N]``. With
GRIDGOV_BENCH_POSTGRES_URL set (``postgresql://.../test?schema=NAME``) the import
into PostgreSQL is timed too.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from whole_command import time_command

from gridgov.org import Hierarchy, Unit
from gridgov.store import open_store
from gridgov.sweep.model import Household, Outcome, Sweep, Visit
from gridgov.sweep.visit_format import write_visits

N_HOUSEHOLDS = 20_000
T0 = dt.datetime(2022, 4, 1)

PEER = r"""
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


def prepare(url: str) -> None:
    """A store with the tree, the households and the sweep (no visits)."""
    store = open_store(url)
    n_buildings = N_HOUSEHOLDS // 40
    tree = Hierarchy.from_units(
        [(Unit("C", "county"), None)]
        + [(Unit(f"G{g}", "grid"), "C") for g in range(n_buildings // 10)]
        + [(Unit(f"B{b}", "building"), f"G{b // 10}") for b in range(n_buildings)]
    )
    store.save_hierarchy(tree)
    store.save_households(Household(f"h{i}", f"B{i // 40}") for i in range(N_HOUSEHOLDS))
    store.save_sweep(Sweep("s1", "C", T0, T0 + dt.timedelta(days=1)))
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
    secs = float(figures["seconds"])  # type: ignore[arg-type]
    cpu = float(figures["cpu_seconds"])  # type: ignore[arg-type]
    print(
        json.dumps(
            {
                "bench": "ingest",
                "run": name,
                "visits": n,
                "seconds": secs,
                "cpu_seconds": cpu,
                "peak_mb": figures["peak_mb"],
                "visits_per_s": round(n / secs) if secs else None,
                "visits_per_cpu_s": round(n / cpu) if cpu else None,
            }
        ),
        flush=True,
    )


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    gridgov = str(Path(sys.executable).with_name("gridgov"))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "visits.csv")
        write_visits(visits(n), path)
        db = Path(tmp, "store.db")
        prepare(f"sqlite:///{db}")
        cmd = [gridgov, "sweep", "import-visits", str(path), "--store", f"sqlite:///{db}"]
        row("gridgov sqlite import", n, time_command(cmd))
        row("gridgov sqlite import again", n, time_command(cmd))
        peer = Path(tmp, "peer.py")
        peer.write_text(PEER, encoding="utf-8")
        row(
            "peer sqlite3 executemany",
            n,
            time_command([sys.executable, str(peer), str(path), str(Path(tmp, "peer.db"))]),
        )
        pg = os.environ.get("GRIDGOV_BENCH_POSTGRES_URL")
        if pg:
            prepare(pg)
            cmd = [gridgov, "sweep", "import-visits", str(path), "--store", pg]
            try:
                row("gridgov postgresql import", n, time_command(cmd))
                row("gridgov postgresql import again", n, time_command(cmd))
            finally:
                store = open_store(pg)
                store.drop_schema()  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
