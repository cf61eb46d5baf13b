"""Residents for follow-up: JSON Lines, one serialised :class:`~gridgov.sweep.Resident` a line.

The format and its reader belong to :mod:`gridgov.sweep.residents_io` (every bad
line reported with file, line and field, all at once); the report re-exports them.
"""

from __future__ import annotations

from collections.abc import Iterable

from gridgov.sweep.model import Resident
from gridgov.sweep.residents_io import read_residents, read_residents_text
from gridgov.sweep.residents_io import residents_jsonl_text as _jsonl_text

__all__ = ["read_residents", "read_residents_text", "residents_jsonl_text"]


def residents_jsonl_text(residents: Iterable[Resident]) -> str:
    """One JSON object a line (personal data as given: mask before sharing)."""
    return _jsonl_text(residents, mask=False)
