"""Small file-system helpers: atomic writes so that nothing is half-written, and modes.

File modes, named: a file the CLI writes (an export, a roster, a calendar) gets
the mode a plain ``open(path, "w")`` would give it — ``0666`` less the umask
(``0644`` under umask 022) for a new file, the existing file's mode for a file
it replaces — although it is written through a private temporary file. Files
that hold personal data in clear (the workspace's SQLite database with its
``-wal``/``-shm`` files, the ``log`` channel's file) are created ``0600``,
readable by their owner only (:func:`open_private_append`,
:func:`ensure_private_file`), and tightened to ``0600`` when found wider.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import IO

PRIVATE = 0o600
"""The mode of files holding personal data in clear."""


def current_umask() -> int:
    """The process's umask (read by setting it and putting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _mode_for(path: Path) -> int:
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return 0o666 & ~current_umask()


def ensure_private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 if it is missing; tighten it to 0600 if wider."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE)
    try:
        if stat.S_IMODE(os.fstat(fd).st_mode) & 0o077:
            os.fchmod(fd, PRIVATE)
    finally:
        os.close(fd)


def open_private_append(path: Path) -> IO[str]:
    """``path`` opened for appending UTF-8 text, created (or tightened to) mode 0600."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE)
    try:
        if stat.S_IMODE(os.fstat(fd).st_mode) & 0o077:
            os.fchmod(fd, PRIVATE)
        return os.fdopen(fd, "a", encoding="utf-8")
    except BaseException:
        os.close(fd)
        raise


def atomic_write_text(path: Path, text: str, *, encoding: str = "utf-8") -> None:
    """Write ``text`` (line ends kept as given) to ``path`` atomically, like the bytes form."""
    atomic_write_bytes(path, text.encode(encoding))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename.

    The file ends with the mode of the file it replaces, or ``0666`` less the
    umask when new (see the module docs).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = _mode_for(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
