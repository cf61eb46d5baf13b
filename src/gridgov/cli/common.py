"""Helpers shared by the CLI's sub-commands."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from gridgov.errors import GridgovError
from gridgov.org.hierarchy import Hierarchy
from gridgov.org.levels import DEFAULT_LEVELS, Levels


class UsageError(GridgovError):
    """The command line itself is wrong (exit code 2)."""


def fail(message: str, code: int) -> int:
    """Print ``gridgov: error: message`` on stderr and return ``code``."""
    print(f"gridgov: error: {message}", file=sys.stderr)
    return code


def progress(message: str) -> None:
    """Show progress on stderr, only when stderr is a terminal."""
    if sys.stderr.isatty():
        print(f"\r\033[K{message}", end="", file=sys.stderr, flush=True)


def progress_done() -> None:
    """Clear the progress line."""
    if sys.stderr.isatty():
        print("\r\033[K", end="", file=sys.stderr, flush=True)


def parse_levels(text: str | None) -> Levels | None:
    """``--levels county,town,village`` → a level scheme (``None`` keeps the default)."""
    if text is None:
        return None
    try:
        return Levels(tuple(name.strip() for name in text.split(",")))
    except ValueError as exc:
        raise UsageError(f"--levels: {exc}") from None


def load_tree(path: str, levels: Levels | None = None) -> Hierarchy:
    """Read a hierarchy from CSV, JSON or GraphML, by the file's extension.

    CSV files use ``levels`` (default: county > ... > household); JSON and GraphML
    carry their own scheme.
    """
    from gridgov.org import read_csv, read_graphml, read_json

    suffix = Path(path).suffix.lower()
    progress(f"reading {path} ...")
    try:
        if suffix == ".json":
            return read_json(path)
        if suffix in (".graphml", ".xml"):
            return read_graphml(path)
        return read_csv(path, levels=levels or DEFAULT_LEVELS)
    finally:
        progress_done()


def emit_table(
    header: Sequence[str], rows: Iterable[Sequence[Any]], fmt: str, out: Any = None
) -> None:
    """Print rows as ``csv``, ``json`` (a list of objects) or an aligned ``table``."""
    out = out or sys.stdout
    rows = list(rows)
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    elif fmt == "json":
        json.dump([dict(zip(header, r, strict=True)) for r in rows], out, ensure_ascii=False)
        out.write("\n")
    else:
        cells = [list(map(str, header))] + [[_fmt(c) for c in r] for r in rows]
        widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
        for r in cells:
            out.write("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() + "\n")


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4f}" if not value.is_integer() else str(int(value))
    return str(value)
