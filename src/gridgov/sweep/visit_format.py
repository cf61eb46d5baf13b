"""The one visit file format, in CSV and JSON Lines, and its one streaming reader.

Every command and store that reads visits reads this format; ``gridgov demo``
writes it. Fields (CSV columns or JSON keys, in any order):

========================  =========  =================================================
field                     required   meaning
========================  =========  =================================================
``id``                    yes        the upload's id (the same id sent again is one visit)
``household``             yes        the household visited
``at``                    yes        ISO 8601 time (``2020-02-10T09:30:00+08:00``)
``sweep``                 no         the sweep; empty or absent: the reader's ``sweep=``
``visitor``               no         who knocked
``outcome``               no         ``verified`` (default when the field is absent),
                                     ``partly-verified``, ``not-at-home``, ``refused``,
                                     ``vacant-confirmed``, ``no-access``
``persons``               no         persons seen *and* registered (shorthand)
``persons_seen``          no         persons seen (wins over ``persons``)
``persons_registered``    no         persons registered (wins over ``persons``)
``returnees``             no         returnees registered on this visit
``note``                  no         free text
``residents_seen``        no         ids of residents seen (CSV: separated by ``;``)
========================  =========  =================================================

Field names are read like enumerated values: case-insensitive, ``-``, ``_``
or a space between words (``Persons Seen`` is ``persons_seen``). Outcomes are
read by :mod:`gridgov.spelling` (``Not at home``, ``NOT_AT_HOME``) and written
canonically. Counts are whole numbers >= 0 (empty = 0). An empty ``outcome``
in a file that has the field is an error, never a silent ``verified``. Counts are
read by the one number grammar (:mod:`gridgov.numbers`; ``+3`` and ``007`` are
counts, ``１``, ``٣`` and ``1_000`` are not). Ids,
households, visitors and notes are kept exactly as given.

JSON Lines (``.jsonl``, ``.ndjson`` or ``.json``): one object a line with the
same fields; counts may be JSON numbers, ``residents_seen`` a list of texts,
``null`` means absent. Blank lines are skipped. Each line is parsed strictly
(:func:`gridgov.documents.json_line`: no ``NaN``/``Infinity``, no number out
of range, no key twice), and a text holding ``\\u0000`` is an error at its
field (no store can keep a NUL; PostgreSQL refuses it).

:func:`iter_visits` streams ``(row, Visit | SourceProblem)`` pairs from a path,
an open text file or (:func:`iter_visits_text`) a string; :func:`read_visits`
and :func:`read_visits_text` return every visit or raise
:class:`~gridgov.errors.InvalidInput` with every error (the first 100). Rows
are numbered as a text editor numbers lines (the header is row 1 of a CSV).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from gridgov import csvrows
from gridgov.csvrows import DIALECT, csv_error, shown_name
from gridgov.documents import json_line
from gridgov.errors import InvalidInput, SourceProblem
from gridgov.numbers import NumberError, is_number, parse_number
from gridgov.serialize import unstructure
from gridgov.spelling import lookup_enum, unknown_message
from gridgov.sweep.model import Outcome, Visit

REQUIRED = ("id", "household", "at")
OPTIONAL = (
    "sweep",
    "visitor",
    "outcome",
    "persons",
    "persons_seen",
    "persons_registered",
    "returnees",
    "note",
    "residents_seen",
)
FIELDS = REQUIRED + OPTIONAL
WRITTEN = (
    "id",
    "sweep",
    "household",
    "at",
    "visitor",
    "outcome",
    "persons_seen",
    "persons_registered",
    "returnees",
    "note",
    "residents_seen",
)
"""The columns :func:`visits_csv_text` writes, in this order."""
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
MAX_ERRORS = 100
COUNT_SPACES = " \t"
"""What is stripped around a count's text: ASCII spaces and tabs, as around any number of a
declared numeric column (:mod:`gridgov.numbers`)."""
RESIDENT_SEPARATOR = ";"


class ErrorList:
    """Collects errors of one input, keeping the first :data:`MAX_ERRORS` and counting the rest."""

    def __init__(self, file: str | None) -> None:
        self.file = file
        self.items: list[SourceProblem] = []
        self.more = 0

    def add(self, message: str, field: str | None, row: int | None) -> None:
        """Record one error."""
        if len(self.items) < MAX_ERRORS:
            self.items.append(SourceProblem(message, field=field, row=row, file=self.file))
        else:
            self.more += 1

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        """Raise :class:`InvalidInput` with every error recorded, if any."""
        if self.items:
            items = list(self.items)
            if self.more:
                items.append(SourceProblem(f"... and {self.more} more errors", file=self.file))
            raise InvalidInput(items)


def field_key(name: str) -> str:
    """A field name as the format spells it (``Persons-Seen`` -> ``persons_seen``)."""
    return "_".join(name.replace("-", " ").replace("_", " ").lower().split())


def is_jsonl(path: str | Path) -> bool:
    """Whether ``path`` names a JSON Lines file (by its suffix)."""
    return Path(path).suffix.lower() in JSONL_SUFFIXES


def header_positions(header: Sequence[str], file: str | None) -> dict[str, int]:
    """``{field: column}`` of a CSV header; unknown, repeated or missing fields raise
    (:func:`gridgov.csvrows.header_positions`, with the other spellings of a field)."""
    return csvrows.header_positions(
        header, fields=FIELDS, required=REQUIRED, file=file, key=field_key
    )


_OUTCOME_TEXT: dict[str, Outcome] = {o.value: o for o in Outcome}


NUL_MESSAGE = "text must not contain a NUL character (U+0000): PostgreSQL cannot store one"
"""The error for a text field holding U+0000 (a JSON escape can spell it; no text file holds
one, the located decoder refuses it, and PostgreSQL's text type cannot store it)."""


class VisitRowParser:
    """Turns rows of the format into :class:`Visit` values; errors go to ``errors``.

    One parser serves the streaming reader, JSON Lines and the CSV fast path
    (:mod:`gridgov.sweep.csv_coverage`): ``i_*`` are the columns of each field
    (-1 when absent).
    """

    def __init__(
        self, where: dict[str, int], file: str | None, *, sweep: str | None = None
    ) -> None:
        self.where = where
        self.width = len(where)
        self.file = file
        self.sweep = sweep
        g = where.get
        self.i_id, self.i_h, self.i_at = g("id", -1), g("household", -1), g("at", -1)
        self.i_s, self.i_vis, self.i_out = g("sweep", -1), g("visitor", -1), g("outcome", -1)
        self.i_persons = g("persons", -1)
        self.i_seen = g("persons_seen", self.i_persons)
        self.i_reg = g("persons_registered", self.i_persons)
        self.i_r, self.i_n, self.i_res = g("returnees", -1), g("note", -1), g("residents_seen", -1)
        # the fast path's names
        self.i_p = self.i_seen
        self.errors = ErrorList(file)
        self.outcomes: dict[str, Outcome | None] = dict(_OUTCOME_TEXT)

    @classmethod
    def for_header(
        cls, header: Sequence[str], file: str | None, *, sweep: str | None = None
    ) -> VisitRowParser:
        """A parser for a CSV header (see :func:`header_positions`)."""
        return cls(header_positions(header, file), file, sweep=sweep)

    def outcome(self, value: Any, row: int) -> Outcome | None:
        """The outcome a field spells, or ``None`` (error recorded)."""
        if not isinstance(value, str):
            self.errors.add(f"expected a text, got {value!r}", "outcome", row)
            return None
        got = self.outcomes.get(value, _MISSING)
        if got is _MISSING:
            got = self.outcomes[value] = lookup_enum(Outcome, value)
        if got is None:
            if not value.strip():
                self.errors.add("empty outcome", "outcome", row)
            else:
                self.errors.add(unknown_message(Outcome, value, "outcome"), "outcome", row)
            return None
        assert isinstance(got, Outcome)
        return got

    def count(self, value: Any, name: str, row: int) -> int | None:
        """A whole number >= 0 (empty = 0), or ``None`` (error recorded).

        A text is read by the one number grammar (:mod:`gridgov.numbers`, a declared
        numeric column): ASCII spaces and tabs around it are ignored, it must be an
        integer of ASCII digits with an optional sign, within 64 bits, and not
        negative (``007`` and ``+3`` are 7 and 3; ``１``, ``٣``, ``1_000``, ``3.0``
        are not counts)."""
        if value is None:
            return 0
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, str):
            text = value.strip(COUNT_SPACES)
            if not text:
                return 0
            try:
                got = parse_number(text)
            except NumberError as exc:
                if is_number(text):  # a number of the grammar, out of range
                    self.errors.add(str(exc), name, row)
                    return None
                got = -1
            number = got if got.__class__ is int else -1
        else:
            number = -1
        if number < 0:
            self.errors.add(f"not a whole number >= 0: {value!r}", name, row)
            return None
        return int(number)

    def time(self, value: Any, row: int) -> dt.datetime | None:
        """An ISO 8601 date-time, or ``None`` (error recorded)."""
        if isinstance(value, str):
            try:
                return dt.datetime.fromisoformat(value.strip())
            except ValueError:
                pass
        self.errors.add(f"not an ISO 8601 date-time: {value!r}", "at", row)
        return None

    def text(self, value: Any, name: str, row: int) -> str | None:
        """A text field (absent = ``""``), or ``None`` (error recorded)."""
        if value is None:
            return ""
        if isinstance(value, str):
            if "\x00" in value:
                self.errors.add(NUL_MESSAGE, name, row)
                return None
            return value
        self.errors.add(f"expected a text, got {value!r}", name, row)
        return None

    def residents(self, value: Any, row: int) -> tuple[str, ...] | None:
        """Resident ids (a ``;``-separated text or a list of texts)."""
        if value is None:
            return ()
        if isinstance(value, str):
            items = tuple(p for p in value.split(RESIDENT_SEPARATOR) if p)
        elif isinstance(value, list) and all(isinstance(x, str) for x in value):
            items = tuple(value)
        else:
            self.errors.add(f"expected resident ids, got {value!r}", "residents_seen", row)
            return None
        if any("\x00" in x for x in items):
            self.errors.add(NUL_MESSAGE, "residents_seen", row)
            return None
        return items

    def visit(self, f: Sequence[Any], row: int, sweep_id: str | None = None) -> Visit | None:
        """A :class:`Visit` from a row of the right width, or ``None`` (errors recorded).

        ``sweep_id`` (default: the parser's ``sweep``) fills an empty sweep field.
        """
        errs = self.errors
        n_errors = len(errs.items) + errs.more
        vid = self.text(f[self.i_id], "id", row)
        hid = self.text(f[self.i_h], "household", row)
        if vid == "":
            errs.add("empty id", "id", row)
        if hid == "":
            errs.add("empty household", "household", row)
        at = self.time(f[self.i_at], row)
        sweep = self.text(f[self.i_s], "sweep", row) if self.i_s >= 0 else ""
        if sweep == "":
            sweep = self.sweep if sweep_id is None else sweep_id
            if not sweep:
                errs.add("no sweep: fill the field or name the sweep (--sweep)", "sweep", row)
        outcome = self.outcome(f[self.i_out], row) if self.i_out >= 0 else Outcome.VERIFIED
        seen = self._count_at(f, self.i_seen, "persons_seen", row)
        registered = (
            seen
            if self.i_reg == self.i_seen
            else self._count_at(f, self.i_reg, "persons_registered", row)
        )
        returnees = self._count_at(f, self.i_r, "returnees", row)
        visitor = self.text(f[self.i_vis], "visitor", row) if self.i_vis >= 0 else ""
        note = self.text(f[self.i_n], "note", row) if self.i_n >= 0 else ""
        residents = self.residents(f[self.i_res], row) if self.i_res >= 0 else ()
        if len(errs.items) + errs.more != n_errors:
            return None
        return Visit(
            vid,  # type: ignore[arg-type]  # each None above recorded an error
            sweep,  # type: ignore[arg-type]
            hid,  # type: ignore[arg-type]
            at,  # type: ignore[arg-type]
            visitor,  # type: ignore[arg-type]
            outcome,  # type: ignore[arg-type]
            seen,  # type: ignore[arg-type]
            registered,  # type: ignore[arg-type]
            note,  # type: ignore[arg-type]
            returnees,  # type: ignore[arg-type]
            residents,  # type: ignore[arg-type]
        )

    def _count_at(self, f: Sequence[Any], i: int, name: str, row: int) -> int | None:
        if i < 0:
            return 0
        return self.count(f[i], "persons" if i == self.i_persons else name, row)


