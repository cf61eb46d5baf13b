"""The ``cpsat`` solver, registered with gridgov through its entry point.

OR-Tools is imported on the first solve, not when gridgov loads its plugins,
so that other commands do not pay for it.
"""

from __future__ import annotations

from typing import Any

from gridgov import hookimpl


def cpsat(problem: Any, **options: Any) -> Any:
    """Solve with :func:`gridgov_ortools.solver.solve` (same arguments and result)."""
    from gridgov_ortools.solver import solve

    return solve(problem, **options)


@hookimpl
def gridgov_roster_solvers(register: Any) -> None:
    """Register the CP-SAT solver as ``cpsat``."""
    register("cpsat", cpsat)
