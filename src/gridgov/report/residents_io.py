"""Residents for follow-up: JSON Lines, one serialised :class:`~gridgov.sweep.Resident` a line.

Each line is what :func:`gridgov.serialize.unstructure` makes of a resident
(``{"id": ..., "household": ..., "isolation": {"start": ..., "end": ...},
"elderly": true, ...}``). Every bad line is reported (file, line, field), all at
once, and nothing is returned.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from gridgov.errors import InvalidInput, SourceError
from gridgov.serialize import structure, unstructure
from gridgov.sweep.model import Resident


def residents_jsonl_text(residents: Iterable[Resident]) -> str:
    """One JSON object a line (UTF-8 text, personal data as given: mask before sharing)."""
    return "".join(json.dumps(unstructure(r), ensure_ascii=False) + "\n" for r in residents)


def read_residents_text(text: str, *, file: str | None = None) -> list[Resident]:
    """The residents of a JSON Lines text; blank lines are skipped."""
    out: list[Resident] = []
    errors: list[SourceError] = []
    for row, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(SourceError(f"not JSON: {exc.msg}", row=row, file=file))
            continue
        if not isinstance(data, dict):
            errors.append(SourceError("expected a JSON object", row=row, file=file))
            continue
        try:
            out.append(structure(data, Resident))
        except InvalidInput as exc:
            errors += [SourceError(e.message, e.field, row=row, file=file) for e in exc.errors]
    if errors:
        raise InvalidInput(errors)
    return out


def read_residents(path: str | Path) -> list[Resident]:
    """The residents of a JSON Lines file (see the module docs)."""
    p = Path(path)
    try:
        text = p.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            [SourceError(f"not UTF-8 text (byte {exc.start})", file=str(p))]
        ) from None
    return read_residents_text(text, file=str(p))