_MISSING: Any = object()


# -- the streaming reader ------------------------------------------------------------


def _csv_rows(
    fh: Iterable[str], file: str | None, sweep: str | None
) -> Iterator[tuple[int, Visit | SourceProblem]]:
    reader = csv.reader(fh, **DIALECT)  # type: ignore[arg-type]
    last = 0
    try:
        header = next(reader, None)
        last = reader.line_num
        if not header or not any(h.strip() for h in header):
            yield 1, SourceProblem("empty file: no header row", row=1, file=file)
            return
        try:
            parser = VisitRowParser.for_header(header, file, sweep=sweep)
        except InvalidInput as exc:
            for err in exc.errors:
                yield 1, err
            return
        width = len(header)
        errs = parser.errors
        for record in reader:
            start = last + 1
            last = reader.line_num
            if len(record) != width:
                if record and not (len(record) == 1 and not record[0].strip()):
                    yield (
                        start,
                        SourceProblem(
                            f"expected {width} fields, found {len(record)}", row=start, file=file
                        ),
                    )
                continue
            v = parser.visit(record, start)
            if v is not None:
                yield start, v
            else:
                for err in errs.items:
                    yield start, err
                errs.items.clear()
                errs.more = 0
    except csv.Error as exc:
        yield last + 1, csv_error(exc, row=last + 1, file=file)
    except UnicodeDecodeError as exc:
        yield last + 1, SourceProblem(f"not UTF-8 text ({exc.reason})", row=last + 1, file=file)


