"""Streaming import of visit files into a store, in batches of one transaction each.

Files are JSON Lines (``.jsonl``/``.ndjson``: one visit object a line, as
:func:`gridgov.serialize.unstructure` writes them) or CSV with a header
(``id,sweep,household,at`` required; ``visitor,outcome,persons_seen,
persons_registered,note`` optional). The file is read twice: first to check
every row (nothing is written when a row is bad: every error is reported with
its file, row and field), then to store it batch by batch. A batch is one
transaction, reported through ``on_batch`` only after it is committed, so a
killed import loses no acknowledged batch; running it again stores each visit
exactly once (visits are idempotent by id).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs

from gridgov.errors import InvalidInput, SourceError
from gridgov.serialize import structure
from gridgov.store.port import AppendResult, Store
from gridgov.sweep.model import Visit

CSV_REQUIRED = ("id", "sweep", "household", "at")
CSV_OPTIONAL = ("visitor", "outcome", "persons_seen", "persons_registered", "note")
_INTS = ("persons_seen", "persons_registered")


@attrs.frozen
class BatchReport:
    """One committed batch: its number, the file rows it covered and what the store did."""

    number: int
    first_row: int
    last_row: int
    result: AppendResult


def _is_jsonl(path: Path) -> bool:
    return path.suffix.lower() in (".jsonl", ".ndjson", ".json")


def _csv_rows(path: Path) -> Iterator[tuple[int, dict[str, Any] | SourceError]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames or []
        missing = [c for c in CSV_REQUIRED if c not in header]
        unknown = [c for c in header if c not in CSV_REQUIRED + CSV_OPTIONAL]
        if missing or unknown:
            what = []
            if missing:
                what.append("missing column(s) " + ", ".join(missing))
            if unknown:
                what.append("unknown column(s) " + ", ".join(unknown))
            yield 1, SourceError("; ".join(what), row=1, file=str(path))
            return
        for row in reader:
            data: dict[str, Any] = {k: v for k, v in row.items() if v not in (None, "")}
            for k in CSV_REQUIRED:
                data.setdefault(k, "")
            for k in _INTS:
                if k in data:
                    try:
                        data[k] = int(data[k])
                    except ValueError:
                        yield (
                            reader.line_num,
                            SourceError(
                                f"expected a whole number, got {data[k]!r}",
                                field=k,
                                row=reader.line_num,
                                file=str(path),
                            ),
                        )
                        break
            else:
                yield reader.line_num, data


def _jsonl_rows(path: Path) -> Iterator[tuple[int, dict[str, Any] | SourceError]]:
    with path.open(encoding="utf-8-sig") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                yield n, json.loads(line)
            except json.JSONDecodeError as exc:
                yield n, SourceError(f"not valid JSON: {exc.msg}", row=n, file=str(path))


def read_visits(path: str | Path) -> Iterator[tuple[int, Visit | SourceError]]:
    """``(row, visit)`` for every good row and ``(row, error)`` for every bad one, streaming."""
    p = Path(path)
    rows = _jsonl_rows(p) if _is_jsonl(p) else _csv_rows(p)
    for n, data in rows:
        if isinstance(data, SourceError):
            yield n, data
            continue
        try:
            yield n, structure(data, Visit, file=str(p))
        except InvalidInput as exc:
            for err in exc.errors:
                field = (err.field or "").removeprefix("$.") or None
                yield n, SourceError(err.message, field=field, row=n, file=str(p))


def check_visit_file(path: str | Path, *, max_errors: int = 100) -> int:
    """Check every row; returns the number of visits or raises :class:`InvalidInput`."""
    errors: list[SourceError] = []
    count = 0
    for _, item in read_visits(path):
        if isinstance(item, SourceError):
            errors.append(item)
            if len(errors) >= max_errors:
                break
        else:
            count += 1
    if errors:
        raise InvalidInput(errors)
    return count


def import_visits(
    store: Store,
    path: str | Path,
    *,
    batch_size: int = 5000,
    on_batch: Callable[[BatchReport], None] | None = None,
    check: bool = True,
) -> AppendResult:
    """Check ``path``, then append its visits in batches (one transaction each)."""
    if batch_size < 1:
        raise ValueError(f"batch size must be at least 1, got {batch_size}")
    if check:
        check_visit_file(path)
    total = AppendResult()
    batch: list[Visit] = []
    first = 0
    number = 0
    last = 0
    for n, item in read_visits(path):
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


def write_visits_jsonl(visits: Any, path: str | Path) -> int:
    """Write visits as JSON Lines (the import format); returns how many."""
    from gridgov.serialize import unstructure

    n = 0
    with Path(path).open("w", encoding="utf-8") as fh:
        for v in visits:
            fh.write(json.dumps(unstructure(v), ensure_ascii=False) + "\n")
            n += 1
    return n
