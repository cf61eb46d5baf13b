"""Benchmark: a 1,000,000-unit, 6-level hierarchy in gridgov and in peer tree libraries.

Times, for each library in the same run and from the same CSV file: load (parse
the CSV and build the tree; gridgov's load also validates everything), validate
(gridgov only: a full re-check that collects every error — the peers offer no
such operation), a roll-up (sum of ``residents`` over every subtree), 10,000
descendants queries at grid level, 100,000 is-ancestor queries and 10,000
lowest-common-ancestor queries. Peers: bigtree, anytree and treelib (``pip
install -e '.[bench]'``), each where it offers the operation or its building
blocks, and a plain-Python dict reader/roll-up (``dict``). ``gridgov`` is the
library under ``engine="auto"`` (the columnar engine when installed),
``gridgov-python`` its pure-Python reference path. Prints one JSON row per
measurement: ``{op, library, seconds, n}``; then a summary row per operation
naming the fastest library.

``--whole`` instead times whole commands with ``/usr/bin/time -v`` (wall
seconds and peak RSS), each ``--repeat`` times, interleaved in the same run:
``gridgov org rollup FILE --sum residents --level grid`` (columnar and
``GRIDGOV_ENGINE=python``) against the plain-Python dict peer doing the same
job (``bench_tree.py --dict-peer FILE``); every command's output is compared.

    python benchmarks/bench_tree.py [--units 1000000] [--libs gridgov,gridgov-python,dict,...]
    python benchmarks/bench_tree.py --whole [--units 1000000] [--repeat 3]
        [--fanout 10,20,10,20] [--ids dotted|long|uuid] [--names ascii|cjk]

The shape flags make other trees: ``--fanout 3,3,3,3,3,3,4`` a deeper one,
``--fanout 2000`` a flat one (county, buildings, households), ``--ids long`` or
``uuid`` long ids, ``--names cjk`` names in Chinese.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from whole_command import time_command

LEVELS = ("county", "township", "community", "grid", "building", "household")
FANOUT = (1, 10, 20, 10, 20)  # children per unit for the first five levels
FANOUT_HELP = (
    "children a unit, from the county's to the buildings' level (default 10,20,10,20); "
    "more or fewer numbers make a deeper or flatter tree (levels level1, level2, ...)"
)


def levels_of(fanout: tuple[int, ...]) -> tuple[str, ...]:
    """The level scheme of a tree with ``fanout`` (children a unit, township to building)."""
    if len(fanout) == len(FANOUT) - 1:
        return LEVELS
    return ("county", *(f"level{k}" for k in range(1, len(fanout) + 1)), "household")


def rollup_level(levels: tuple[str, ...]) -> str:
    """The level the whole-command job reports (``grid``, or two above the households)."""
    return "grid" if "grid" in levels else levels[max(1, len(levels) - 3)]


def generate(
    path: Path,
    units: int,
    seed: int = 7,
    *,
    fanout: tuple[int, ...] = FANOUT[1:],
    ids: str = "dotted",
    names: str = "ascii",
) -> dict[str, list[str]]:
    """Write the tree as CSV (parents first) and return the ids per level.

    ``fanout``: children a unit from the county's children to the buildings (the
    households fill the rest, round-robin over the deepest units); ``ids``:
    ``dotted`` (``c.3.12``, ``h17``), ``long`` (40-60 bytes) or ``uuid``; ``names``:
    ``ascii`` or ``cjk``."""
    rng = random.Random(seed)
    idr = random.Random(seed + 1)
    levels = levels_of(fanout)
    by_level: dict[str, list[str]] = {lv: [] for lv in levels}

    def new_id(parent: str, k: int, level: str) -> str:
        if ids == "uuid":
            return str(uuid.UUID(int=idr.getrandbits(128), version=4))
        if ids == "long":
            return f"{level}-{len(by_level[level]):09d}-under-{parent[:24]}"
        return f"{parent}.{k}" if level != "household" else f"h{k}"

    def name_of(level: str, uid: str, k: int) -> str:
        if names == "cjk":
            return f"第{k}号{'户' if level == 'household' else '单位'}·{level}"
        return f"door {k}" if level == "household" else f"{level} {uid}"

    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "parent", "level", "name", "residents"])
        w.writerow(["c", "", "county", "County", ""])
        by_level["county"].append("c")
        count = 1
        scale = max(1.0, (units / 1_000_000))
        for depth in range(1, len(levels) - 1):
            level = levels[depth]
            for parent in by_level[levels[depth - 1]]:
                for k in range(round(fanout[depth - 1] * (scale if depth == 1 else 1))):
                    uid = new_id(parent, k, level)
                    w.writerow([uid, parent, level, name_of(level, uid, k), ""])
                    by_level[level].append(uid)
                    count += 1
        deepest = by_level[levels[-2]]
        remaining = max(0, units - count)
        for i in range(remaining):
            parent = deepest[i % len(deepest)]
            uid = new_id(parent, i, "household")
            w.writerow([uid, parent, "household", name_of("household", uid, i), rng.randint(1, 5)])
            by_level["household"].append(uid)
    return by_level


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def read_rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    return rows[1:]


# ---------------------------------------------------------------- gridgov


def bench_gridgov(
    path: Path, q: dict[str, Any], engine: str = "auto"
) -> dict[str, tuple[float, Any]]:
    from gridgov.org import read_csv, rollup

    out: dict[str, tuple[float, Any]] = {}
    out["load"] = timed(lambda: read_csv(path, engine=engine))  # type: ignore[arg-type]
    tree = out["load"][1]
    out["validate"] = timed(lambda: len(tree.check()))
    out["rollup"] = timed(lambda: rollup(tree, "residents")["c"])
    out["descendants"] = timed(lambda: sum(len(tree.descendants(g)) for g in q["grids"]))
    idx = tree.index
    pos = idx.pos

    def anc() -> int:
        ia = tree.is_ancestor
        return sum(1 for a, b in q["pairs"] if ia(a, b))

    out["is_ancestor"] = timed(anc)
    out["lca"] = timed(lambda: len({tree.lca(a, b) for a, b in q["lca"]}))
    del pos
    return out


def bench_gridgov_python(path: Path, q: dict[str, Any]) -> dict[str, tuple[float, Any]]:
    return bench_gridgov(path, q, engine="python")


# ---------------------------------------------------------------- plain dicts


def dict_load(
    path: Path,
) -> tuple[dict[str, str], dict[str, str], dict[str, int], dict[str, str]]:
    """The plain-Python peer's reader: parent, level and residents per id, in dicts.

    It checks what a careful script would: duplicate ids, unknown parents, a
    single root, numbers in ``residents``.
    """
    parent: dict[str, str] = {}
    level: dict[str, str] = {}
    value: dict[str, int] = {}
    name: dict[str, str] = {}
    with path.open(newline="", encoding="utf-8") as fh:
        rows = csv.reader(fh)
        header = next(rows)
        cols = ("id", "parent", "level", "residents", "name")
        i_id, i_par, i_lv, i_res, i_name = (header.index(c) for c in cols)
        for row in rows:
            uid = row[i_id]
            if uid in parent:
                raise SystemExit(f"duplicate id {uid}")
            parent[uid] = row[i_par]
            level[uid] = row[i_lv]
            name[uid] = row[i_name]
            if row[i_res]:
                value[uid] = int(row[i_res])
    roots = [u for u, p in parent.items() if not p]
    if len(roots) != 1 or any(p and p not in parent for p in parent.values()):
        raise SystemExit("not a tree")
    return parent, level, value, name


def dict_rollup(parent: dict[str, str], value: dict[str, int]) -> dict[str, int]:
    """Every value added into each of its ancestors (the depth is small)."""
    total: dict[str, int] = dict.fromkeys(parent, 0)
    for uid, v in value.items():
        node = uid
        while node:
            total[node] += v
            node = parent[node]
    return total


def bench_dict(path: Path, q: dict[str, Any]) -> dict[str, tuple[float, Any]]:
    out: dict[str, tuple[float, Any]] = {}
    out["load"] = timed(lambda: dict_load(path))
    parent, _level, value, _name = out["load"][1]
    out["rollup"] = timed(lambda: dict_rollup(parent, value)["c"])
    return out


def dict_peer_command(path: Path, level: str) -> None:
    """``--dict-peer``: the whole job as a plain script, printing what ``org rollup`` prints."""
    parent, lv, value, name = dict_load(path)
    total = dict_rollup(parent, value)
    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(["id", "name", "level", "residents"])
    for uid, at in lv.items():
        if at == level:
            w.writerow([uid, name[uid], at, total[uid]])


# ---------------------------------------------------------------- whole commands


def whole(path: Path, repeat: int, units: int, levels: tuple[str, ...] = LEVELS) -> None:
    """Interleaved whole-command runs of gridgov (both engines) and the dict peer."""
    gridgov = str(Path(sys.executable).with_name("gridgov"))
    level = rollup_level(levels)
    job = [str(path), "--sum", "residents", "--level", level, "--format", "csv"]
    if levels != LEVELS:
        job += ["--levels", ",".join(levels)]
    peer = [sys.executable, __file__, "--dict-peer", str(path), "--peer-level", level]
    commands = {
        "gridgov": ([gridgov, "org", "rollup", *job], {}),
        "gridgov-python": ([gridgov, "org", "rollup", *job], {"GRIDGOV_ENGINE": "python"}),
        "dict": (peer, {}),
    }
    runs: dict[str, list[dict[str, Any]]] = {k: [] for k in commands}
    for r in range(repeat):
        for name, (cmd, env) in commands.items():
            got = time_command(cmd, env)
            runs[name].append(got)
            print(
                json.dumps(
                    {
                        "op": f"org rollup --level {level} (whole command)",
                        "library": name,
                        "run": r,
                        "seconds": got["seconds"],
                        "cpu_seconds": got["cpu_seconds"],
                        "peak_mb": got["peak_mb"],
                        "n": units,
                    }
                ),
                flush=True,
            )
    outputs = {k: v[0]["output"].replace("\r\n", "\n") for k, v in runs.items()}
    if len(set(outputs.values())) != 1:
        raise SystemExit("the commands' outputs differ")
    best = {k: min(x["seconds"] for x in v) for k, v in runs.items()}
    peak = {k: max(x["peak_mb"] for x in v) for k, v in runs.items()}
    cpu = {k: min(x["cpu_seconds"] for x in v) for k, v in runs.items()}
    print(
        json.dumps(
            {
                "op": f"org rollup --level {level} (whole command)",
                "summary": True,
                "best_seconds": best,
                "best_cpu_seconds": cpu,
                "peak_mb": peak,
                "gridgov_over_dict_time": round(best["gridgov"] / best["dict"], 3),
                "gridgov_over_dict_cpu": round(cpu["gridgov"] / cpu["dict"], 3),
                "gridgov_over_dict_memory": round(peak["gridgov"] / peak["dict"], 3),
                "goal": "time <= 0.5x dict, memory <= dict",
                "outputs_equal": True,
            }
        )
    )


# ---------------------------------------------------------------- anytree


def bench_anytree(path: Path, q: dict[str, Any]) -> dict[str, tuple[float, Any]]:
    from anytree import Node, PostOrderIter
    from anytree.util import commonancestors

    def load() -> dict[str, Any]:
        nodes: dict[str, Any] = {}
        for uid, parent, level, name, residents in read_rows(path):
            nodes[uid] = Node(
                uid,
                parent=nodes[parent] if parent else None,
                level=level,
                label=name,
                residents=int(residents) if residents else 0,
            )
        return nodes

    out: dict[str, tuple[float, Any]] = {}
    out["load"] = timed(load)
    nodes = out["load"][1]
    root = nodes["c"]

    def roll() -> int:
        sums: dict[int, int] = {}
        for n in PostOrderIter(root):
            sums[id(n)] = n.residents + sum(sums[id(k)] for k in n.children)
        return sums[id(root)]

    out["rollup"] = timed(roll)
    out["descendants"] = timed(lambda: sum(len(nodes[g].descendants) for g in q["grids"]))
    out["is_ancestor"] = timed(
        lambda: sum(1 for a, b in q["pairs"] if nodes[a] in nodes[b].ancestors)
    )
    out["lca"] = timed(
        lambda: len({commonancestors(nodes[a], nodes[b])[-1].name for a, b in q["lca"]})
    )
    return out


# ---------------------------------------------------------------- bigtree


def bench_bigtree(path: Path, q: dict[str, Any]) -> dict[str, tuple[float, Any]]:
    from bigtree import Node, get_common_ancestors, postorder_iter

    def load() -> dict[str, Any]:
        nodes: dict[str, Any] = {}
        for uid, parent, level, name, residents in read_rows(path):
            node = Node(uid, level=level, label=name, residents=int(residents) if residents else 0)
            if parent:
                node.parent = nodes[parent]
            nodes[uid] = node
        return nodes

    out: dict[str, tuple[float, Any]] = {}
    out["load"] = timed(load)
    nodes = out["load"][1]
    root = nodes["c"]

    def roll() -> int:
        sums: dict[int, int] = {}
        for n in postorder_iter(root):
            sums[id(n)] = n.get_attr("residents", 0) + sum(sums[id(k)] for k in n.children)
        return sums[id(root)]

    out["rollup"] = timed(roll)
    out["descendants"] = timed(lambda: sum(len(list(nodes[g].descendants)) for g in q["grids"]))
    out["is_ancestor"] = timed(
        lambda: sum(1 for a, b in q["pairs"] if nodes[a] in set(nodes[b].ancestors))
    )
    out["lca"] = timed(
        lambda: len({get_common_ancestors([nodes[a], nodes[b]])[0].name for a, b in q["lca"]})
    )
    return out


# ---------------------------------------------------------------- treelib


def bench_treelib(path: Path, q: dict[str, Any]) -> dict[str, tuple[float, Any]]:
    from treelib import Tree

    def load() -> Any:
        tree = Tree()
        for uid, parent, level, name, residents in read_rows(path):
            tree.create_node(
                name,
                uid,
                parent=parent or None,
                data=(level, int(residents) if residents else 0),
            )
        return tree

    out: dict[str, tuple[float, Any]] = {}
    out["load"] = timed(load)
    tree = out["load"][1]

    def roll() -> int:
        sums: dict[str, int] = {}
        for nid in reversed(list(tree.expand_tree("c", mode=Tree.DEPTH, sorting=False))):
            sums[nid] = tree[nid].data[1] + sum(sums[k] for k in tree.is_branch(nid))
        return sums["c"]

    out["rollup"] = timed(roll)
    out["descendants"] = timed(
        lambda: sum(len(list(tree.expand_tree(g, sorting=False))) - 1 for g in q["grids"])
    )
    out["is_ancestor"] = timed(lambda: sum(1 for a, b in q["pairs"] if tree.is_ancestor(a, b)))
    return out


BENCHES = {
    "gridgov": bench_gridgov,
    "gridgov-python": bench_gridgov_python,
    "dict": bench_dict,
    "anytree": bench_anytree,
    "bigtree": bench_bigtree,
    "treelib": bench_treelib,
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, default=1_000_000)
    ap.add_argument("--libs", default=",".join(BENCHES))
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--whole", action="store_true", help="time whole commands instead")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--fanout", default=",".join(map(str, FANOUT[1:])), help=FANOUT_HELP)
    ap.add_argument("--ids", choices=("dotted", "long", "uuid"), default="dotted")
    ap.add_argument("--names", choices=("ascii", "cjk"), default="ascii")
    ap.add_argument("--dict-peer", metavar="FILE", help=argparse.SUPPRESS)
    ap.add_argument("--peer-level", default="grid", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.dict_peer:
        dict_peer_command(Path(args.dict_peer), args.peer_level)
        return
    rng = random.Random(args.seed)
    fanout = tuple(int(x) for x in args.fanout.split(","))
    if not args.whole and (levels_of(fanout) != LEVELS or args.ids != "dotted"):
        raise SystemExit("other shapes are measured as whole commands: add --whole")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tree.csv"
        by_level = generate(
            path, args.units, args.seed, fanout=fanout, ids=args.ids, names=args.names
        )
        if args.whole:
            whole(path, args.repeat, args.units, levels_of(fanout))
            return
        hh, comm, grids = by_level["household"], by_level["community"], by_level["grid"]
        queries = {
            "grids": [rng.choice(grids) for _ in range(10_000)],
            "pairs": [(rng.choice(comm), rng.choice(hh)) for _ in range(100_000)],
            "lca": [(rng.choice(hh), rng.choice(hh)) for _ in range(10_000)],
        }
        n_ops = {
            "load": args.units,
            "validate": args.units,
            "rollup": args.units,
            "descendants": 10_000,
            "is_ancestor": 100_000,
            "lca": 10_000,
        }
        results: dict[str, dict[str, tuple[float, Any]]] = {}
        for lib in args.libs.split(","):
            try:
                results[lib] = BENCHES[lib](path, queries)
            except ImportError as exc:
                print(json.dumps({"library": lib, "skipped": f"not installed: {exc}"}))
                continue
            for op, (secs, _) in results[lib].items():
                print(
                    json.dumps(
                        {"op": op, "library": lib, "seconds": round(secs, 4), "n": n_ops[op]}
                    )
                )
            gc.collect()
        for op in n_ops:
            timings = {lib: r[op][0] for lib, r in results.items() if op in r}
            answers = {
                lib: r[op][1] for lib, r in results.items() if op in r and op not in ("load",)
            }
            if len(set(map(str, answers.values()))) > 1:
                raise SystemExit(f"libraries disagree on {op}: {answers}")
            if timings:
                best = min(timings, key=lambda k: timings[k])
                print(
                    json.dumps(
                        {
                            "op": op,
                            "fastest": best,
                            "seconds": {k: round(v, 4) for k, v in timings.items()},
                        }
                    )
                )
        if "gridgov" in results:
            g = results["gridgov"]
            total = g["load"][0] + g["rollup"][0]
            print(
                json.dumps(
                    {
                        "op": "load+validate+rollup",
                        "library": "gridgov",
                        "seconds": round(total, 3),
                        "n": args.units,
                        "goal_s": 10,
                    }
                )
            )


if __name__ == "__main__":
    main()
