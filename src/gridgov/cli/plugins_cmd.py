"""``gridgov plugins``: the loaded plugins, their distributions and what each registers."""

from __future__ import annotations

import argparse
import sys

from gridgov.cli.common import emit_table
from gridgov.plugins.manager import get_plugins


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``plugins``."""
    p = sub.add_parser("plugins", help="list the loaded plugins and what they register")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.set_defaults(func=cmd_plugins)


def cmd_plugins(args: argparse.Namespace) -> int:
    """Print one row per plugin, then any plugin that failed (on stderr)."""
    plugins = get_plugins()
    rows = [
        (i.name, i.distribution or "-", i.version or "-", " ".join(i.registers) or "-")
        for i in plugins.info()
    ]
    emit_table(("plugin", "distribution", "version", "registers"), rows, args.format)
    for err in plugins.errors:
        print(f"gridgov: plugin {err.plugin} failed in {err.where}: {err.message}", file=sys.stderr)
    return 0
