"""Ready-made scenarios: the reference county (and, later, its duty roster and sweeps)."""

from gridgov.examples.county import reference_county

__all__ = ["reference_county"]
