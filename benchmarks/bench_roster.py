"""Solve the Curtois & Qu benchmark instances and compare with the best known values.

    python benchmarks/bench_roster.py [--time-limit 30] [--instances Instance1,Instance2] [--seed 0]

Prints one JSON row per instance: instance, objective, best_known, gap_pct,
hard_violations, wall_s (and solver). With ``--cpsat`` and ``ortools``
installed (the ``bench`` extra), a CP-SAT model of each instance is solved
with the same time limit and one worker in the same run, as a peer.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

from gridgov.duty.formats import curtois
from gridgov.duty.solver.local import solve

HERE = Path(__file__).resolve().parent
CANDIDATES = [
    HERE.parent.parent / "shared" / "data" / "curtois",
    Path("/work/shared/data/curtois"),
]


def best_known(readme: Path) -> dict[str, int]:
    """Best known values from the README's table."""
    found: dict[str, int] = {}
    if readme.exists():
        for name, value in re.findall(r"(Instance\d+)\s*\|\s*(\d+)", readme.read_text()):
            found[name] = int(value)
    return found


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=None)
    ap.add_argument("--time-limit", type=float, default=30.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--instances", default=None, help="comma-separated names")
    ap.add_argument("--cpsat", action="store_true", help="also solve with a CP-SAT model")
    args = ap.parse_args()
    data = Path(args.data) if args.data else next((c for c in CANDIDATES if c.exists()), None)
    if data is None:
        print("benchmark data not found; pass --data", file=sys.stderr)
        return 1
    best = best_known(data / "README.md")
    files = sorted(data.glob("Instance*.txt"), key=lambda p: int(re.sub(r"\D", "", p.stem)))
    if args.instances:
        wanted = set(args.instances.split(","))
        files = [f for f in files if f.stem in wanted]
    for f in files:
        problem = curtois.load(f)
        t0 = time.perf_counter()
        result = solve(problem, time_limit=args.time_limit, seed=args.seed)
        wall = time.perf_counter() - t0
        bk = best.get(f.stem)
        obj = result.score.soft
        row = {
            "instance": f.stem,
            "solver": "gridgov-local",
            "objective": obj,
            "best_known": bk,
            "gap_pct": round(100 * (obj - bk) / bk, 2) if bk else None,
            "hard_violations": sum(1 for v in result.violations if v.hard),
            "wall_s": round(wall, 2),
        }
        print(json.dumps(row), flush=True)
        if args.cpsat:
            sys.path.insert(0, str(HERE))
            from bench_roster_cpsat import solve_cpsat

            print(json.dumps(solve_cpsat(problem, f.stem, bk, args.time_limit)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
