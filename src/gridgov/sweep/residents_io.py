"""Residents as JSON Lines: one :class:`~gridgov.sweep.model.Resident` object a line.

Each line is the resident as the library's converter writes it
(``{"id": ..., "household": ..., "isolation": {"start": "2020-02-08", "end": ...},
"elderly": false, ...}``); unknown keys and wrong types are errors naming the
line and the field. Names and ID numbers are personal data: :func:`residents_jsonl_text`
masks them unless ``mask=False``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import attrs

from gridgov.documents import json_line
from gridgov.errors import InvalidInput, SourceProblem
from gridgov.privacy import mask_name
from gridgov.serialize import structure, unstructure
from gridgov.sweep.model import Resident


def residents_jsonl_text(residents: Iterable[Resident], *, mask: bool = True) -> str:
    """The residents as JSON Lines text (names and ID numbers masked unless ``mask=False``)."""
    lines = []
    for r in residents:
        if mask and (r.name or r.id_number):
            r = attrs.evolve(r, name=mask_name(r.name) if r.name else "", id_number="")
        lines.append(json.dumps(unstructure(r), ensure_ascii=False, separators=(",", ":")))
    return "".join(line + "\n" for line in lines)


def read_residents_text(text: str, *, file: str | None = None) -> list[Resident]:
    """Residents from JSON Lines text; every bad line is reported together."""
    out: list[Resident] = []
    errors: list[SourceProblem] = []
    seen: dict[str, int] = {}
    for n, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        if not line.strip():
            continue
        data = json_line(line, row=n, file=file)
        if isinstance(data, SourceProblem):
            errors.append(data)
            continue
        if not isinstance(data, dict):
            errors.append(SourceProblem("expected a JSON object", row=n, file=file))
            continue
        try:
            resident = structure(data, Resident, file=file)
        except InvalidInput as exc:
            errors.extend(attrs.evolve(e, row=n) for e in exc.errors)
            continue
        if resident.id in seen:
            errors.append(
                SourceProblem(
                    f"resident {resident.id!r} appears twice (first on line {seen[resident.id]})",
                    field="id",
                    row=n,
                    file=file,
                )
            )
            continue
        seen[resident.id] = n
        out.append(resident)
    if errors:
        raise InvalidInput(errors)
    return out


def read_residents(path: str | Path) -> list[Resident]:
    """Read a residents JSON Lines file (see the module docs)."""
    from gridgov.utf8 import read_utf8

    p = Path(path)
    text = read_utf8(p)  # the located decoder of every reader (a NUL, UTF-16, ... refused)
    return read_residents_text(text, file=str(p))


def write_residents(residents: Iterable[Resident], path: str | Path, *, mask: bool = True) -> None:
    """Write residents as JSON Lines, atomically."""
    from gridgov.fsutil import atomic_write_text

    atomic_write_text(Path(path), residents_jsonl_text(residents, mask=mask))
