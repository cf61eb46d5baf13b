"""Sweep coverage from files: gridgov's batch and incremental paths against pandas.

Generates (once, cached in ``benchmarks/out/``) an org tree, 1,000,000 households
and 5,000,000 visits with re-visits, repeated uploads, a few conflicting ids,
unknown households and visits outside the window. Then, in one run:

- ``gridgov``: read the org CSV, ``coverage_from_csv`` over both files, table by grid;
- ``pandas``: the same table from the same three files with the same rules;
- checks the two tables are equal;
- the incremental tracker's update rate on Visit values.

Prints one JSON row per measurement. ``--households``/``--visits`` scale it down
(e.g. ``--households 100000 --visits 500000`` for a quick look; more visits than
households make many visits a household); ``--out`` puts the generated files
elsewhere (``/tmp`` for big runs: they are never committed). The shape flags
``--per-building``, ``--per-grid``, ``--ids short|long|uuid`` and ``--names
ascii|cjk`` generate other cities (see ``SHAPES``), each in its own folder.

``--whole`` times whole commands instead (``/usr/bin/time -v``: wall seconds and
peak RSS), interleaved ``--repeat`` times: ``gridgov sweep coverage ... --by grid
--format csv`` (the columnar engine, and ``GRIDGOV_ENGINE=python`` unless
``--no-python``) against the pandas script doing the same job
(``bench_coverage.py --pandas-peer FOLDER``); the tables are compared.

    python benchmarks/bench_coverage.py
    python benchmarks/bench_coverage.py --whole --households 1000000 --visits 1600000 --out /tmp/gg
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import random
import time
import uuid
from pathlib import Path
from typing import Any

OUT = Path(__file__).parent / "out"
ZONE = "+08:00"
START = dt.datetime(2020, 2, 10, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
DAYS = 7
OCC = ("permanent",) * 74 + ("rental",) * 20 + ("vacant",) * 3 + ("commercial",) * 2
OCC = (*OCC, "moved-out")
FIRST = (
    ("verified",) * 70
    + ("partly-verified",) * 6
    + ("not-at-home",) * 14
    + ("refused",) * 3
    + ("no-access",) * 4
    + ("vacant-confirmed",) * 3
)
AGAIN = ("verified",) * 55 + ("not-at-home",) * 35 + ("refused",) * 5 + ("no-access",) * 5


def emit(**row: object) -> None:
    print(json.dumps(row), flush=True)


SHAPES = {
    "per_building": 40,
    "per_grid": 10,
    "ids": "short",
    "names": "ascii",
}
"""The generated city's shape (``--per-building``, ``--per-grid``, ``--ids``, ``--names``):
households a building, buildings a grid; ids ``short`` (``H0001234``, ``V00000001``,
``B17``), ``long`` (``household-000001234-of-city-district-7`` and the like, 30-45
bytes) or ``uuid`` (random UUIDs: wide alphabet, 36 bytes); names and visitors ``ascii`` or
``cjk`` (Chinese names, UTF-8 of 3 bytes a character)."""


def shape_suffix(shape: dict[str, object]) -> str:
    """The folder-name suffix of a shape other than the default one."""
    return "".join(f"-{k}={v}" for k, v in shape.items() if SHAPES[k] != v)


def _id_maker(style: str, rng: random.Random) -> Any:
    """``make(kind, number, width)``: an id of the style (``kind`` a one-letter prefix)."""
    long_kind = {"H": "household", "V": "visit", "B": "building", "G": "grid", "W": "visitor"}

    def make(kind: str, number: int, width: int) -> str:
        if style == "short":
            return f"{kind}{number:0{width}d}"
        if style == "long":
            return f"{long_kind.get(kind, kind)}-{number:09d}-of-city-district-{number % 17}"
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    return make


def _name(style: str, what: str, k: int) -> str:
    if style == "cjk":
        words = {
            "town": "镇",
            "community": "社区",
            "grid": "网格",
            "building": "楼",
            "visitor": "张伟",
        }
        return f"{words.get(what, what)}{k}号"
    return f"{what.title()} {k}"


def add_shape_arguments(ap: argparse.ArgumentParser) -> None:
    """The shape flags of the generated files (see :data:`SHAPES`)."""
    ap.add_argument("--per-building", type=int, default=SHAPES["per_building"])
    ap.add_argument("--per-grid", type=int, default=SHAPES["per_grid"], help="buildings a grid")
    ap.add_argument("--ids", choices=("short", "long", "uuid"), default=SHAPES["ids"])
    ap.add_argument("--names", choices=("ascii", "cjk"), default=SHAPES["names"])


def shape_of(args: argparse.Namespace) -> dict[str, Any]:
    """The shape the flags ask for."""
    return {k: getattr(args, k) for k in SHAPES}


def generate(
    folder: Path,
    n_households: int,
    n_visits: int,
    seed: int = 7,
    shape: dict[str, Any] | None = None,
) -> None:
    """Write org.csv, households.csv and visits.csv (skipped when already there)."""
    done = folder / "DONE"
    if done.exists():
        return
    folder.mkdir(parents=True, exist_ok=True)
    shape = {**SHAPES, **(shape or {})}
    rng = random.Random(seed)
    make = _id_maker(str(shape["ids"]), random.Random(seed + 1))
    names = str(shape["names"])
    per_building = int(shape["per_building"])
    n_buildings = max(1, n_households // per_building)
    per_grid = int(shape["per_grid"])
    n_grids = max(1, n_buildings // per_grid)
    per_comm = 25
    n_comms = max(1, n_grids // per_comm)
    n_towns = max(1, n_comms // 10)
    org = ["id,parent,level,name,floors", "C,,county,Bench County,"]
    for t in range(n_towns):
        org.append(f"T{t},C,township,{_name(names, 'town', t)},")
    for c in range(n_comms):
        org.append(f"M{c},T{c % n_towns},community,{_name(names, 'community', c)},")
    grid_ids = [make("G", g, 0) for g in range(n_grids)]
    for g in range(n_grids):
        org.append(f"{grid_ids[g]},M{g % n_comms},grid,{_name(names, 'grid', g)},")
    building_ids = [make("B", b, 0) for b in range(n_buildings)]
    for b in range(n_buildings):
        parent = grid_ids[b % n_grids]
        org.append(f"{building_ids[b]},{parent},building,{_name(names, 'building', b)},")
        org[-1] += str(rng.randint(3, 18))
    (folder / "org.csv").write_text("\n".join(org) + "\n", encoding="utf-8")
    del org, grid_ids

    # ~0.1% of the visits name a household that is not on the register
    household_ids = [make("H", h, 7) for h in range(n_households + n_households // 1000 + 1)]
    hh_lines = ["id,building,floor,occupancy"]
    for h in range(n_households):
        building = building_ids[h % n_buildings]
        hh_lines.append(f"{household_ids[h]},{building},{rng.randint(1, 18)},{rng.choice(OCC)}")
    (folder / "households.csv").write_text("\n".join(hh_lines) + "\n", encoding="utf-8")
    del hh_lines, building_ids

    span = DAYS * 86400 - 3600
    n_visitors = max(1, n_households // 50)
    visitors = [
        make("W", i, 5) if names == "ascii" else _name(names, "visitor", i)
        for i in range(n_visitors)
    ]
    lines = ["id,household,at,visitor,outcome,persons"]
    n = 0
    with (folder / "visits.csv").open("w", encoding="utf-8") as fh:
        while n < n_visits:
            h = rng.randrange(n_households + n_households // 1000)  # ~0.1% unknown households
            secs = rng.randrange(-3600, span + 7200)  # a few outside the window
            outcome = rng.choice(FIRST)
            k = 1
            while True:
                n += 1
                at = (START + dt.timedelta(seconds=secs)).strftime("%Y-%m-%dT%H:%M:%S") + ZONE
                persons = rng.randint(1, 5) if outcome in ("verified", "partly-verified") else 0
                vid = make("V", n, 8)
                line = f"{vid},{household_ids[h]},{at},{rng.choice(visitors)},{outcome},{persons}"
                lines.append(line)
                r = rng.random()
                if r < 0.08:  # the same upload twice
                    lines.append(line)
                elif r < 0.0801:  # the same id with another content: a conflict
                    lines.append(line.rsplit(",", 1)[0] + ",9")
                if outcome not in ("not-at-home", "no-access", "refused") or k >= 4:
                    break
                k += 1
                secs = min(span, secs + rng.randrange(3600, 86400))
                outcome = rng.choice(AGAIN)
            if len(lines) >= 100_000:
                fh.write("\n".join(lines) + "\n")
                lines = []
            if n >= n_visits:
                break
        fh.write("\n".join(lines) + "\n" if lines else "")
    done.write_text("ok\n")


def run_gridgov(folder: Path) -> list[tuple[str, int, int, str, int, int, int, int]]:
    from gridgov.org import read_csv
    from gridgov.sweep import Sweep, coverage_from_csv

    tree = read_csv(folder / "org.csv")
    sweep = Sweep("S", tree.root, START, START + dt.timedelta(days=DAYS))
    report = coverage_from_csv(tree, folder / "households.csv", folder / "visits.csv", sweep)
    return [(r[0], *r[2:]) for r in report.table("grid")]  # type: ignore[misc]


def run_pandas(folder: Path) -> list[tuple[str, int, int, str, int, int, int, int]]:
    import pandas as pd

    org = pd.read_csv(folder / "org.csv", usecols=["id", "parent", "level"], dtype=str)
    grid_of = org[org.level == "building"].set_index("id")["parent"]
    grids = org.loc[org.level == "grid", "id"]
    hh = pd.read_csv(folder / "households.csv", usecols=["id", "building", "occupancy"], dtype=str)
    v = pd.read_csv(folder / "visits.csv", dtype=str, keep_default_na=False)
    # rejects first: unknown households, outside the window
    v = v[v["household"].isin(hh["id"])]
    t = pd.to_datetime(v["at"], format="ISO8601", utc=True)
    end = START + dt.timedelta(days=DAYS)
    inside = (t >= START) & (t <= end)
    v = v[inside].assign(t=t[inside])
    # repeats count once; an id with several contents counts not at all
    v = v.drop_duplicates(subset=["id", "household", "t", "visitor", "outcome", "persons"])
    v = v[~v["id"].duplicated(keep=False)]
    codes = {
        "verified": 0,
        "partly-verified": 1,
        "not-at-home": 2,
        "refused": 3,
        "vacant-confirmed": 4,
        "no-access": 5,
    }
    v = v.assign(code=v["outcome"].map(codes))
    status = pd.Series(6, index=hh["id"].values)
    others = v[v["code"] >= 2].sort_values(["t", "id"])
    last = others.drop_duplicates("household", keep="last")
    status[last["household"].values] = last["code"].values
    status[v.loc[v["code"] == 1, "household"].unique()] = 1
    status[v.loc[v["code"] == 0, "household"].unique()] = 0
    st = status.values
    reg_invalid = hh["occupancy"].isin(["moved-out", "commercial"]).values
    invalid = (st == 4) | ((st > 1) & reg_invalid)
    valid = ~invalid
    df = pd.DataFrame(
        {
            "grid": hh["building"].map(grid_of).values,
            "target": valid,
            "reached": valid & (st <= 1),
            "not_at_home": valid & (st == 2),
            "refused": valid & (st == 3),
            "vacant": invalid,
            "no_access": valid & (st == 5),
        }
    )
    g = df.groupby("grid").sum().reindex(grids, fill_value=0)
    out = []
    for gid, row in zip(g.index, g.itertuples(index=False), strict=True):
        cov = row.reached / row.target if row.target else 0.0
        out.append(
            (
                gid,
                int(row.target),
                int(row.reached),
                f"{cov:.4f}",
                int(row.not_at_home),
                int(row.refused),
                int(row.vacant),
                int(row.no_access),
            )
        )
    return out


def pandas_peer_command(folder: Path) -> None:
    """``--pandas-peer``: the pandas job as a whole command, printing its table as CSV."""
    rows = run_pandas(folder)
    out = ["unit_id,target,reached,coverage,not_at_home,refused,vacant,no_access"]
    out += [",".join(map(str, r)) for r in rows]
    print("\n".join(out))


def _table_of_gridgov_csv(text: str) -> list[tuple[str, ...]]:
    """The pandas peer's columns out of ``gridgov sweep coverage --format csv``."""
    import csv
    import io

    lines = list(csv.reader(io.StringIO(text.strip())))
    head = lines[0]
    keep = [
        head.index(c)
        for c in (
            "unit_id",
            "target",
            "reached",
            "coverage",
            "not_at_home",
            "refused",
            "vacant",
            "no_access",
        )
    ]
    return sorted(tuple(r[i] for i in keep) for r in lines[1:])


