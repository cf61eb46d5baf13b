"""gridgov-ortools: the ``cpsat`` roster solver, an exact CP-SAT model of the duty rules.

``gridgov_ortools.solve`` is :func:`gridgov_ortools.solver.solve`; OR-Tools is
imported when it is first used, not when gridgov loads its plugins.
"""

from __future__ import annotations

from typing import Any

__all__ = ["solve"]


def __getattr__(name: str) -> Any:
    if name == "solve":
        from gridgov_ortools.solver import solve

        return solve
    raise AttributeError(f"module 'gridgov_ortools' has no attribute {name!r}")
