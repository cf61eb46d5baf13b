"""Ready-made scenarios: the reference county (and, later, its duty roster and sweeps)."""

from gridgov.examples.county import reference_county
from gridgov.examples.duty import reference_duty

__all__ = ["reference_county", "reference_duty"]

from gridgov.examples.sweep_day import reference_households, simulated_sweep_day

__all__ += ["reference_households", "simulated_sweep_day"]

from gridgov.examples.residents import reference_residents

__all__ += ["reference_residents"]
