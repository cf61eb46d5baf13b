"""The ``gridgov`` command line.

Every sub-command lives in its own module with a ``register(subparsers)``
function; errors are one readable line with exit code 1 (bad input) or 2
(bad usage), never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from gridgov import __version__
from gridgov.cli import (
    demo_cmd,
    org_cmd,
    plugins_cmd,
    report_cmd,
    roster_build_cmd,
    roster_cmd,
    sweep_cmd,
    sweep_store_cmd,
    sweep_tools_cmd,
    sweep_ws_cmd,
    workspace_cmd,
)
from gridgov.cli.common import UsageError, fail, print_errors
from gridgov.errors import GridgovError, InvalidInput

# Modules that create a command group with add_parser come before those that
# extend it through cli.groups.command_group.
COMMANDS = (
    org_cmd,
    sweep_cmd,
    roster_cmd,
    demo_cmd,
    plugins_cmd,
    workspace_cmd,
    sweep_store_cmd,
    sweep_ws_cmd,
    sweep_tools_cmd,
    roster_build_cmd,
    report_cmd,
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command registered."""
    parser = argparse.ArgumentParser(
        prog="gridgov",
        description="Community grid governance: organisation, duty rosters, sweeps.",
    )
    parser.add_argument("--version", action="version", version=f"gridgov {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMANDS:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (also used as the console script)."""
    # The columnar engine's small arrays come and go with numpy's; one allocator (the
    # C library's) lets them reuse each other's memory, which lowers the peak (the
    # coverage fast path sets jemalloc for its own run: gridgov._arrow.default_pool).
    # No BLAS threads spinning beside the engine's own.
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
    except UsageError as exc:
        parser.print_usage(sys.stderr)
        return fail(str(exc), 2)
    except InvalidInput as exc:
        print_errors(exc)
        return 1
    except GridgovError as exc:
        return fail(str(exc), 1)
    except FileNotFoundError as exc:
        return fail(f"{exc.filename}: no such file", 1)
    except IsADirectoryError as exc:
        return fail(f"{exc.filename}: is a folder, not a file", 1)
    except PermissionError as exc:
        return fail(f"{exc.filename}: permission denied", 1)
    except BrokenPipeError:
        return 0
    except OSError as exc:
        return fail(f"{exc.filename or ''}: {exc.strerror or exc}", 1)
    except KeyboardInterrupt:
        return fail("interrupted", 130)
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
