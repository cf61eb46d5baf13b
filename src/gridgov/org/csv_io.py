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

Extra columns are typed by :mod:`gridgov.numbers`: a column named in ``text``
is text; a column named in ``numeric`` must hold numbers (a cell that is not
is an error naming file, row and column); any other column is numeric only
when every non-empty cell is a plain number (no leading zero, no leading
``+``), so a postcode ``030100`` or a phone prefix ``0351`` stays text, kept
exactly as given. ``text`` wins over ``numeric`` (so ``text=["households"]``
overrides the default list). An empty cell means "no value". Numbers follow
the one grammar of :mod:`gridgov.numbers` (``1_000`` or ``４５０００`` are not
numbers). The file is decoded by :mod:`gridgov.utf8`.

CSV written by :func:`write_csv_text` neutralises formula-like text cells
(:mod:`gridgov.csvsafe`) unless ``raw=True``.

Attribute columns and their names
---------------------------------
Any attribute name round-trips, whatever it is. A column header is the
attribute's name as is when it is *plain*: not one of the columns above
(:data:`RESERVED`), no surrounding spaces, not starting with ``attr:`` or
``text:``. Otherwise the writer escapes it:

- ``attr:NAME`` is the attribute ``NAME`` (so an attribute called ``name``,
  ``level``, ``parent``, ``id`` or ``party_kind`` is the column ``attr:name``,
  ``attr:party_kind``..., never the unit's own name or party organisation);
- ``text:NAME`` is the attribute ``NAME`` read as text whatever its cells hold
  (written for a text attribute whose values would otherwise read back as
  numbers, such as a ``zip`` of ``100``, or a text ``households``).

In ``NAME`` after a prefix, ``%``, spaces and other invisible characters are
written ``%XX`` (their UTF-8 bytes, as in URLs) and read back. Two columns
naming one attribute (``note`` and ``attr:note``) are an error. A column
that mixes numbers and texts across units reads back as text, and an empty
text as no value: a CSV cell has no other way to say it (JSON and GraphML
keep both).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO
from urllib.parse import unquote

from gridgov.bulk import paused_gc
from gridgov.csvrows import DIALECT, csv_error, header_errors, shown_name
from gridgov.csvsafe import neutralise_row
from gridgov.engine import Engine, use_columnar
from gridgov.errors import HierarchyError, InvalidInput, SourceProblem
from gridgov.numbers import ColumnKind, type_column
from gridgov.org.hierarchy import Hierarchy
from gridgov.org.levels import DEFAULT_LEVELS, Levels
from gridgov.org.unit import AttrValue, PartyOrg, Unit
from gridgov.org.validate import check_columns
from gridgov.privacy import mask_name
from gridgov.utf8 import read_utf8

REQUIRED = ("id", "parent", "level")
BASE = ("id", "parent", "level", "name")
PARTY = ("party_kind", "party_name", "party_secretary")
RESERVED = frozenset(BASE + PARTY)

ATTR_PREFIX = "attr:"
"""Header prefix of an attribute column whose name is not plain (see the module docs)."""
TEXT_PREFIX = "text:"
"""Header prefix of an attribute column read as text whatever it holds."""

DEFAULT_NUMERIC = frozenset(
    {"households", "residents", "population", "party_members", "floors", "cadres", "volunteers"}
)
"""Columns that must hold numbers when present."""


def read_csv_text(
    text: str,
    *,
    file: str | None = None,
    levels: Levels = DEFAULT_LEVELS,
    numeric: Iterable[str] = DEFAULT_NUMERIC,
    text_columns: Iterable[str] = (),
    relations: str | None = None,
    relations_file: str | None = None,
) -> Hierarchy:
    """Parse CSV ``text`` into a validated hierarchy; every problem is reported together.

    ``numeric`` names columns that must hold numbers, ``text_columns`` columns
    kept as text whatever they hold (see the module docs). ``relations`` is the
    text of the companion relations CSV, if any
    (:func:`gridgov.org.relations_csv.relations_csv_text` writes it).
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    kinds = column_kinds(numeric, text_columns)
    with paused_gc():
        tree = _read(io.StringIO(text, newline=""), file=file, levels=levels, kinds=kinds)
    if relations is not None:
        from gridgov.org.relations_csv import apply_relations_csv_text

        apply_relations_csv_text(tree, relations, file=relations_file)
    return tree


def column_kinds(numeric: Iterable[str], text_columns: Iterable[str]) -> dict[str, ColumnKind]:
    """Declared kinds of columns: ``numeric`` ones, then ``text_columns`` (text wins)."""
    kinds = dict.fromkeys(numeric, ColumnKind.NUMBER)
    kinds.update(dict.fromkeys(text_columns, ColumnKind.TEXT))
    return kinds


def _escape(name: str) -> str:
    return "".join(
        "".join(f"%{b:02X}" for b in c.encode())
        if c == "%" or not c.isprintable() or c.isspace()
        else c
        for c in name
    )


def is_plain_attribute(name: str) -> bool:
    """Whether attribute ``name`` is written as its own column header (see the module docs)."""
    return (
        name not in RESERVED
        and name == name.strip()
        and not name.startswith((ATTR_PREFIX, TEXT_PREFIX))
    )


def attribute_header(name: str, *, text: bool = False) -> str:
    """The column header of attribute ``name`` (``text``: read back as text whatever it holds)."""
    if text:
        return TEXT_PREFIX + _escape(name)
    return name if is_plain_attribute(name) else ATTR_PREFIX + _escape(name)


def attribute_columns(
    header: Sequence[str], kinds: dict[str, ColumnKind], *, file: str | None
) -> tuple[list[tuple[int, str, ColumnKind]], list[SourceProblem]]:
    """``(column index, attribute name, kind)`` of every attribute column of ``header``.

    The inverse of :func:`attribute_header`; a name given twice, empty or
    holding a NUL is an error at row 1. Both CSV readers (this module's and
    :mod:`gridgov.org.columnar_csv`) take their attribute columns from here.
    """
    out: list[tuple[int, str, ColumnKind]] = []
    errors: list[SourceProblem] = []
    seen: dict[str, str] = {}
    for i, cell in enumerate(header):
        if cell in RESERVED:
            continue
        forced: ColumnKind | None = None
        name = cell
        if cell.startswith(TEXT_PREFIX):
            name, forced = unquote(cell[len(TEXT_PREFIX) :]), ColumnKind.TEXT
        elif cell.startswith(ATTR_PREFIX):
            name = unquote(cell[len(ATTR_PREFIX) :])
        if not name or "\x00" in name:
            errors.append(
                SourceProblem(
                    "empty attribute name or a NUL in it", field=shown_name(cell), row=1, file=file
                )
            )
            continue
        if name in seen:
            errors.append(
                SourceProblem(
                    f"attribute {shown_name(name)!r} given twice"
                    f" (columns {shown_name(seen[name])!r} and {shown_name(cell)!r})",
                    field=shown_name(cell),
                    row=1,
                    file=file,
                )
            )
            continue
        seen[name] = cell
        out.append((i, name, forced or kinds.get(name, ColumnKind.INFER)))
    return out, errors


def read_csv(
    path: str | Path,
    *,
    levels: Levels = DEFAULT_LEVELS,
    numeric: Iterable[str] = DEFAULT_NUMERIC,
    text_columns: Iterable[str] = (),
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

    tree = _read_tree_csv(
        path, levels=levels, numeric=numeric, text_columns=text_columns, engine=engine
    )
    rel = Path(relations) if relations is not None else companion_path(path)
    if relations is not None or rel.exists():
        read_relations_csv(tree, rel)
    return tree


def _read_tree_csv(
    path: str | Path,
    *,
    levels: Levels,
    numeric: Iterable[str],
    text_columns: Iterable[str] = (),
    engine: Engine = "auto",
) -> Hierarchy:
    p = Path(path)
    if use_columnar(engine, p.stat().st_size):
        from gridgov.org.columnar_csv import read_columns

        tree = read_columns(p, levels=levels, numeric=numeric, text_columns=text_columns)
        if tree is not None:
            return tree
    return read_csv_text(
        read_utf8(p), file=str(p), levels=levels, numeric=numeric, text_columns=text_columns
    )


def _read(
    fh: IO[str], *, file: str | None, levels: Levels, kinds: dict[str, ColumnKind]
) -> Hierarchy:
    reader = csv.reader(fh, **DIALECT)  # type: ignore[arg-type]
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise InvalidInput([SourceProblem("empty file: no header row", row=1, file=file)]) from None
    except csv.Error as exc:
        raise InvalidInput([csv_error(exc, row=1, file=file)]) from None
    errors: list[SourceProblem] = []
    for name in REQUIRED:
        if name not in header:
            errors.append(SourceProblem("missing column", field=name, row=1, file=file))
    errors += header_errors(header, file=file)
    if errors:
        raise InvalidInput(errors)
    attr_cols, errors = attribute_columns(header, kinds, file=file)
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
                    SourceProblem(
                        f"expected {width} fields, found {len(record)}", row=start, file=file
                    )
                )
                continue
            records.append(record)
            starts.append(start)
    except csv.Error as exc:
        errors.append(csv_error(exc, row=last + 1, file=file))
    if not records and not errors:
        errors.append(SourceProblem("no units: the file has a header row only", row=2, file=file))

    # Pass 2: extra columns, typed column by column (gridgov.numbers owns the rule).
    n = len(records)
    attrs_of: list[dict[str, AttrValue] | None] = [None] * n
    for col, name, kind in attr_cols:
        values, bad = type_column([r[col] for r in records], kind)
        for k, message in bad:
            errors.append(SourceProblem(message, field=header[col], row=starts[k], file=file))
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


def _needs_text_marker(tree: Hierarchy, name: str) -> bool:
    """Whether text attribute ``name`` would not read back as text under the default kinds."""
    values = [v for u in tree if (v := u.attributes.get(name)) is not None]
    if not values or not all(isinstance(v, str) for v in values):
        return False
    if name in DEFAULT_NUMERIC:
        return True
    filled = [v for v in values if v != ""]
    typed, _ = type_column([str(v) for v in filled], ColumnKind.INFER)
    return typed != filled


def write_csv_text(tree: Hierarchy, *, mask: bool = True, raw: bool = False) -> str:
    """``tree`` as CSV text; party secretaries masked unless ``mask=False``.

    Lines end in CRLF (RFC 4180), so that a bare CR inside a value is quoted too.
    Formula-like text cells get a leading ``'`` (:mod:`gridgov.csvsafe`) unless
    ``raw=True``; use ``raw=True`` for a file meant to be read back.
    """
    extra = sorted({k for u in tree for k in u.attributes})
    has_party = any(u.party is not None for u in tree)
    header = list(BASE) + (list(PARTY) if has_party else [])
    header += [attribute_header(k, text=_needs_text_marker(tree, k)) for k in extra]
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
        writer.writerow(neutralise_row(row, raw=raw))
    return out.getvalue()


def write_csv(tree: Hierarchy, path: str | Path, *, mask: bool = True, raw: bool = False) -> None:
    """Write ``tree`` to a CSV file atomically (see :func:`write_csv_text`), and its relations.

    The relations go to the companion file beside ``path``; when ``tree`` has
    none and an older companion is there, it is emptied (a header only) so that
    reading ``path`` back gives ``tree``. Both files are neutralised alike
    unless ``raw``.
    """
    from gridgov.fsutil import atomic_write_text
    from gridgov.org.relations_csv import companion_path, has_relations, relations_csv_text

    atomic_write_text(Path(path), write_csv_text(tree, mask=mask, raw=raw))
    rel = companion_path(path)
    if has_relations(tree) or rel.exists():
        atomic_write_text(rel, relations_csv_text(tree, raw=raw))
