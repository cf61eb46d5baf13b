"""What every roster export shares: names (masked by default) and shift times."""

from __future__ import annotations

import datetime as dt

from gridgov.duty.model import Problem, ShiftType
from gridgov.duty.privacy import display_name

__all__ = ["display_name", "shift_times"]


def shift_times(problem: Problem, shift: ShiftType, day: int) -> tuple[dt.datetime, dt.datetime]:
    """Naive local start and end of ``shift`` on day index ``day`` (end may be the next day)."""
    start = dt.datetime.combine(problem.horizon.date(day), shift.start)
    return start, start + dt.timedelta(minutes=shift.minutes)
