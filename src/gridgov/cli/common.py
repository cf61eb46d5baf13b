"""Helpers shared by the CLI's sub-commands."""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gridgov.csvsafe import neutralise_row
from gridgov.engine import ENGINES, Engine
from gridgov.errors import InvalidInput, SourceProblem
from gridgov.errors import UsageError as UsageError
from gridgov.redact import redact_text

if TYPE_CHECKING:  # loaded only when a command runs (fast start-up)
    from gridgov.org.hierarchy import Hierarchy
    from gridgov.org.levels import Levels


def fail(message: str, code: int) -> int:
    """Print ``gridgov: error: message`` (credentials redacted) on stderr and return ``code``."""
    print(f"gridgov: error: {redact_text(message)}", file=sys.stderr)
    return code


MAX_ERROR_LINES = 100
"""Error lines a command prints for one bad input; the rest are counted in one more line."""


def print_errors(exc: InvalidInput) -> None:
    """Each error of ``exc`` as ``gridgov: error: ...`` on stderr (:data:`MAX_ERROR_LINES`)."""
    errors = exc.errors or (SourceProblem(str(exc)),)
    for err in errors[:MAX_ERROR_LINES]:
        print(f"gridgov: error: {err}", file=sys.stderr)
    if len(errors) > MAX_ERROR_LINES:
        print(
            f"gridgov: error: ... and {len(errors) - MAX_ERROR_LINES} more errors", file=sys.stderr
        )


def progress(message: str) -> None:
    """Show progress on stderr, only when stderr is a terminal."""
    if sys.stderr.isatty():
        print(f"\r\033[K{message}", end="", file=sys.stderr, flush=True)


def progress_done() -> None:
    """Clear the progress line."""
    if sys.stderr.isatty():
        print("\r\033[K", end="", file=sys.stderr, flush=True)


def engine() -> Engine:
    """The bulk engine from ``GRIDGOV_ENGINE`` (``auto``, ``python`` or ``columnar``)."""
    name = os.environ.get("GRIDGOV_ENGINE", "auto").strip().lower() or "auto"
    if name not in ENGINES:
        raise UsageError(f"GRIDGOV_ENGINE={name!r}: expected one of {', '.join(ENGINES)}")
    return name


def parse_levels(text: str | None) -> Levels | None:
    """``--levels county,town,village`` → a level scheme (``None`` keeps the default)."""
    from gridgov.org.levels import Levels

    if text is None:
        return None
    try:
        return Levels(tuple(name.strip() for name in text.split(",")))
    except ValueError as exc:
        raise UsageError(f"--levels: {exc}") from None


LEVELS_HELP = (
    "level scheme of a CSV hierarchy, shallowest first, e.g. country,province,city "
    "(default: [org] levels of the workspace's gridgov.toml, else "
    "county,township,community,grid,building,household)"
)


def add_levels_option(parser: argparse.ArgumentParser) -> None:
    """``--levels A,B,C`` on a command that reads a hierarchy."""
    parser.add_argument("--levels", default=None, metavar="A,B,C", help=LEVELS_HELP)


def _workspace_config(args: argparse.Namespace) -> Any:
    """The workspace of ``--workspace`` (or of the current folder), if it has a gridgov.toml."""
    from gridgov.workspace import CONFIG_NAME, Workspace

    root = Path(getattr(args, "workspace", None) or ".")
    if not (root / CONFIG_NAME).exists():
        return None
    return Workspace.load(root)


def levels_for(args: argparse.Namespace) -> Levels | None:
    """The scheme for this command: ``--levels``, else the workspace's ``[org] levels``;
    its household level from ``--household-level``, else ``[org] household_level``, where
    the scheme has that level (else the scheme's default, :class:`gridgov.org.Levels`)."""
    from gridgov.org.levels import DEFAULT_LEVELS

    given = parse_levels(getattr(args, "levels", None))
    ws = _workspace_config(args)
    levels = given if given is not None else (ws.levels if ws is not None else None)
    household = getattr(args, "household_level", None) or (
        ws.household_level if ws is not None else None
    )
    if household and household != "household":
        scheme = levels if levels is not None else DEFAULT_LEVELS
        if household in scheme:
            return scheme.with_household(household)
    return levels


def household_level_for(args: argparse.Namespace) -> str:
    """``--household-level``, else the workspace's ``[org] household_level``, else ``household``."""
    given = getattr(args, "household_level", None)
    if given:
        return str(given)
    ws = _workspace_config(args)
    return ws.household_level if ws is not None else "household"


def load_tree(
    path: str, levels: Levels | None = None, text_columns: Sequence[str] = ()
) -> Hierarchy:
    """Read a hierarchy from CSV, JSON or GraphML, by the file's extension.

    CSV files use ``levels`` (default: county > ... > household) and keep the
    ``text_columns`` as text; JSON and GraphML carry their own scheme and types.
    """
    from gridgov.org import read_csv, read_graphml, read_json
    from gridgov.org.levels import DEFAULT_LEVELS

    suffix = Path(path).suffix.lower()
    progress(f"reading {path} ...")
    try:
        if suffix == ".json":
            return read_json(path)
        if suffix in (".graphml", ".xml"):
            return read_graphml(path)
        return read_csv(
            path, levels=levels or DEFAULT_LEVELS, engine=engine(), text_columns=text_columns
        )
    finally:
        progress_done()


def emit_table(
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    fmt: str,
    out: Any = None,
    *,
    raw: bool = False,
) -> None:
    """Print rows as ``csv``, ``json`` (a list of objects, each cell as the library's
    converter writes it) or an aligned ``table``.

    CSV text cells that a spreadsheet would run as a formula get a leading
    ``'`` unless ``raw`` (:mod:`gridgov.csvsafe`).
    """
    out = out or sys.stdout
    rows = list(rows)
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(neutralise_row(header, raw=raw))
        writer.writerows(neutralise_row(r, raw=raw) for r in rows)
    elif fmt == "json":  # cells through the library's converter (dates, enums...)
        from gridgov.serialize import unstructure

        objects = [{h: unstructure(c) for h, c in zip(header, r, strict=True)} for r in rows]
        json.dump(objects, out, ensure_ascii=False)
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
