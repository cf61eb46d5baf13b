"""Solve the Curtois & Qu instances and benchmark-shaped generated ones; compare solvers.

    python benchmarks/bench_roster.py [--time-limit 60] [--solver local,cpsat]
        [--instances Instance1,Instance2] [--generated default|none|DxSxT,...]
        [--seed 0 | --seeds 0,1,2] [--workers 1] [--jobs 2] [--cpsat] [--cpu-clock]

Prints (to stdout, once all runs are done; each also to stderr as it ends) one
JSON row per instance, solver and seed: instance, set (``shared``:
the files of the data folder, with their best known values; ``generated``:
:func:`gridgov.duty.generate.benchmark_like` at the sizes asked for), solver,
seed, objective, best_known, gap_pct (to the best known), gap_to_best_pct (to
the best objective any solver reached on that instance in this run), bound
and optimal (when the solver proves them), hard_violations, wall_s and
over_limit_pct (how far past the time limit the run ended, load and solve
included). Then one summary row per set and solver: mean gap per seed, hard
violations, worst overrun. Each run is one process; ``--workers`` is the
solver's own parallelism within it (default 1: one core a run), ``--jobs`` how
many runs at once. ``--solver`` names registered solvers (``cpsat`` needs
``plugins/gridgov-ortools``); ``--cpsat`` adds the textbook CP-SAT model of
``bench_roster_cpsat.py`` as a peer (the ``bench`` extra). ``--cpu-clock``
(local solver, one worker) limits each run's CPU seconds instead of its wall
seconds, so that A/B comparisons on a loaded machine compare equal work; every
row reports ``cpu_s`` beside ``wall_s``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import re
import sys
import time
from pathlib import Path
from typing import Any

from gridgov.duty.formats import curtois
from gridgov.duty.generate import benchmark_like
from gridgov.duty.model import Problem

HERE = Path(__file__).resolve().parent
CANDIDATES = [
    HERE.parent.parent / "shared" / "data" / "curtois",
    Path("/work/shared/data/curtois"),
]

GENERATED = [
    (28, 36, 4),
    (28, 60, 10),
    (42, 45, 6),
    (56, 32, 4),
    (84, 40, 5),
    (182, 50, 6),
    (364, 50, 10),
    (364, 100, 16),
    (364, 150, 32),
]
"""The default generated sizes (days, staff, shift types): the public set's range."""


def best_known(readme: Path) -> dict[str, int]:
    """Best known values from the README's table."""
    found: dict[str, int] = {}
    if readme.exists():
        for name, value in re.findall(r"(Instance\d+)\s*\|\s*(\d+)", readme.read_text()):
            found[name] = int(value)
    return found


GOAL_SET = {f"Instance{i}" for i in range(1, 9)}
"""The instances the mean-gap goal (at most 5% at 60 s) is stated over."""

Task = tuple[str, str, str, int, float, int | None, int, bool]
"""(source: a file path or ``gen:DxSxT:seed``, set, solver, seed, time limit,
best known, workers, cpu clock)."""


def load(source: str) -> Problem:
    """The problem of a task's source."""
    if source.startswith("gen:"):
        _, size, seed = source.split(":")
        days, staff, types = (int(x) for x in size.split("x"))
        return benchmark_like(days=days, staff=staff, shift_types=types, seed=int(seed))
    return curtois.load(source)


def run_one(task: Task) -> dict[str, Any]:
    """Solve one instance with one solver and seed in this process; the JSON row."""
    source, kind, solver_name, seed, time_limit, bk, workers, cpu = task
    t0, c_start = time.perf_counter(), time.process_time()
    problem = load(source)
    name = problem.name or Path(source).stem
    if solver_name == "cp-sat-plain":
        sys.path.insert(0, str(HERE))
        from bench_roster_cpsat import solve_cpsat

        row = solve_cpsat(problem, name, bk, time_limit, workers=workers)
        row.update(set=kind, seed=seed)
        row["over_limit_pct"] = round(100 * (time.perf_counter() - t0 - time_limit) / time_limit, 1)
        return row
    from gridgov.plugins import get_plugins

    solver = get_plugins().get("solver", solver_name)
    # as the command line does: reading the problem counts against the limit
    left = max(time_limit - (time.perf_counter() - t0), 0.1 * time_limit)
    t1 = time.perf_counter()
    if cpu:  # the limit in this process's CPU seconds: A/B comparisons under load
        left = max(time_limit - (time.process_time() - c_start), 0.1 * time_limit)
        result = solver(
            problem, time_limit=left, seed=seed, workers=workers, clock=time.process_time
        )
    else:
        result = solver(problem, time_limit=left, seed=seed, workers=workers)
    wall = time.perf_counter() - t0
    obj = result.score.soft
    return {
        "instance": name,
        "set": kind,
        "solver": solver_name,
        "seed": seed,
        "objective": obj,
        "best_known": bk,
        "gap_pct": round(100 * (obj - bk) / bk, 2) if bk else None,
        "bound": result.bound,
        "optimal": result.optimal,
        "hard_violations": sum(1 for v in result.violations if v.hard),
        "wall_s": round(wall, 2),
        "solve_s": round(time.perf_counter() - t1, 2),
        "cpu_s": round(time.process_time() - c_start, 2),
        "over_limit_pct": round(100 * (wall - time_limit) / time_limit, 1),
    }


