"""A megacity's sweep day: coverage by grid from the files, as one whole command.

10,000,000 households (40 a building, 10 buildings a grid: 25,000 grids) and
about 16,000,000 visits (re-visits, repeated uploads, conflicting ids, unknown
households, visits outside the window), generated once by
``bench_coverage.generate`` into ``--out`` (default ``/tmp/gridgov-city``; about
1.4 GB, never committed; generating is not timed). Then ``gridgov sweep
coverage --by grid --format csv`` runs under ``/usr/bin/time -v`` (wall
seconds, CPU seconds = user + system, peak RSS), ``--repeat`` times. With
``--pandas`` the pandas script doing the same job runs after it in the same run
and the tables are compared; a pandas run that fails (out of memory, killed)
is reported as a row saying so, and without ``--pandas`` a row says it was not
run (at this size it needs several GB more than gridgov: post on the board
first on a shared machine). Goal: at most 60 s and 8 GB.

    python benchmarks/bench_city.py [--households 10000000] [--visits 16000000] [--pandas]
        [--per-building 40] [--per-grid 10] [--ids short|long|uuid] [--names ascii|cjk]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from bench_coverage import add_shape_arguments, emit, generate, shape_of, shape_suffix, whole


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--households", type=int, default=10_000_000)
    ap.add_argument("--visits", type=int, default=16_000_000)
    ap.add_argument("--out", type=Path, default=Path("/tmp/gridgov-city"))
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--pandas", action="store_true", help="run the pandas peer too")
    add_shape_arguments(ap)
    args = ap.parse_args()
    shape = shape_of(args)
    folder = args.out / f"coverage-{args.households}-{args.visits}{shape_suffix(shape)}"
    t0 = time.perf_counter()
    generate(folder, args.households, args.visits, shape=shape)
    emit(
        bench="city",
        step="generate",
        seconds=round(time.perf_counter() - t0, 1),
        bytes=sum(p.stat().st_size for p in folder.glob("*.csv")),
    )
    try:
        whole(
            folder,
            args.repeat,
            False,
            args.households,
            args.visits,
            pandas=args.pandas,
            goal={"seconds": 60, "peak_mb": 8192},
        )
    except SystemExit as exc:  # a failed command (gridgov's rows are out already)
        if "--pandas-peer" not in str(exc):
            raise
        last = str(exc).strip().splitlines()[-1][:300]
        emit(bench="city", impl="pandas", ran=True, failed=last)
    if not args.pandas:
        emit(
            bench="city",
            impl="pandas",
            ran=False,
            reason="not run (give --pandas; it needs several GB more than gridgov at this size)",
        )


if __name__ == "__main__":
    main()