_ALL = {name: i for i, name in enumerate(FIELDS)}


def _jsonl_rows(
    lines: Iterable[str], file: str | None, sweep: str | None
) -> Iterator[tuple[int, Visit | SourceProblem]]:
    parser = VisitRowParser(_ALL, file, sweep=sweep)
    errs = parser.errors
    n = 0
    try:
        for n, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            data = json_line(line, row=n, file=file)
            if isinstance(data, SourceProblem):
                yield n, data
                continue
            if not isinstance(data, dict):
                yield n, SourceProblem("expected a JSON object", row=n, file=file)
                continue
            values: list[Any] = [None] * len(FIELDS)
            bad = False
            for key, value in data.items():
                name = field_key(str(key))
                i = _ALL.get(name)
                if i is None:
                    bad = True
                    message = f"unknown field (expected {', '.join(FIELDS)})"
                    yield n, SourceProblem(message, field=shown_name(str(key)), row=n, file=file)
                else:
                    values[i] = value
            for name in REQUIRED:
                if values[_ALL[name]] is None:
                    bad = True
                    yield n, SourceProblem("missing field", field=name, row=n, file=file)
            if bad:
                continue
            if values[_ALL["outcome"]] is None:
                values[_ALL["outcome"]] = Outcome.VERIFIED.value
            v = parser.visit(values, n)
            if v is not None:
                yield n, v
            else:
                for err in errs.items:
                    yield n, err
                errs.items.clear()
                errs.more = 0
    except UnicodeDecodeError as exc:
        yield n + 1, SourceProblem(f"not UTF-8 text ({exc.reason})", row=n + 1, file=file)


