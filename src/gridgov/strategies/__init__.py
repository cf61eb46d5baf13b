"""Public hypothesis strategies for users' property tests.

Every strategy builds values that are valid by construction, takes keyword-only
bounds, and raises ``TypeError``/``ValueError`` at once for bad arguments. They
need the ``strategies`` extra (hypothesis); the rest of gridgov does not.
"""

from gridgov.strategies.duty import duty_problems, rosters
from gridgov.strategies.org import hierarchies, units

__all__ = ["duty_problems", "hierarchies", "rosters", "units"]

from gridgov.strategies.sweep import households, sweep_trees, sweeps, visit_logs

__all__ += ["households", "sweep_trees", "sweeps", "visit_logs"]
