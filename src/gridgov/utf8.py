"""The one located UTF-8 decoder every gridgov reader goes through.

Every file gridgov reads (org CSV/JSON/GraphML, households, visits CSV/JSONL,
problem JSON/TOML, Curtois, roster CSV, ``gridgov.toml``) is UTF-8 text, with
or without a byte-order mark. Anything else is refused with one line::

    FILE: not UTF-8 text (line L, byte B)

``L`` counts lines from 1 (a line ends at ``\\n``); ``B`` is the offset of the
first offending byte from the start of the file, counted from 0 (what ``xxd``
and ``od -A d`` show, and what :class:`UnicodeDecodeError` reports). A UTF-16
byte-order mark adds a hint to save the file as UTF-8.

Choices, named (the issue is silent on them):

- A NUL byte is refused as "not UTF-8 text" too, although it is valid UTF-8:
  no text file holds one, a UTF-16 file without a byte-order mark decodes as
  "UTF-8 with a NUL every other byte", and PostgreSQL cannot store it in text.
  (SQLite's CLI stops reading a CSV field at a NUL; gridgov says so instead.)
- One leading UTF-8 byte-order mark is dropped, as Python's ``utf-8-sig``,
  pandas and SQLite's CLI do; a second one is kept as text.

Functions:

- :func:`decode_utf8` — bytes already in memory to text.
- :func:`read_utf8` — a whole file to text.
- :func:`open_utf8` — a file as a stream of lines (``newline=""`` semantics,
  as :mod:`csv` wants), raising the same located error when a bad byte is
  reached; for readers that stream files larger than memory.
- :func:`locate_utf8_error` — where the first bad byte of some bytes is.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import IO, BinaryIO

from gridgov.errors import InvalidInput, SourceProblem

__all__ = [
    "Utf8Lines",
    "decode_utf8",
    "locate_utf8_error",
    "not_utf8",
    "open_utf8",
    "read_utf8",
]

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def not_utf8(file: str | None, line: int, byte: int, *, hint: str = "") -> InvalidInput:
    """The error for a file that is not UTF-8 text at ``line`` / ``byte`` (see module docs)."""
    message = f"not UTF-8 text (line {line}, byte {byte})"
    if hint:
        message += f": {hint}"
    return InvalidInput([SourceProblem(message, file=file)])


def _hint(head: bytes, bad: bytes) -> str:
    if head.startswith(_UTF16_BOMS):
        return "it starts with a UTF-16 byte-order mark; save it as UTF-8"
    if bad == b"\x00":
        return "a NUL byte (UTF-16 or binary data?)"
    return ""


def locate_utf8_error(data: bytes, *, offset: int = 0, line: int = 1) -> tuple[int, int] | None:
    """``(line, byte)`` of the first byte of ``data`` that is not UTF-8 text, or ``None``.

    ``offset`` and ``line`` are where ``data`` starts in its file (to locate a
    chunk of a stream). A NUL byte counts as not text (see module docs).
    """
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = exc.start
    else:
        bad = -1
    nul = data.find(b"\x00", 0, bad if bad >= 0 else len(data))
    if nul >= 0:
        bad = nul
    if bad < 0:
        return None
    return line + data.count(b"\n", 0, bad), offset + bad


def decode_utf8(data: bytes, *, file: str | None = None) -> str:
    """``data`` as text, one leading byte-order mark dropped; else :func:`not_utf8`.

    Raises :class:`~gridgov.errors.InvalidInput` with the single line
    ``FILE: not UTF-8 text (line L, byte B)``.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is None or "\x00" in text:
        where = locate_utf8_error(data)
        assert where is not None
        line, byte = where
        raise not_utf8(file, line, byte, hint=_hint(data[:4], data[byte : byte + 1]))
    return text[1:] if text.startswith("\ufeff") else text


def read_utf8(path: str | Path) -> str:
    """The whole file at ``path`` as text (see :func:`decode_utf8`); errors name the file."""
    p = Path(path)
    return decode_utf8(p.read_bytes(), file=str(p))


class Utf8Lines:
    """A UTF-8 file read as lines, newline ends kept (``newline=""``), errors located.

    Iterate it (or pass it to :func:`csv.reader`); ``read()`` gives the rest
    as one text. A byte that is not UTF-8 text raises the same one-line
    :class:`~gridgov.errors.InvalidInput` as :func:`decode_utf8`, naming the
    line and byte where it is in the file. Use it as a context manager, or
    call :meth:`close`.
    """

    def __init__(self, raw: BinaryIO, *, file: str | None = None) -> None:
        self.file = file
        self._raw = raw
        self._text: IO[str] = io.TextIOWrapper(
            raw, encoding="utf-8-sig", errors="strict", newline=""
        )

    def __iter__(self) -> Iterator[str]:
        text = self._text
        while True:
            try:
                line = text.readline()
            except UnicodeDecodeError:
                raise self._locate() from None
            if not line:
                return
            if "\x00" in line:
                raise self._locate()
            yield line

    def read(self) -> str:
        """The rest of the file as one text (errors located as when iterating)."""
        return "".join(self)

    def _locate(self) -> InvalidInput:
        """Scan the file from its start to the first bad byte (only on the error path)."""
        raw = self._raw
        raw.seek(0)
        head = raw.read(4)
        raw.seek(0)
        offset, line = 0, 1
        for chunk in raw:  # split at b"\n", which is never inside a multi-byte sequence
            where = locate_utf8_error(chunk, offset=offset, line=line)
            if where is not None:
                bad = chunk[where[1] - offset : where[1] - offset + 1]
                return not_utf8(self.file, *where, hint=_hint(head, bad))
            offset += len(chunk)
            line += 1
        return not_utf8(self.file, line, offset)  # pragma: no cover - decoder disagreed

    def close(self) -> None:
        """Close the file."""
        self._text.close()

    def __enter__(self) -> Utf8Lines:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def open_utf8(path: str | Path) -> Utf8Lines:
    """Open ``path`` for streaming as UTF-8 lines (see :class:`Utf8Lines`)."""
    p = Path(path)
    return Utf8Lines(p.open("rb"), file=str(p))
