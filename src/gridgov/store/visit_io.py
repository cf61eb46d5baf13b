"""Streaming import of visit files into a store, in batches of one transaction each.

Files are in the one visit format (:mod:`gridgov.sweep.visit_format`): CSV or
JSON Lines (``.jsonl``/``.ndjson``/``.json``). ``sweep`` names the sweep of
rows without one. Every row is checked first (nothing is written when a row is
bad: every error is reported with its file, row and field), then the visits are
stored batch by batch. A file of at most :data:`KEEP` visits is read once (the
checked visits are kept in memory); a bigger one is read again to be stored,
so memory stays bounded. A batch is one transaction, reported
through ``on_batch`` only after it is committed, so a killed import loses no
acknowledged batch; running it again stores nothing twice (what becomes of
each visit is the intake's decision, :mod:`gridgov.sweep.intake`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import attrs

from gridgov.engine import Engine, use_columnar
from gridgov.errors import InvalidInput, SourceProblem
from gridgov.store.port import AppendResult, Store, VisitOutbox
from gridgov.sweep.model import Visit
from gridgov.sweep.visit_format import checked_visits, is_jsonl, iter_visits, visits_jsonl_text

KEEP = 250_000
"""The most visits an import keeps from its check pass instead of reading the file again."""
BATCH = 50_000
"""Visits per transaction by default. Each commit writes every page it dirtied (the
household index is dirtied all over by any batch) and waits for the disk: 1M visits
into SQLite took 12.9 CPU s in batches of 5000, 9.0 in batches of 50,000."""


@attrs.frozen
class CheckedFile:
    """A visit file whose every row was checked: how many visits, and (small files) them."""

    path: str
    sweep: str | None
    count: int
    visits: list[tuple[int, Visit]] | None
    """``(row, visit)`` of every visit, or ``None`` when the file was too big to keep."""
    columns: Any = None
    """The visits in columns (:class:`gridgov.store.visit_columns.VisitColumns`) when the
    columnar engine read the file; stores with ``append_columns`` take them in bulk."""


@attrs.frozen
class BatchReport:
    """One committed batch: its number, the file rows it covered and what the store did."""

    number: int
    first_row: int
    last_row: int
    result: AppendResult


def check_visit_file(path: str | Path, *, sweep: str | None = None) -> int:
    """Check every row; returns the number of visits or raises :class:`InvalidInput`."""
    return check_file(path, sweep=sweep, keep=0).count


def check_file(
    path: str | Path, *, sweep: str | None = None, keep: int = KEEP, engine: Engine = "auto"
) -> CheckedFile:
    """Check every row (or raise :class:`InvalidInput`), keeping up to ``keep`` visits.

    With the columnar engine (``engine``, :func:`gridgov.engine.use_columnar`) a plain
    CSV is read and checked in columns (:mod:`gridgov.store.visit_columns`); any other
    file, or one with a bad row, is read by the reference reader, which names every error.
    """
    if keep > 0 and not is_jsonl(path) and use_columnar(engine, _size(path)):
        from gridgov.store.visit_columns import read_visit_columns

        columns = read_visit_columns(path, sweep=sweep)
        if columns is not None:
            return CheckedFile(str(path), sweep, len(columns), None, columns)
    count, visits = checked_visits(path, sweep=sweep, keep=keep)
    return CheckedFile(str(path), sweep, count, visits)


def _size(path: str | Path) -> int:
    try:
        return Path(path).stat().st_size
    except OSError:
        return 0  # the reader says what is wrong


def import_visits(
    store: Store,
    path: str | Path,
    *,
    batch_size: int = BATCH,
    on_batch: Callable[[BatchReport], None] | None = None,
    check: bool = True,
    sweep: str | None = None,
    checked: CheckedFile | None = None,
    engine: Engine = "auto",
    outbox: VisitOutbox | None = None,
) -> AppendResult:
    """Check ``path``, then append its visits in batches (one transaction each).

    ``checked`` (from :func:`check_file` of the same path and sweep) stands for the
    check; ``check=False`` skips it (the caller checked the file). A file the columnar
    engine read (``engine``, see :func:`check_file`) goes to a store's ``append_columns``
    in bulk, batch by batch as well; other stores read it again. ``outbox`` makes each
    batch's events, enqueued in the batch's transaction (:meth:`Store.append_visits`).
    """
    if batch_size < 1:
        raise ValueError(f"batch size must be at least 1, got {batch_size}")
    if checked is None and check:
        checked = check_file(path, sweep=sweep, engine=engine)
    if checked is not None and checked.columns is not None:
        append = getattr(store, "append_columns", None)
        if append is not None:
            return _append_columns(append, checked.columns, batch_size, on_batch, outbox)
    if checked is not None and checked.visits is not None:
        return _append_kept(store, checked.visits, batch_size, on_batch, outbox)
    total = AppendResult()
    batch: list[Visit] = []
    first = 0
    number = 0
    last = 0
    for n, item in iter_visits(path, sweep=sweep):
        if isinstance(item, SourceProblem):
            raise InvalidInput([item])
        if not batch:
            first = n
        batch.append(item)
        last = n
        if len(batch) >= batch_size:
            number += 1
            result = store.append_visits(batch, outbox=outbox)
            total += result
            if on_batch is not None:
                on_batch(BatchReport(number, first, last, result))
            batch = []
    if batch:
        number += 1
        result = store.append_visits(batch, outbox=outbox)
        total += result
        if on_batch is not None:
            on_batch(BatchReport(number, first, last, result))
    return total


def _append_columns(
    append: Callable[..., AppendResult],
    columns: Any,
    batch_size: int,
    on_batch: Callable[[BatchReport], None] | None,
    outbox: VisitOutbox | None,
) -> AppendResult:
    """Append checked columns in batches (one transaction each), as :func:`_append_kept`."""
    total = AppendResult()
    for number, lo in enumerate(range(0, len(columns), batch_size), start=1):
        hi = min(lo + batch_size, len(columns))
        result = append(columns, lo, hi, outbox=outbox)
        total += result
        if on_batch is not None:
            on_batch(BatchReport(number, columns.file_row(lo), columns.file_row(hi - 1), result))
    return total


def _append_kept(
    store: Store,
    visits: list[tuple[int, Visit]],
    batch_size: int,
    on_batch: Callable[[BatchReport], None] | None,
    outbox: VisitOutbox | None,
) -> AppendResult:
    """Append checked ``(row, visit)`` pairs in batches (one transaction each)."""
    total = AppendResult()
    for number, start in enumerate(range(0, len(visits), batch_size), start=1):
        part = visits[start : start + batch_size]
        result = store.append_visits([v for _, v in part], outbox=outbox)
        total += result
        if on_batch is not None:
            on_batch(BatchReport(number, part[0][0], part[-1][0], result))
    return total


def write_visits_jsonl(visits: Iterable[Visit], path: str | Path) -> int:
    """Write visits as JSON Lines in the one visit format; returns how many."""
    items: list[Any] = list(visits)
    Path(path).write_text(visits_jsonl_text(items), encoding="utf-8")
    return len(items)