def whole(
    folder: Path,
    repeat: int,
    python: bool,
    households: int,
    visits: int,
    *,
    pandas: bool = True,
    goal: dict[str, float] | None = None,
) -> None:
    """Interleaved whole-command runs of gridgov (both engines) and the pandas peer."""
    import sys

    from whole_command import time_command

    gridgov = str(Path(sys.executable).with_name("gridgov"))
    end = START + dt.timedelta(days=DAYS)
    job = [
        gridgov,
        "sweep",
        "coverage",
        "--org",
        str(folder / "org.csv"),
        "--households",
        str(folder / "households.csv"),
        "--visits",
        str(folder / "visits.csv"),
        "--sweep",
        "S",
        "--start",
        START.isoformat(),
        "--end",
        end.isoformat(),
        "--tz",
        ZONE,
        "--by",
        "grid",
        "--format",
        "csv",
    ]
    commands: dict[str, tuple[list[str], dict[str, str]]] = {"gridgov": (job, {})}
    if python:
        commands["gridgov-python"] = (job, {"GRIDGOV_ENGINE": "python"})
    if pandas:
        commands["pandas"] = ([sys.executable, __file__, "--pandas-peer", str(folder)], {})
    runs: dict[str, list[dict[str, object]]] = {k: [] for k in commands}
    for r in range(repeat):
        for name, (cmd, env) in commands.items():
            got = time_command(cmd, env)
            runs[name].append(got)
            emit(
                bench="coverage by grid (whole command)",
                impl=name,
                run=r,
                households=households,
                visits=visits,
                seconds=got["seconds"],
                cpu_seconds=got["cpu_seconds"],
                peak_mb=got["peak_mb"],
            )
    tables = {}
    for name, got in runs.items():
        text = str(got[0]["output"])
        tables[name] = (
            sorted(tuple(line.split(",")) for line in text.strip().splitlines()[1:])
            if name == "pandas"
            else _table_of_gridgov_csv(text)
        )
    equal = len({str(t) for t in tables.values()}) == 1
    best = {k: min(float(x["seconds"]) for x in v) for k, v in runs.items()}  # type: ignore[arg-type]
    peak = {k: max(float(x["peak_mb"]) for x in v) for k, v in runs.items()}  # type: ignore[arg-type]
    cpu = {k: min(float(x["cpu_seconds"]) for x in v) for k, v in runs.items()}  # type: ignore[arg-type]
    summary: dict[str, object] = {
        "best_seconds": best,
        "best_cpu_seconds": cpu,
        "peak_mb": peak,
        "tables_equal": equal,
    }
    if "pandas" in best:
        summary["gridgov_over_pandas_time"] = round(best["gridgov"] / best["pandas"], 3)
        summary["gridgov_over_pandas_memory"] = round(peak["gridgov"] / peak["pandas"], 3)
        summary["gridgov_over_pandas_cpu"] = round(cpu["gridgov"] / cpu["pandas"], 3)
        summary["goal"] = "time <= 0.5x pandas, memory <= pandas"
    if goal is not None:
        summary["goal"] = goal
        summary["goal_met"] = (
            best["gridgov"] <= goal["seconds"] and peak["gridgov"] <= goal["peak_mb"]
        )
    emit(bench="coverage by grid (whole command)", summary=True, **summary)
    if not equal:
        raise SystemExit("the commands' tables differ")


