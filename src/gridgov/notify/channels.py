"""The built-in ``log`` channel, registered as a default plugin."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import attrs

from gridgov.notify.channel import Message
from gridgov.plugins.hookspecs import hookimpl
from gridgov.serialize import structure
from gridgov.tables import setting, table

logger = logging.getLogger("gridgov.events")


def _level(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(logging.getLevelName(value.upper()), int):
        raise ValueError(f"unknown log level {value!r}")


def _some_path(_: object, attribute: attrs.Attribute[str | None], value: str | None) -> None:
    if value is not None and not value.strip():
        raise ValueError("expected a file name")


@table()
@attrs.frozen
class LogOptions:
    """The options of a ``type = "log"`` channel, read by the library's converter
    (an unknown or mistyped option is an error naming it)."""

    path: str | None = setting(
        None,
        validator=_some_path,
        shown="none",
        doc="file the lines are appended to (relative to the workspace); "
        "without it, Python logging",
    )
    level: str = setting("INFO", validator=_level, doc="logging level of the lines")


class LogChannel:
    """Writes one line per message: to the file ``path`` if given, else to the logger.

    Each line starts with the idempotency key, so a reader can drop repeats.
    A record is always one line: controls, separators and format characters in
    it are escaped (:func:`gridgov.escape.log_line`), so an id holding ``\\r``,
    U+2028 or an ANSI escape cannot forge a line. The file holds personal data
    in clear when the channel does not mask: it is created readable by its
    owner only (mode 0600).
    """

    def __init__(self, path: str | Path | None = None, level: str = "INFO") -> None:
        self.path = Path(path) if path else None
        self.level = logging.getLevelName(level.upper())
        if not isinstance(self.level, int):
            raise ValueError(f"unknown log level {level!r}")

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> LogChannel:
        """From ``[channels.NAME]`` options (:class:`LogOptions`: ``path``, ``level``);
        :class:`~gridgov.errors.InvalidInput` names each bad one."""
        read = structure(options, LogOptions, path="")
        return cls(read.path, read.level)

    def send(self, message: Message) -> None:
        """Write the line (flushed to disk before returning)."""
        from gridgov.escape import log_line
        from gridgov.fsutil import open_private_append

        line = log_line(f"{message.key} {message.text}")
        if self.path is None:
            logger.log(self.level, line)
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open_private_append(self.path) as fh:
            fh.write(line + "\n")


@hookimpl
def gridgov_notifiers(register: Any) -> None:
    """The ``log`` channel."""
    register("log", LogChannel.from_options)
