"""What every roster export shares: names (masked by default) and shift times."""

from __future__ import annotations

import datetime as dt

from gridgov.duty.model import Problem, Resource, ShiftType
from gridgov.privacy import mask_name


def display_name(resource: Resource, *, mask: bool = True) -> str:
    """A resource's name for an export: a person's name is masked unless ``mask=False``.

    Teams are named for their unit, not a person, and are shown as they are.
    """
    if resource.kind == "person" and mask and resource.name:
        return f"{mask_name(resource.name)} ({resource.id})"
    return resource.label


def shift_times(problem: Problem, shift: ShiftType, day: int) -> tuple[dt.datetime, dt.datetime]:
    """Naive local start and end of ``shift`` on day index ``day`` (end may be the next day)."""
    start = dt.datetime.combine(problem.horizon.date(day), shift.start)
    return start, start + dt.timedelta(minutes=shift.minutes)