def incremental_rate(folder: Path, n: int) -> tuple[dict[str, tuple[float, float]], int]:
    from gridgov.org import read_csv
    from gridgov.sweep import CoverageTracker, Sweep, read_households, read_visits

    tree = read_csv(folder / "org.csv")
    sweep = Sweep("S", tree.root, START, START + dt.timedelta(days=DAYS))
    hhs = read_households(folder / "households.csv")
    part = folder / f"visits-first-{n}.csv"
    if not part.exists():
        with (folder / "visits.csv").open(encoding="utf-8") as src:
            head = [next(src) for _ in range(n + 1)]
        part.write_text("".join(head), encoding="utf-8")
    visits = read_visits(part, sweep="S")
    out = {}
    for mode in ("add", "add_many"):
        tracker = CoverageTracker(tree, hhs, sweep)
        gc.collect()
        t0, c0 = time.perf_counter(), time.process_time()
        if mode == "add":
            add = tracker.add
            for v in visits:
                add(v)
        else:
            for i in range(0, len(visits), 1000):  # uploads arrive in batches
                tracker.add_many(visits[i : i + 1000])
        tracker.counts()  # a query, timed: the tracker brings its counters up to date on one
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
        out[mode] = (len(visits) / elapsed, len(visits) / cpu)
    return out, len(visits)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--households", type=int, default=1_000_000)
    ap.add_argument("--visits", type=int, default=5_000_000)
    ap.add_argument("--incremental", type=int, default=1_000_000, help="visits fed one by one")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--out", type=Path, default=OUT, help="folder for the generated files")
    ap.add_argument("--whole", action="store_true", help="time whole commands instead")
    ap.add_argument("--no-python", action="store_true", help="--whole without the pure path")
    ap.add_argument("--pandas-peer", type=Path, metavar="FOLDER", help=argparse.SUPPRESS)
    add_shape_arguments(ap)
    args = ap.parse_args()
    if args.pandas_peer:
        pandas_peer_command(args.pandas_peer)
        return
    shape = shape_of(args)
    folder = args.out / f"coverage-{args.households}-{args.visits}{shape_suffix(shape)}"
    t0 = time.perf_counter()
    generate(folder, args.households, args.visits, shape=shape)
    emit(bench="coverage", step="generate", seconds=round(time.perf_counter() - t0, 2))
    if args.whole:
        whole(folder, args.repeat, not args.no_python, args.households, args.visits)
        return

    import pandas  # noqa: F401  (imports are not part of the timing, for either side)

    import gridgov.org
    import gridgov.sweep  # noqa: F401

    best: dict[str, float] = {}
    best_cpu: dict[str, float] = {}
    tables = {}
    for _ in range(args.repeat):
        for name, fn in (("gridgov", run_gridgov), ("pandas", run_pandas)):
            gc.collect()
            t0, c0 = time.perf_counter(), time.process_time()
            tables[name] = fn(folder)
            elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
            best[name] = min(best.get(name, elapsed), elapsed)
            best_cpu[name] = min(best_cpu.get(name, cpu), cpu)
            emit(
                bench="coverage_batch_by_grid",
                impl=name,
                households=args.households,
                visits=args.visits,
                seconds=round(elapsed, 2),
                cpu_seconds=round(cpu, 2),
            )
    equal = sorted(tables["gridgov"]) == sorted(tables["pandas"])
    emit(
        bench="coverage_batch_by_grid",
        tables_equal=equal,
        grids=len(tables["gridgov"]),
        gridgov_over_pandas=round(best["gridgov"] / best["pandas"], 3),
        gridgov_over_pandas_cpu=round(best_cpu["gridgov"] / best_cpu["pandas"], 3),
        goal="<= 2.0",
    )
    if not equal:
        for a, b in zip(sorted(tables["gridgov"]), sorted(tables["pandas"]), strict=False):
            if a != b:
                emit(first_difference={"gridgov": a, "pandas": b})
                break
    del tables
    gc.collect()
    rates, n = incremental_rate(folder, min(args.incremental, args.visits))
    for mode, (rate, rate_cpu) in rates.items():
        emit(
            bench="coverage_incremental",
            call=mode,
            visits=n,
            visits_per_second=round(rate),
            visits_per_cpu_second=round(rate_cpu),
            goal=">= 200000",
        )


if __name__ == "__main__":
    main()
