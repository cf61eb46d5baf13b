"""Roster solvers: the built-in constructive start and local search."""
