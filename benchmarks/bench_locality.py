"""What the ``locality`` rule costs the solver, and what it buys, on the reference county.

For each scale, in the same run: the reference problem without locality, with
the hard township locality it ships with, and with a soft tree-distance
locality. Prints one JSON row per variant:

- ``moves_per_s``: incremental-score moves (try + commit/rollback of one random
  cell) per second on the same random move sequence, the scorer alone;
- ``iterations``, ``hard``, ``soft``: a timed solve (one worker, same seed);
- ``team_shifts``, ``own_township``: team shifts, and those at a post inside the
  team's own township (what locality is for).

    python benchmarks/bench_locality.py --scales 0.5,1 --seconds 10
"""

from __future__ import annotations

import argparse
import json
import random
import time

import attrs

from gridgov.duty import Problem, RuleConfig, solve
from gridgov.duty.compiled import compile_problem
from gridgov.duty.grid import to_grid
from gridgov.duty.places import PlaceIndex
from gridgov.duty.rules import bind_rules
from gridgov.duty.state import RosterState
from gridgov.examples import reference_duty


def variants(problem: Problem) -> dict[str, Problem]:
    """The problem with no locality, hard township locality, soft distance locality."""
    base = tuple(r for r in problem.rules if r.name != "locality")
    return {
        "none": attrs.evolve(problem, rules=base),
        "hard-township": problem,
        "soft-distance": attrs.evolve(
            problem, rules=(*base, RuleConfig("locality", hard=False, weight=5))
        ),
    }


def moves_per_second(problem: Problem, start: Problem, roster: object, n: int, seed: int) -> float:
    """Random one-cell moves through the incremental scorer, per second."""
    cp = compile_problem(problem)
    shifts, posts, _ = to_grid(cp, roster)  # type: ignore[arg-type]
    st = RosterState(cp, bind_rules(cp), shifts, posts)
    rng = random.Random(seed)
    cells = []
    for _ in range(n):
        r, d = rng.randrange(cp.R), rng.randrange(cp.D)
        s = rng.randrange(cp.S)
        open_posts = cp.open_posts[d][s]
        cells.append((r, d, s, open_posts[rng.randrange(len(open_posts))] if open_posts else -1))
    t0 = time.perf_counter()
    for k, cell in enumerate(cells):
        if cell[3] < 0:
            continue
        st.try_cells([cell])
        if k % 2:
            st.commit()
        else:
            st.rollback()
    return n / (time.perf_counter() - t0)


def own_township(problem: Problem, roster: object) -> tuple[int, int]:
    """(team shifts, team shifts at a post in the team's own township)."""
    assert problem.places is not None
    ix = PlaceIndex(problem.places)
    res = {r.id: r for r in problem.resources}
    post = {p.id: p for p in problem.posts}
    team = [a for a in roster.assignments if res[a.resource].kind == "team"]  # type: ignore[attr-defined]
    local = 0
    for a in team:
        home, unit = res[a.resource].home_unit, post[a.post].unit
        if home and unit and ix.within(unit, ix.anchor(home, "township")):
            local += 1
    return len(team), local


def main() -> None:
    """Run the variants and print JSON rows."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scales", default="0.5,1")
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--moves", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    for scale in (float(x) for x in args.scales.split(",")):
        bound = reference_duty(seed=args.seed, scale=scale)
        seed_roster = solve(variants(bound)["none"], max_iterations=200, seed=args.seed).roster
        for name, problem in variants(bound).items():
            rate = moves_per_second(problem, bound, seed_roster, args.moves, args.seed)
            t0 = time.perf_counter()
            result = solve(problem, time_limit=args.seconds, seed=args.seed, workers=1)
            wall = time.perf_counter() - t0
            shifts, local = own_township(bound, result.roster)
            row = {
                "bench": "locality",
                "scale": scale,
                "variant": name,
                "posts": len(problem.posts),
                "resources": len(problem.resources),
                "moves_per_s": round(rate),
                "iterations": result.iterations,
                "wall_s": round(wall, 2),
                "hard": result.score.hard,
                "soft": result.score.soft,
                "team_shifts": shifts,
                "own_township": local,
            }
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
