"""gridgov.sweep — door-to-door sweeps in which no household may be missed."""

from gridgov.sweep.model import (
    Household,
    Isolation,
    Occupancy,
    Outcome,
    Resident,
    Returnee,
    Sweep,
    Visit,
)

__all__ = [
    "Household",
    "Isolation",
    "Occupancy",
    "Outcome",
    "Resident",
    "Returnee",
    "Sweep",
    "Visit",
]