def iter_visits(
    source: str | Path | IO[str],
    *,
    sweep: str | None = None,
    jsonl: bool | None = None,
) -> Iterator[tuple[int, Visit | SourceProblem]]:
    """``(row, visit)`` for every good row and ``(row, error)`` for every bad one, streaming.

    ``source`` is a path (JSON Lines by suffix unless ``jsonl`` says) or an open
    text file (CSV unless ``jsonl``). ``sweep`` fills empty or absent sweep fields.
    """
    if isinstance(source, (str, Path)):
        path = Path(source)
        as_jsonl = is_jsonl(path) if jsonl is None else jsonl
        from gridgov.utf8 import open_utf8

        with open_utf8(path) as fh:  # a bad byte: one located line (gridgov.utf8)
            if as_jsonl:
                yield from _jsonl_rows(fh, str(path), sweep)
            else:
                yield from _csv_rows(fh, str(path), sweep)
        return
    file = getattr(source, "name", None)
    name = file if isinstance(file, str) else None
    if jsonl:
        yield from _jsonl_rows(source, name, sweep)
    else:
        yield from _csv_rows(source, name, sweep)


def iter_visits_text(
    text: str, *, sweep: str | None = None, jsonl: bool = False, file: str | None = None
) -> Iterator[tuple[int, Visit | SourceProblem]]:
    """:func:`iter_visits` over a string (``file`` names it in errors)."""
    text = text.removeprefix("\ufeff")
    if jsonl:
        return _jsonl_rows(io.StringIO(text), file, sweep)
    return _csv_rows(io.StringIO(text, newline=""), file, sweep)


