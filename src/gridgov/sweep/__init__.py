"""gridgov.sweep — door-to-door sweeps in which no household may be missed.

>>> from gridgov.sweep import coverage, CoverageTracker  # batch and incremental
"""

from gridgov.sweep.coverage import coverage
from gridgov.sweep.csv_coverage import coverage_from_csv
from gridgov.sweep.csv_io import households_csv_text, read_households
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
from gridgov.sweep.report import (
    CSV_HEADER,
    Conflict,
    Counts,
    CoverageReport,
    ProgressPoint,
    QueueEntry,
    Reject,
)
from gridgov.sweep.tracker import CoverageTracker
from gridgov.sweep.visit_format import (
    iter_visits,
    iter_visits_text,
    read_visits,
    read_visits_text,
    visits_csv_text,
    visits_jsonl_text,
    write_visits,
)

__all__ = [
    "CSV_HEADER",
    "Conflict",
    "Counts",
    "CoverageReport",
    "CoverageTracker",
    "Household",
    "Isolation",
    "Occupancy",
    "Outcome",
    "ProgressPoint",
    "QueueEntry",
    "Reject",
    "Resident",
    "Returnee",
    "Sweep",
    "Visit",
    "coverage",
    "coverage_from_csv",
    "households_csv_text",
    "iter_visits",
    "iter_visits_text",
    "read_households",
    "read_visits",
    "read_visits_text",
    "visits_csv_text",
    "visits_jsonl_text",
    "write_visits",
]
