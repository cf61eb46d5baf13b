"""Benchmark: a 1,000,000-unit, 6-level hierarchy in gridgov and in peer tree libraries.

Times, for each library in the same run and from the same CSV file: load (parse
the CSV and build the tree; gridgov's load also validates everything), validate
(gridgov only: a full re-check that collects every error — the peers offer no
such operation), a roll-up (sum of ``residents`` over every subtree), 10,000
descendants queries at grid level, 100,000 is-ancestor queries and 10,000
lowest-common-ancestor queries. Peers: bigtree, anytree and treelib (``pip
install -e '.[bench]'``), each where it offers the operation or its building
blocks. Prints one JSON row per measurement: ``{op, library, seconds, n}``;
then a summary row per operation naming the fastest library.

    python benchmarks/bench_tree.py [--units 1000000] [--libs gridgov,anytree,bigtree,treelib]
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

LEVELS = ("county", "township", "community", "grid", "building", "household")
FANOUT = (1, 10, 20, 10, 20)  # children per unit for the first five levels


def generate(path: Path, units: int, seed: int = 7) -> dict[str, list[str]]:
    """Write the tree as CSV (parents first) and return the ids per level."""
    rng = random.Random(seed)
    by_level: dict[str, list[str]] = {lv: [] for lv in LEVELS}
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "parent", "level", "name", "residents"])
        w.writerow(["c", "", "county", "County", ""])
        by_level["county"].append("c")
        count = 1
        scale = max(1.0, (units / 1_000_000))
        for depth in range(1, 5):
            level = LEVELS[depth]
            for parent in by_level[LEVELS[depth - 1]]:
                for k in range(round(FANOUT[depth] * (scale if depth == 1 else 1))):
                    uid = f"{parent}.{k}"
                    w.writerow([uid, parent, level, f"{level} {uid}", ""])
                    by_level[level].append(uid)
                    count += 1
        buildings = by_level["building"]
        remaining = max(0, units - count)
        for i in range(remaining):
            parent = buildings[i % len(buildings)]
            uid = f"h{i}"
            w.writerow([uid, parent, "household", f"door {i}", rng.randint(1, 5)])
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


def bench_gridgov(path: Path, q: dict[str, Any]) -> dict[str, tuple[float, Any]]:
    from gridgov.org import read_csv, rollup

    out: dict[str, tuple[float, Any]] = {}
    out["load"] = timed(lambda: read_csv(path))
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
    "anytree": bench_anytree,
    "bigtree": bench_bigtree,
    "treelib": bench_treelib,
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, default=1_000_000)
    ap.add_argument("--libs", default=",".join(BENCHES))
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tree.csv"
        by_level = generate(path, args.units, args.seed)
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
            answers = {lib: r[op][1] for lib, r in results.items() if op in r and op != "load"}
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
