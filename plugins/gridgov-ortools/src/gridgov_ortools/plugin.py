"""The ``cpsat`` solver, registered with gridgov through its entry point.

OR-Tools is imported on the first solve, not when gridgov loads its plugins,
so that other commands do not pay for it.
"""

from __future__ import annotations

import time
from typing import Any

from gridgov import hookimpl


def cpsat(problem: Any, **options: Any) -> Any:
    """Solve with :func:`gridgov_ortools.solver.solve` (same arguments and result); the
    first call's import of OR-Tools counts against ``time_limit``."""
    clock = options.get("clock", time.perf_counter)
    t0 = clock()
    from gridgov_ortools.solver import solve

    if "time_limit" in options:
        limit = options["time_limit"]
        options["time_limit"] = max(limit - (clock() - t0), 0.1 * limit)
    return solve(problem, **options)


@hookimpl
def gridgov_roster_solvers(register: Any) -> None:
    """Register the CP-SAT solver as ``cpsat``."""
    register("cpsat", cpsat)
