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
from gridgov.store import Store, open_store
from gridgov.sweep.model import Household, Outcome, Sweep, Visit

N_HOUSEHOLDS = 20_000
BATCH = 5_000
T0 = dt.datetime(2022, 4, 1)


def county_store(url: str, *, until: dt.datetime = T0) -> Store:
    """A store with the benchmark's tree (40 households a building, 10 buildings a
    grid), its households and sweep ``s1`` from ``T0`` to ``until``; no visits."""
    store = open_store(url)
    n_buildings = N_HOUSEHOLDS // 40
    tree = Hierarchy.from_units(
        [(Unit("C", "county"), None)]
        + [(Unit(f"G{g}", "grid"), "C") for g in range(n_buildings // 10)]
        + [(Unit(f"B{b}", "building"), f"G{b // 10}") for b in range(n_buildings)]
    )
    store.save_hierarchy(tree)
    store.save_households(Household(f"h{i}", f"B{i // 40}") for i in range(N_HOUSEHOLDS))
    store.save_sweep(Sweep("s1", "C", T0, until))
    return store


def run(url: str, n_visits: int) -> None:
    store = county_store(url)
    outcomes = list(Outcome)
    visits = [
        Visit(f"v{i}", "s1", f"h{(i * 7919) % N_HOUSEHOLDS}", T0, outcome=outcomes[i % 6])
        for i in range(n_visits)
    ]
    t = time.perf_counter()
    for i in range(0, n_visits, BATCH):
        store.append_visits(visits[i : i + BATCH])
    ingest = time.perf_counter() - t
    t = time.perf_counter()
    again = sum(
        store.append_visits(visits[i : i + BATCH]).duplicates for i in range(0, n_visits, BATCH)
    )
    replay = time.perf_counter() - t
    t = time.perf_counter()
    cov = store.sweep_counts("s1")
    rollup = time.perf_counter() - t
    assert again == n_visits
    assert cov["C"].visits == n_visits
    backend = url.split(":", 1)[0]
    unit_t = time.perf_counter()
    grids = store.sweep_counts("s1", level="grid")
    assert sum(g.visits for g in grids.values()) == n_visits
    unit_secs = time.perf_counter() - unit_t
    ops = (("ingest", ingest), ("replay", replay), ("coverage", rollup), ("unit-rollup", unit_secs))
    for op, secs in ops:
        row = {
            "bench": "store",
            "backend": backend,
            "op": op,
            "visits": n_visits,
            "seconds": round(secs, 3),
            "visits_per_s": round(n_visits / secs) if op in ("ingest", "replay") else None,
        }
        print(json.dumps(row))
    drop = getattr(store, "drop_schema", None)
    if drop is not None and getattr(store, "schema", None):
        drop()  # a PostgreSQL run in its own schema leaves nothing behind
    else:
        store.close()


def main() -> None:
    n_visits = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        run("memory://", n_visits)
        run(f"sqlite:///{tmp}/bench.db", n_visits)
    pg = os.environ.get("GRIDGOV_BENCH_POSTGRES_URL")
    if pg:
        run(pg, n_visits)


if __name__ == "__main__":
    main()
