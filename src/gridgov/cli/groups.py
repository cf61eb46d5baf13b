"""Sub-command groups shared by several command modules (``org``, ``sweep``, ``roster``...).

Several modules add commands under the same group (``gridgov sweep coverage``
from one, ``gridgov sweep import-visits`` from another). Python 3.11's
argparse refuses a second ``add_parser`` with the same name, so a module that
adds to a group takes the existing one when it is there: modules that use
:func:`command_group` must come *after* a module that calls ``add_parser``
for the same group in ``COMMANDS``.
"""

from __future__ import annotations

import argparse


def command_group(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], name: str, help: str
) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    """The sub-command action of group ``name``, created if no module made it yet."""
    existing = sub.choices.get(name)
    if existing is None:
        parser = sub.add_parser(name, help=help)
        return parser.add_subparsers(
            dest=f"{name.replace('-', '_')}_command", metavar="SUBCOMMAND", required=True
        )
    for action in existing._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    raise RuntimeError(f"the {name!r} command has no sub-commands to add to")


def add_store_options(parser: argparse.ArgumentParser) -> None:
    """``--workspace DIR`` and ``--store URL``."""
    parser.add_argument(
        "--workspace", "-w", default=".", help="workspace folder with gridgov.toml (default: .)"
    )
    parser.add_argument("--store", help="store URL, instead of the workspace's")
