"""The built-in ``log`` channel, registered as a default plugin."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from gridgov.notify.channel import Message
from gridgov.plugins.hookspecs import hookimpl

logger = logging.getLogger("gridgov.events")


class LogChannel:
    """Writes one line per message: to the file ``path`` if given, else to the logger.

    Each line starts with the idempotency key, so a reader can drop repeats.
    """

    def __init__(self, path: str | Path | None = None, level: str = "INFO") -> None:
        self.path = Path(path) if path else None
        self.level = logging.getLevelName(level.upper())
        if not isinstance(self.level, int):
            raise ValueError(f"unknown log level {level!r}")

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> LogChannel:
        """From ``[channels.NAME]`` options: ``path`` (optional), ``level``."""
        extra = set(options) - {"path", "level"}
        if extra:
            raise ValueError(f"unknown options for the log channel: {', '.join(sorted(extra))}")
        return cls(options.get("path"), str(options.get("level", "INFO")))

    def send(self, message: Message) -> None:
        """Write the line (flushed to disk before returning)."""
        line = f"{message.key} {message.text}"
        if self.path is None:
            logger.log(self.level, line)
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(line.replace("\n", "\\n") + "\n")


@hookimpl
def gridgov_notifiers(register: Any) -> None:
    """The ``log`` channel."""
    register("log", LogChannel.from_options)
