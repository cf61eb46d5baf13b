"""Ready-made scenarios: the reference county, its duty roster, its sweep and its residents."""

from gridgov.examples.county import reference_county
from gridgov.examples.duty import reference_duty
from gridgov.examples.residents import reference_residents
from gridgov.examples.sweep_day import reference_households, simulated_sweep_day

__all__ = [
    "reference_county",
    "reference_duty",
    "reference_households",
    "reference_residents",
    "simulated_sweep_day",
]
