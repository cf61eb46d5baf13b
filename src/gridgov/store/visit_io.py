"""Streaming import of visit files into a store, in batches of one transaction each.

Files are in the one visit format (:mod:`gridgov.sweep.visit_format`): CSV or
JSON Lines (``.jsonl``/``.ndjson``/``.json``). ``sweep`` names the sweep of
rows without one. The file is read twice: first to check every row (nothing
is written when a row is bad: every error is reported with its file, row and
field), then to store it batch by batch. A batch is one transaction, reported
through ``on_batch`` only after it is committed, so a killed import loses no
acknowledged batch; running it again stores nothing twice (what becomes of
each visit is the intake's decision, :mod:`gridgov.sweep.intake`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import attrs

from gridgov.errors import InvalidInput, SourceError
from gridgov.store.port import AppendResult, Store
from gridgov.sweep.model import Visit
from gridgov.sweep.visit_format import check_visits, iter_visits, visits_jsonl_text


@attrs.frozen
class BatchReport:
    """One committed batch: its number, the file rows it covered and what the store did."""

    number: int
    first_row: int
    last_row: int
    result: AppendResult


def check_visit_file(path: str | Path, *, sweep: str | None = None) -> int:
    """Check every row; returns the number of visits or raises :class:`InvalidInput`."""
    return check_visits(path, sweep=sweep)


def import_visits(
    store: Store,
    path: str | Path,
    *,
    batch_size: int = 5000,
    on_batch: Callable[[BatchReport], None] | None = None,
    check: bool = True,
    sweep: str | None = None,
) -> AppendResult:
    """Check ``path``, then append its visits in batches (one transaction each)."""
    if batch_size < 1:
        raise ValueError(f"batch size must be at least 1, got {batch_size}")
    if check:
        check_visit_file(path, sweep=sweep)
    total = AppendResult()
    batch: list[Visit] = []
    first = 0
    number = 0
    last = 0
    for n, item in iter_visits(path, sweep=sweep):
        if isinstance(item, SourceError):
            raise InvalidInput([item])
        if not batch:
            first = n
        batch.append(item)
        last = n
        if len(batch) >= batch_size:
            number += 1
            result = store.append_visits(batch)
            total += result
            if on_batch is not None:
                on_batch(BatchReport(number, first, last, result))
            batch = []
    if batch:
        number += 1
        result = store.append_visits(batch)
        total += result
        if on_batch is not None:
            on_batch(BatchReport(number, first, last, result))
    return total


def write_visits_jsonl(visits: Iterable[Visit], path: str | Path) -> int:
    """Write visits as JSON Lines in the one visit format; returns how many."""
    items: list[Any] = list(visits)
    Path(path).write_text(visits_jsonl_text(items), encoding="utf-8")
    return len(items)
