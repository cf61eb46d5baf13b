"""CSV import/export of a hierarchy.

Columns ``id,parent,level,name`` plus any extra columns as attributes; rows in any
order; an empty ``parent`` marks the root. UTF-8 with or without a BOM, CRLF or
LF line ends, quoted fields (with commas and newlines inside) all read. The
optional columns ``party_kind``, ``party_name`` and ``party_secretary`` give the
unit's party organisation.

The relations beside the tree (central households, government-unit pairings)
live in a companion file, ``county.relations.csv`` beside ``county.csv``
(:mod:`gridgov.org.relations_csv`): :func:`read_csv` reads it when it is there,
:func:`write_csv` writes it, so ``read_csv(write_csv(tree))`` keeps them.

An extra column is numeric when every non-empty cell in it is a number; columns
named in ``numeric`` must be numeric, and a cell that is not is an error naming
file, row and column. An empty cell means "no value".
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from gridgov.bulk import paused_gc
from gridgov.engine import Engine, use_columnar
from gridgov.errors import HierarchyError, InvalidInput, SourceError
from gridgov.org.hierarchy import Hierarchy
from gridgov.org.levels import DEFAULT_LEVELS, Levels
from gridgov.org.unit import AttrValue, PartyOrg, Unit
from gridgov.org.validate import check_columns
from gridgov.privacy import mask_name

REQUIRED = ("id", "parent", "level")
BASE = ("id", "parent", "level", "name")
PARTY = ("party_kind", "party_name", "party_secretary")
RESERVED = frozenset(BASE + PARTY)

DEFAULT_NUMERIC = frozenset(
    {"households", "residents", "population", "party_members", "floors", "cadres", "volunteers"}
)
"""Columns that must hold numbers when present."""


def _number(text: str) -> int | float | None:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def read_csv_text(
    text: str,
    *,
    file: str | None = None,
    levels: Levels = DEFAULT_LEVELS,
    numeric: Iterable[str] = DEFAULT_NUMERIC,
    relations: str | None = None,
    relations_file: str | None = None,
) -> Hierarchy:
    """Parse CSV ``text`` into a validated hierarchy; every problem is reported together.

    ``relations`` is the text of the companion relations CSV, if any
    (:func:`gridgov.org.relations_csv.relations_csv_text` writes it).
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    with paused_gc():
        tree = _read(io.StringIO(text, newline=""), file=file, levels=levels, numeric=numeric)
    if relations is not None:
        from gridgov.org.relations_csv import apply_relations_csv_text

        apply_relations_csv_text(tree, relations, file=relations_file)
    return tree


def read_csv(
    path: str | Path,
    *,
    levels: Levels = DEFAULT_LEVELS,
    numeric: Iterable[str] = DEFAULT_NUMERIC,
    relations: str | Path | None = None,
    engine: Engine = "auto",
) -> Hierarchy:
    """Read a hierarchy from a CSV file (see the module docs for the format).

    The relations come from ``relations`` when given, else from the companion
    file beside ``path`` when there is one. ``engine`` picks the pure-Python
    reader or the columnar fast path (:mod:`gridgov.org.columnar_csv`;
    ``"auto"``: columnar for large files when installed); both give the same
    tree and the same errors.
    """
    from gridgov.org.relations_csv import companion_path, read_relations_csv

    tree = _read_tree_csv(path, levels=levels, numeric=numeric, engine=engine)
    rel = Path(relations) if relations is not None else companion_path(path)
    if relations is not None or rel.exists():
        read_relations_csv(tree, rel)
    return tree


def _read_tree_csv(
    path: str | Path, *, levels: Levels, numeric: Iterable[str], engine: Engine = "auto"
) -> Hierarchy:
    p = Path(path)
    if use_columnar(engine, p.stat().st_size):
        from gridgov.org.columnar_csv import read_columns

        tree = read_columns(p, levels=levels, numeric=numeric)
        if tree is not None:
            return tree
    data = p.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InvalidInput(
            [SourceError(f"not UTF-8 text (byte {exc.start})", row=line, file=str(p))]
        ) from None
    return read_csv_text(text, file=str(p), levels=levels, numeric=numeric)


