"""Store benchmark: bulk visit ingest and the coverage roll-up, memory vs SQLite (vs PostgreSQL).

Prints one JSON row per (backend, operation). Run: ``python benchmarks/bench_store.py``.
Set GRIDGOV_BENCH_POSTGRES_URL to include a PostgreSQL server (needs gridgov-postgres); give it
a ``?schema=NAME`` of its own: the schema is dropped at the end.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import tempfile
import time

from gridgov.org import Hierarchy, Unit
from gridgov.store import open_store
from gridgov.sweep.model import Household, Outcome, Sweep, Visit

N_HOUSEHOLDS = 20_000
N_VISITS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
BATCH = 5_000
T0 = dt.datetime(2022, 4, 1)


def run(url: str) -> None:
    store = open_store(url)
    n_buildings = N_HOUSEHOLDS // 40
    tree = Hierarchy.from_units(
        [(Unit("C", "county"), None)]
        + [(Unit(f"G{g}", "grid"), "C") for g in range(n_buildings // 10)]
        + [(Unit(f"B{b}", "building"), f"G{b // 10}") for b in range(n_buildings)]
    )
    store.save_hierarchy(tree)
    store.save_households(Household(f"h{i}", f"B{i // 40}") for i in range(N_HOUSEHOLDS))
    store.save_sweep(Sweep("s1", "C", T0, T0))
    outcomes = list(Outcome)
    visits = [
        Visit(f"v{i}", "s1", f"h{(i * 7919) % N_HOUSEHOLDS}", T0, outcome=outcomes[i % 6])
        for i in range(N_VISITS)
    ]
    t = time.perf_counter()
    for i in range(0, N_VISITS, BATCH):
        store.append_visits(visits[i : i + BATCH])
    ingest = time.perf_counter() - t
    t = time.perf_counter()
    again = sum(
        store.append_visits(visits[i : i + BATCH]).duplicates for i in range(0, N_VISITS, BATCH)
    )
    replay = time.perf_counter() - t
    t = time.perf_counter()
    cov = store.sweep_counts("s1")
    rollup = time.perf_counter() - t
    assert again == N_VISITS
    assert cov["C"].visits == N_VISITS
    backend = url.split(":", 1)[0]
    unit_t = time.perf_counter()
    grids = store.sweep_counts("s1", level="grid")
    assert sum(g.visits for g in grids.values()) == N_VISITS
    unit_secs = time.perf_counter() - unit_t
    ops = (("ingest", ingest), ("replay", replay), ("coverage", rollup), ("unit-rollup", unit_secs))
    for op, secs in ops:
        row = {
            "bench": "store",
            "backend": backend,
            "op": op,
            "visits": N_VISITS,
            "seconds": round(secs, 3),
            "visits_per_s": round(N_VISITS / secs) if op in ("ingest", "replay") else None,
        }
        print(json.dumps(row))
    drop = getattr(store, "drop_schema", None)
    if drop is not None and getattr(store, "schema", None):
        drop()  # a PostgreSQL run in its own schema leaves nothing behind
    else:
        store.close()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        run("memory://")
        run(f"sqlite:///{tmp}/bench.db")
    pg = os.environ.get("GRIDGOV_BENCH_POSTGRES_URL")
    if pg:
        run(pg)


if __name__ == "__main__":
    main()
