"""The duty core as its own first plugin: the built-in solver and rules, by name."""

from __future__ import annotations

from typing import Any

from gridgov.plugins.hookspecs import hookimpl


@hookimpl
def gridgov_roster_solvers(register: Any) -> None:
    """Register the built-in local-search solver as ``local``."""
    from gridgov.duty.solver.local import solve

    register("local", solve)


@hookimpl
def gridgov_rules(register: Any) -> None:
    """Register every built-in rule class under its name."""
    from gridgov.duty.rules import BUILTIN_RULES

    for name, cls in BUILTIN_RULES.items():
        register(name, cls)
