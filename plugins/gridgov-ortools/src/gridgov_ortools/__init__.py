"""gridgov-ortools: the ``cpsat`` roster solver, an exact CP-SAT model of the duty rules."""

from gridgov_ortools.solver import solve

__all__ = ["solve"]
