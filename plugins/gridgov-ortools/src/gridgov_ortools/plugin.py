"""The ``cpsat`` solver, registered with gridgov through its entry point."""

from __future__ import annotations

from typing import Any

from gridgov import hookimpl


@hookimpl
def gridgov_roster_solvers(register: Any) -> None:
    """Register the CP-SAT solver as ``cpsat``."""
    from gridgov_ortools.solver import solve

    register("cpsat", solve)
