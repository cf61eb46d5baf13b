"""A CP-SAT model of a benchmark instance: the peer that ``bench_roster.py --cpsat`` runs.

The model is the textbook one (a Boolean per employee, day and shift type);
its roster is scored by gridgov's own validator, so both solvers are measured
the same way. Needs ``ortools`` (the ``bench`` extra).
"""

from __future__ import annotations

import time
from typing import Any

from ortools.sat.python import cp_model

from gridgov.duty.compiled import compile_problem
from gridgov.duty.grid import from_grid
from gridgov.duty.model import Problem
from gridgov.duty.validate import evaluate


def solve_cpsat(
    problem: Problem, name: str, best_known: int | None, time_limit: float, workers: int = 1
) -> dict[str, Any]:
    """Solve with CP-SAT (``workers`` threads) and return a benchmark row."""
    t0 = time.perf_counter()
    cp = compile_problem(problem)
    m = cp_model.CpModel()
    R, D, S = cp.R, cp.D, cp.S
    x = [[[m.new_bool_var(f"x{r}_{d}_{s}") for s in range(S)] for d in range(D)] for r in range(R)]
    work = [[m.new_bool_var(f"w{r}_{d}") for d in range(D)] for r in range(R)]
    cost: list[Any] = []
    for r in range(R):
        lim = cp.limits[r]
        for d in range(D):
            m.add(sum(x[r][d]) == work[r][d])
            if cp.unavailable[r][d]:
                m.add(work[r][d] == 0)
            if d + 1 < D:
                for s in range(S):
                    for t in cp.forbidden_next[s]:
                        m.add_bool_or([x[r][d][s].Not(), x[r][d + 1][t].Not()])
        for s in range(S):
            limit = cp.max_per_type[r][s]
            if limit is not None:
                m.add(sum(x[r][d][s] for d in range(D)) <= limit)
        total = sum(cp.minutes[s] * x[r][d][s] for d in range(D) for s in range(S))
        if lim.max_minutes is not None:
            m.add(total <= lim.max_minutes)
        if lim.min_minutes is not None:
            m.add(total >= lim.min_minutes)
        if lim.max_consecutive is not None:
            k = lim.max_consecutive
            for d in range(D - k):
                m.add(sum(work[r][d : d + k + 1]) <= k)
        for length, on in ((lim.min_consecutive or 0, True), (lim.min_days_off or 0, False)):
            # forbid inner stretches shorter than length: b, then n of the other kind, then b
            for n in range(1, length):
                for d in range(1, D - n):
                    if d + n >= D:
                        continue
                    lits = [work[r][d - 1] if on else work[r][d - 1].Not()]
                    lits += [work[r][e].Not() if on else work[r][e] for e in range(d, d + n)]
                    lits.append(work[r][d + n] if on else work[r][d + n].Not())
                    m.add_bool_or(lits)
        if lim.max_weekends is not None:
            wk = []
            for days in cp.weekends:
                v = m.new_bool_var("")
                m.add_max_equality(v, [work[r][d] for d in days])
                wk.append(v)
            m.add(sum(wk) <= lim.max_weekends)
        for (d, s), w in cp.on_req[r].items():
            cost.append(w * ((1 - work[r][d]) if s < 0 else (1 - x[r][d][s])))
        for (d, s), w in cp.off_req[r].items():
            cost.append(w * (work[r][d] if s < 0 else x[r][d][s]))
    for d in range(D):
        for s in range(S):
            need = cp.need[d][s][0]
            if need is None:
                continue
            n = sum(x[r][d][s] for r in range(R))
            under = m.new_int_var(0, R, "")
            over = m.new_int_var(0, R, "")
            m.add(n - need.target == over - under)
            cost.append(need.weight_under * under + need.weight_over * over)
    m.minimize(sum(cost))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(time_limit - (time.perf_counter() - t0), 1.0)
    solver.parameters.num_workers = workers
    status = solver.solve(m)
    row: dict[str, Any] = {
        "instance": name,
        "solver": f"cp-sat-{workers}w",
        "best_known": best_known,
    }
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        shifts = [
            [next((s for s in range(S) if solver.value(x[r][d][s])), -1) for d in range(D)]
            for r in range(R)
        ]
        posts = [[0 if v >= 0 else -1 for v in row_] for row_ in shifts]
        ev = evaluate(cp, from_grid(cp, shifts, posts))
        obj = ev.score.soft
        row.update(
            objective=obj,
            gap_pct=round(100 * (obj - best_known) / best_known, 2) if best_known else None,
            hard_violations=len(ev.hard_violations),
            optimal=status == cp_model.OPTIMAL,
        )
    else:
        row.update(
            objective=None, gap_pct=None, hard_violations=None, status=solver.status_name(status)
        )
    row["wall_s"] = round(time.perf_counter() - t0, 2)
    return row
