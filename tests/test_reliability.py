"""Reliability with real processes: kill -9 mid-import, concurrent imports, re-imports.

Every visit must be stored exactly once, no batch that was acknowledged may be
lost, and the SQLite file must pass its integrity check.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from gridgov.cli import main
from gridgov.engine import columnar_available
from gridgov.store import SqliteStore
from gridgov.store.visit_io import write_visits_jsonl
from gridgov.sweep.model import Household, Outcome, Sweep, Visit
from gridgov.sweep.visit_format import write_visits

T0 = dt.datetime(2022, 4, 1, 8)
CLI = "import sys; from gridgov.cli import main; sys.exit(main(sys.argv[1:]))"


def _workspace(
    root: Path, n_visits: int, households: int = 2000, *, csv: bool = False
) -> tuple[Path, Path]:
    assert main(["init", str(root)]) == 0
    store = SqliteStore(f"sqlite:///{root}/gridgov.db")
    store.save_households(Household(f"h{i}", f"B{i // 40}") for i in range(households))
    store.save_sweep(Sweep("S1", "C", T0, T0 + dt.timedelta(days=1)))
    store.close()
    outcomes = list(Outcome)
    path = root / ("visits.csv" if csv else "visits.jsonl")
    (write_visits if csv else write_visits_jsonl)(
        [
            Visit(
                f"v{i:07d}",
                "S1",
                f"h{i % households}",
                T0 + dt.timedelta(seconds=i),
                f"sweeper {i % 97}",
                outcomes[i % 6],
                i % 5,
                i % 3,
            )
            for i in range(n_visits)
        ],
        path,
    )
    return root, path


def _import(root: Path, path: Path, batch: int, engine: str = "auto") -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", CLI, "sweep", "import-visits", str(path), "--batch", str(batch),
         "-w", str(root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "GRIDGOV_ENGINE": engine},
    )  # fmt: skip


# the reference path (JSON Lines) and the bulk path (a plain CSV, the columnar engine)
PATHS = pytest.mark.parametrize(
    "engine",
    ["python", pytest.param("columnar", marks=pytest.mark.skipif(
        not columnar_available(), reason="the columnar engine is not installed"))],
)  # fmt: skip


def _counts(root: Path) -> tuple[int, int, str]:
    conn = sqlite3.connect(root / "gridgov.db")
    try:
        total, distinct = conn.execute(
            "SELECT count(*), count(DISTINCT id) FROM visit_versions"
        ).fetchone()
        check = conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()
    return total, distinct, check


@PATHS
def test_kill_9_during_import_then_rerun_stores_every_visit_once(
    tmp_path: Path, engine: str
) -> None:
    # 30 batches: the kill lands after the first commit, well before the last (a batch
    # commits with a sync, far slower than the parent's os.kill after reading its line)
    n, batch = 30_000, 1_000
    root, path = _workspace(tmp_path / "ws", n, csv=engine == "columnar")
    proc = _import(root, path, batch, engine)
    assert proc.stdout is not None
    acknowledged = 0
    for line in proc.stdout:
        if "committed" in line:
            acknowledged += 1
            break
    assert acknowledged == 1, proc.stderr.read() if proc.stderr else ""
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    total, distinct, check = _counts(root)
    assert check == "ok"
    assert total == distinct
    assert total >= acknowledged * batch  # nothing acknowledged was lost
    assert total % batch == 0  # whole batches only: a transaction is all or nothing
    assert total < n  # it really was killed in the middle

    rerun = _import(root, path, batch, engine)
    out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err
    assert f"{n:,} visits read, {n - total:,} added, {total:,} already stored" in out
    assert _counts(root) == (n, n, "ok")


@PATHS
def test_two_processes_importing_the_same_file_at_once(tmp_path: Path, engine: str) -> None:
    n = 20_000
    root, path = _workspace(tmp_path / "ws", n, csv=engine == "columnar")
    procs = [_import(root, path, 1_000, engine) for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    for p, (_, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err
    assert _counts(root) == (n, n, "ok")
    added = [int(out.rsplit("read, ", 1)[1].split(" added")[0].replace(",", "")) for out, _ in outs]
    assert sum(added) == n


@PATHS
def test_the_same_file_twice_in_a_row(tmp_path: Path, engine: str) -> None:
    n = 5_000
    root, path = _workspace(tmp_path / "ws", n, csv=engine == "columnar")
    first = _import(root, path, 1_000, engine).communicate(timeout=300)[0]
    second_proc = _import(root, path, 1_000, engine)
    second = second_proc.communicate(timeout=300)[0]
    assert second_proc.returncode == 0
    assert f"{n:,} added" in first
    assert f"0 added, {n:,} already stored" in second
    assert _counts(root) == (n, n, "ok")


@pytest.mark.parametrize("batch", [1, 7])
def test_batch_size_does_not_change_the_result(tmp_path: Path, batch: int) -> None:
    root, path = _workspace(tmp_path / "ws", 50, households=10)
    assert main(["sweep", "import-visits", str(path), "--batch", str(batch), "-w", str(root)]) == 0
    assert _counts(root) == (50, 50, "ok")
