"""``gridgov org import`` killed with SIGKILL: the old hierarchy or the new one, never a mix."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import time
from pathlib import Path

from .loopback import gridgov, start


def _tree_csv(path: Path, prefix: str, buildings: int, per_building: int) -> int:
    """A county > grid > building > household file; returns its household count."""
    with path.open("w", encoding="utf-8") as f:
        f.write("id,parent,level,name\n")
        f.write(f"{prefix}C,,county,{prefix}C\n")
        for b in range(buildings):
            g = b // 20
            if b % 20 == 0:
                f.write(f"{prefix}G{g},{prefix}C,grid,grid {g}\n")
            f.write(f"{prefix}B{b},{prefix}G{g},building,building {b}\n")
            for h in range(per_building):
                f.write(f"{prefix}B{b}-{h},{prefix}B{b},household,household {h}\n")
    return buildings * per_building


def _state(db: Path) -> tuple[set[str], int, int, str]:
    conn = sqlite3.connect(db)
    try:
        prefixes = {r[0] for r in conn.execute("SELECT DISTINCT substr(id, 1, 1) FROM units")}
        households = conn.execute("SELECT COUNT(*) FROM households").fetchone()[0]
        orphans = conn.execute(
            "SELECT COUNT(*) FROM households WHERE building NOT IN (SELECT id FROM units)"
        ).fetchone()[0]
        check = conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()
    return prefixes, households, orphans, check


def test_a_killed_org_import_leaves_the_old_tree_or_the_new_one(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    assert gridgov("init", str(root)).returncode == 0
    old, new = tmp_path / "old.csv", tmp_path / "new.csv"
    old_households = _tree_csv(old, "A", 50, 10)
    new_households = _tree_csv(new, "N", 800, 40)
    assert gridgov("org", "import", str(old), "-w", str(root)).returncode == 0
    rng = random.Random(7)
    seen = set()
    for _ in range(3):
        proc = start("org", "import", str(new), "-w", str(root))
        time.sleep(rng.uniform(0.3, 2.5))
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=300)
        prefixes, households, orphans, check = _state(root / "gridgov.db")
        assert check == "ok"
        assert orphans == 0  # never households of one tree under the other
        assert prefixes in ({"A"}, {"N"})
        assert households == (old_households if prefixes == {"A"} else new_households)
        seen.add(proc.returncode)
        if prefixes == {"N"}:
            break
    done = gridgov("org", "import", str(new), "-w", str(root), timeout=300)
    assert done.returncode == 0, done.stderr
    assert _state(root / "gridgov.db") == ({"N"}, new_households, 0, "ok")
    assert -signal.SIGKILL in seen  # it really was killed at least once
