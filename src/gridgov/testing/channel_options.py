"""Test helpers for a channel plugin's options: a ``gridgov.toml`` with one channel, loaded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gridgov.errors import InvalidInput
from gridgov.plugins.manager import Plugins
from gridgov.workspace import Workspace


def channel_workspace(
    type_: str, options: dict[str, Any], *, plugins: Plugins, root: Path = Path(".")
) -> Workspace:
    """The workspace in ``root`` of a ``gridgov.toml`` whose one channel ``ch`` is of type
    ``type_`` with ``options`` (routed every event), loaded as ``gridgov`` loads the file
    (nothing is written)."""
    data = {
        "store": {"url": "memory://"},
        "channels": {"ch": {"type": type_, **options}},
        "routes": [{"events": ["*"], "channels": ["ch"]}],
    }
    return Workspace.from_data(root, data, file="gridgov.toml", plugins=plugins)


def option_errors(type_: str, options: dict[str, Any], *, plugins: Plugins) -> dict[str, str]:
    """The errors loading :func:`channel_workspace` reports, by option key: ``{"port":
    "port must be between 1 and 65535, got 0"}``. Fails (``AssertionError``) when the
    file loads, or when an error is not one line ``gridgov.toml: channels.ch.KEY: ...``."""
    try:
        channel_workspace(type_, options, plugins=plugins)
    except InvalidInput as exc:
        errors = exc.errors
    else:
        raise AssertionError(f"the options were accepted: {options!r}")
    out = {}
    for e in errors:
        line, field = str(e), e.field or ""
        one_line = line.splitlines() == [line]
        if not (one_line and field.startswith("channels.ch.") and line.startswith(_file(field))):
            raise AssertionError(f"not one line naming an option: {line!r}")
        out[field.removeprefix("channels.ch.")] = e.message
    return out


def _file(field: str) -> str:
    return f"gridgov.toml: {field}: "