def _read(fh: IO[str], *, file: str | None, levels: Levels, numeric: Iterable[str]) -> Hierarchy:
    reader = csv.reader(fh)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise InvalidInput([SourceError("empty file: no header row", row=1, file=file)]) from None
    except csv.Error as exc:
        raise InvalidInput([SourceError(f"malformed CSV: {exc}", row=1, file=file)]) from None
    errors: list[SourceError] = []
    for name in REQUIRED:
        if name not in header:
            errors.append(SourceError("missing column", field=name, row=1, file=file))
    seen: set[str] = set()
    for name in header:
        if not name:
            errors.append(SourceError("empty column name", row=1, file=file))
        elif name in seen:
            errors.append(SourceError("column appears twice", field=name, row=1, file=file))
        seen.add(name)
    if errors:
        raise InvalidInput(errors)

    where = {name: i for i, name in enumerate(header)}
    width = len(header)

    # Pass 1: records with their starting line numbers (a quoted field may span lines).
    records: list[list[str]] = []
    starts: list[int] = []
    last = reader.line_num
    try:
        for record in reader:
            start = last + 1
            last = reader.line_num
            if len(record) != width:
                if not record or (len(record) == 1 and not record[0].strip()):
                    continue  # blank line
                errors.append(
                    SourceError(
                        f"expected {width} fields, found {len(record)}", row=start, file=file
                    )
                )
                continue
            records.append(record)
            starts.append(start)
    except csv.Error as exc:
        errors.append(SourceError(f"malformed CSV: {exc}", row=last + 1, file=file))

    # Pass 2: extra columns, parsed column by column. A column is numeric when every
    # non-empty cell is a number; a column named in ``numeric`` must be.
    must = set(numeric)
    n = len(records)
    attrs_of: list[dict[str, AttrValue] | None] = [None] * n
    for name, col in where.items():
        if name in RESERVED:
            continue
        cells = [r[col] for r in records]
        parsed: list[int | float | None] = []
        bad: list[int] = []
        for k, cell in enumerate(cells):
            if cell == "":
                parsed.append(None)
                continue
            value = _number(cell)
            if value is None:
                bad.append(k)
            parsed.append(value)
        if bad and name not in must:
            values: list[AttrValue | None] = [c if c != "" else None for c in cells]
        else:
            values = list[AttrValue | None](parsed)
            for k in bad:
                errors.append(
                    SourceError(f"not a number: {cells[k]!r}", field=name, row=starts[k], file=file)
                )
        for k, item in enumerate(values):
            if item is not None:
                d = attrs_of[k]
                if d is None:
                    d = attrs_of[k] = {}
                d[name] = item

    i_id, i_parent, i_level = where["id"], where["parent"], where["level"]
    i_name = where.get("name")
    i_kind, i_pname, i_sec = (where.get(c) for c in PARTY)
    trusted = Unit.trusted
    units: list[Unit] = []
    append = units.append
    for k, r in enumerate(records):
        party = None
        if i_kind is not None and r[i_kind].strip():
            party = PartyOrg(
                r[i_kind].strip(),
                r[i_pname] if i_pname is not None else "",
                r[i_sec] if i_sec is not None else "",
            )
        append(
            trusted(
                r[i_id].strip(),
                r[i_level].strip(),
                r[i_name] if i_name is not None else "",
                attrs_of[k] or {},
                party,
            )
        )
    parents = [r[i_parent].strip() or None for r in records]
    checked = check_columns(units, parents, levels, starts, file)
    errors.extend(checked.errors)
    if errors:
        errors.sort(key=lambda e: (e.row is None, e.row or 0))
        raise HierarchyError(errors)
    return Hierarchy.from_checked(checked, levels=levels)


def _cell(value: AttrValue | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def write_csv_text(tree: Hierarchy, *, mask: bool = True) -> str:
    """``tree`` as CSV text; party secretaries masked unless ``mask=False``.

    Lines end in CRLF (RFC 4180), so that a bare CR inside a value is quoted too.
    """
    extra = sorted({k for u in tree for k in u.attributes})
    has_party = any(u.party is not None for u in tree)
    header = list(BASE) + (list(PARTY) if has_party else []) + extra
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    parent = tree.parent_map()
    for u in tree:
        row = [u.id, parent[u.id] or "", u.level, u.name]
        if has_party:
            if u.party is None:
                row += ["", "", ""]
            else:
                sec = mask_name(u.party.secretary) if mask else u.party.secretary
                row += [u.party.kind, u.party.name, sec]
        attrs = u.attributes
        row += [_cell(attrs.get(k)) for k in extra]
        writer.writerow(row)
    return out.getvalue()


def write_csv(tree: Hierarchy, path: str | Path, *, mask: bool = True) -> None:
    """Write ``tree`` to a CSV file atomically (see :func:`write_csv_text`), and its relations.

    The relations go to the companion file beside ``path``; when ``tree`` has
    none and an older companion is there, it is emptied (a header only) so that
    reading ``path`` back gives ``tree``.
    """
    from gridgov.fsutil import atomic_write_text
    from gridgov.org.relations_csv import companion_path, has_relations, relations_csv_text

    atomic_write_text(Path(path), write_csv_text(tree, mask=mask))
    rel = companion_path(path)
    if has_relations(tree) or rel.exists():
        atomic_write_text(rel, relations_csv_text(tree))