def _collect(rows: Iterable[tuple[int, Visit | SourceProblem]], file: str | None) -> list[Visit]:
    errs = ErrorList(file)
    out: list[Visit] = []
    for _, item in rows:
        if isinstance(item, SourceProblem):
            if len(errs.items) < MAX_ERRORS:
                errs.items.append(item)
            else:
                errs.more += 1
        elif not errs:
            out.append(item)
    errs.raise_if_any()
    return out


def read_visits(path: str | Path, *, sweep: str | None = None) -> list[Visit]:
    """Every visit of a CSV or JSON Lines file; every bad row raises together."""
    return _collect(iter_visits(path, sweep=sweep), str(path))


def read_visits_text(
    text: str, *, sweep: str | None = None, jsonl: bool = False, file: str | None = None
) -> list[Visit]:
    """Every visit of CSV or JSON Lines text; every bad row raises together."""
    return _collect(iter_visits_text(text, sweep=sweep, jsonl=jsonl, file=file), file)


def check_visits(path: str | Path, *, sweep: str | None = None) -> int:
    """Check every row of a file; the number of visits, or :class:`InvalidInput`."""
    return checked_visits(path, sweep=sweep)[0]


def checked_visits(
    path: str | Path, *, sweep: str | None = None, keep: int = 0
) -> tuple[int, list[tuple[int, Visit]] | None]:
    """Check every row of a file (as :func:`check_visits`) and keep what was read.

    Returns ``(number of visits, [(row, visit)])``; the visits are ``None`` when the
    file holds more than ``keep`` of them (so memory stays bounded: read it again).
    """
    errs = ErrorList(str(path))
    count = 0
    kept: list[tuple[int, Visit]] | None = [] if keep > 0 else None
    for n, item in iter_visits(path, sweep=sweep):
        if isinstance(item, SourceProblem):
            if len(errs.items) < MAX_ERRORS:
                errs.items.append(item)
            else:
                errs.more += 1
            kept = None
        else:
            count += 1
            if kept is not None:
                if count > keep:
                    kept = None
                else:
                    kept.append((n, item))
    errs.raise_if_any()
    return count, kept


# -- writing ---------------------------------------------------------------------------


def _residents_cell(visit: Visit) -> str:
    for r in visit.residents_seen:
        if RESIDENT_SEPARATOR in r or not r:
            raise ValueError(
                f"visit {visit.id!r}: resident id {r!r} cannot be written to CSV (use JSON Lines)"
            )
    return RESIDENT_SEPARATOR.join(visit.residents_seen)


def visit_row(visit: Visit) -> tuple[str, ...]:
    """One visit as the cells of :data:`WRITTEN` (canonical spellings)."""
    return (
        visit.id,
        visit.sweep,
        visit.household,
        visit.at.isoformat(),
        visit.visitor,
        visit.outcome.value,
        str(visit.persons_seen),
        str(visit.persons_registered),
        str(visit.returnees),
        visit.note,
        _residents_cell(visit),
    )


def visits_csv_text(visits: Iterable[Visit]) -> str:
    """Visits as CSV text in the one format (every field, canonical spellings)."""
    out = io.StringIO(newline="")
    w = csv.writer(out, lineterminator="\n")
    # a row with a carriage return in a cell ends in CRLF: that makes the csv module
    # quote the cell (it quotes the characters of its line terminator only)
    w_cr = csv.writer(out, lineterminator="\r\n")
    w.writerow(WRITTEN)
    for v in visits:
        row = visit_row(v)
        (w_cr if any("\r" in c for c in row) else w).writerow(row)
    return out.getvalue()


def visit_object(visit: Visit) -> dict[str, Any]:
    """One visit as a JSON Lines object (counts as numbers): the library's converter's
    data for it, keys in the order of :data:`WRITTEN`."""
    data = unstructure(visit)
    return {key: data[key] for key in WRITTEN}


def visits_jsonl_text(visits: Iterable[Visit]) -> str:
    """Visits as JSON Lines text in the one format."""
    return "".join(json.dumps(visit_object(v), ensure_ascii=False) + "\n" for v in visits)


def write_visits(visits: Iterable[Visit], path: str | Path) -> int:
    """Write visits to ``path`` (JSON Lines by suffix, else CSV), atomically; how many."""
    from gridgov.fsutil import atomic_write_text

    items = list(visits)
    text = visits_jsonl_text(items) if is_jsonl(path) else visits_csv_text(items)
    atomic_write_text(Path(path), text)
    return len(items)