def add_best_in_run(rows: list[dict[str, Any]]) -> None:
    """Set ``gap_to_best_pct``: the gap to the best feasible objective of the run."""
    best: dict[str, int] = {}
    for r in rows:
        if r.get("objective") is not None and r.get("hard_violations") == 0:
            best[r["instance"]] = min(best.get(r["instance"], r["objective"]), r["objective"])
    for r in rows:
        b = best.get(r["instance"])
        obj = r.get("objective")
        r["gap_to_best_pct"] = round(100 * (obj - b) / b, 2) if b and obj is not None else None


def mean_gaps(
    rows: list[dict[str, Any]], names: set[str] | None = None, key: str = "gap_pct"
) -> dict[str, float | None]:
    """Mean ``key`` per seed over the rows (of the instances in ``names``, when given)."""
    out: dict[str, float | None] = {}
    for s in sorted({int(r["seed"]) for r in rows}):
        gaps = [
            float(r[key])
            for r in rows
            if r["seed"] == s
            and r.get(key) is not None
            and (names is None or str(r["instance"]) in names)
        ]
        out[str(s)] = round(sum(gaps) / len(gaps), 2) if gaps else None
    return out


def summaries(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One summary row per set and solver."""
    out = []
    for kind in ("shared", "generated"):
        for solver in sorted({r["solver"] for r in rows}):
            mine = [r for r in rows if r["set"] == kind and r["solver"] == solver]
            if not mine:
                continue
            hard = [int(r["hard_violations"] or 0) for r in mine]
            row: dict[str, Any] = {
                "summary": True,
                "set": kind,
                "solver": solver,
                "runs": len(mine),
                "mean_gap_to_best_in_run_pct_by_seed": mean_gaps(mine, key="gap_to_best_pct"),
                "hard_violations_total": sum(hard),
                "runs_with_hard_violations": sum(1 for h in hard if h),
                "worst_over_limit_pct": max(float(r["over_limit_pct"]) for r in mine),
            }
            if kind == "shared":
                row["mean_gap_pct_by_seed"] = mean_gaps(mine)
                row["mean_gap_pct_instance1_8_by_seed"] = mean_gaps(mine, GOAL_SET)
            out.append(row)
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=None)
    ap.add_argument("--time-limit", type=float, default=30.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--seeds", default=None, help="comma-separated seeds (default: --seed)")
    ap.add_argument("--solver", default="local", help="comma-separated registered solvers")
    ap.add_argument("--workers", type=int, default=1, help="the solver's workers in each run")
    ap.add_argument("--jobs", type=int, default=1, help="runs at once, each its own process")
    ap.add_argument("--instances", default=None, help="comma-separated shared names (or none)")
    ap.add_argument(
        "--generated",
        default="none",
        help="'default' (the public set's sizes), 'none', or DAYSxSTAFFxTYPES,...",
    )
    ap.add_argument("--gen-seed", type=int, default=1, help="first generator seed")
    ap.add_argument("--cpsat", action="store_true", help="also run the textbook CP-SAT model")
    ap.add_argument(
        "--cpu-clock",
        action="store_true",
        help="limit each run's CPU seconds, not wall (one worker; for A/B runs under load)",
    )
    args = ap.parse_args()
    data = Path(args.data) if args.data else next((c for c in CANDIDATES if c.exists()), None)
    sources: list[tuple[str, str, int | None]] = []
    if args.instances != "none":
        if data is None:
            print("benchmark data not found; pass --data or --instances none", file=sys.stderr)
            return 1
        best = best_known(data / "README.md")
        files = sorted(data.glob("Instance*.txt"), key=lambda p: int(re.sub(r"\D", "", p.stem)))
        if args.instances:
            wanted = set(args.instances.split(","))
            files = [f for f in files if f.stem in wanted]
        sources += [(str(f), "shared", best.get(f.stem)) for f in files]
    if args.generated != "none":
        sizes = (
            GENERATED
            if args.generated == "default"
            else [tuple(int(x) for x in s.split("x")) for s in args.generated.split(",")]
        )
        for i, (d, s, t) in enumerate(sizes):
            sources.append((f"gen:{d}x{s}x{t}:{args.gen_seed + i}", "generated", None))
    seeds = [int(x) for x in args.seeds.split(",")] if args.seeds else [args.seed]
    solvers = args.solver.split(",") + (["cp-sat-plain"] if args.cpsat else [])
    tasks: list[Task] = [
        (src, kind, sol, seed, args.time_limit, bk, args.workers, args.cpu_clock)
        for seed in seeds
        for src, kind, bk in sources
        for sol in solvers
    ]
    rows: list[dict[str, Any]] = []
    if args.jobs > 1:
        with multiprocessing.get_context("spawn").Pool(args.jobs) as pool:
            for row in pool.imap_unordered(run_one, tasks):
                rows.append(row)
                print(json.dumps(row), file=sys.stderr, flush=True)
    else:
        for task in tasks:
            row = run_one(task)
            rows.append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)
    add_best_in_run(rows)
    for row in rows:
        print(json.dumps(row), flush=True)
    for row in summaries(rows):
        print(json.dumps(row), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
