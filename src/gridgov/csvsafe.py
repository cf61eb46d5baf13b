"""CSV-injection neutralising for every CSV gridgov writes (OWASP's advice).

A spreadsheet opening a CSV runs a cell that starts with ``=``, ``+``, ``-``
or ``@`` as a formula (``=cmd|' /C calc'!A0``, ``=HYPERLINK(...)``). OWASP's
"CSV Injection" page asks that no cell begin with ``=``, ``+``, ``-``, ``@``,
tab (0x09) or carriage return (0x0D), and to prepend a single quote to one
that does; the ASVS (V1.2.10) adds NUL (0x00). gridgov does exactly that to
every *text* cell of a CSV export, unless the caller asks for raw output
(``raw=True``, ``--raw`` on the command line), for a file meant to be read
back by a program rather than opened in a spreadsheet.

Choices, named:

- A cell that is a number under gridgov's grammar (:mod:`gridgov.numbers`),
  such as ``-5``, ``+1.5e3`` or ``+8613800000000``, is left alone: a
  spreadsheet reads it as a number, never as a formula, and changing it would
  change the data. Numbers (``int``/``float`` values) are never touched.
- The quote is the only change; quoting of the field itself is left to
  :mod:`csv` (RFC 4180), which already quotes a cell holding ``"``, ``,``,
  CR or LF.
- Reading a neutralised file back gives the cell with its leading ``'``:
  neutralising is for people and spreadsheets; use ``raw`` for round trips.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from gridgov.numbers import is_number

__all__ = ["FORMULA_TRIGGERS", "is_formula_like", "neutralise_cell", "neutralise_row"]

FORMULA_TRIGGERS = frozenset("=+-@\t\r\x00")
"""First characters that make a spreadsheet treat a cell as a formula (OWASP + ASVS)."""


def is_formula_like(cell: str) -> bool:
    """Whether a spreadsheet could run ``cell`` as a formula (see the module docs)."""
    return cell[:1] in FORMULA_TRIGGERS and cell != "" and not is_number(cell)


def neutralise_cell(cell: str, *, raw: bool = False) -> str:
    """``cell`` with a ``'`` in front when it is formula-like (unchanged when ``raw``)."""
    if not raw and is_formula_like(cell):
        return "'" + cell
    return cell


def neutralise_row(cells: Iterable[Any], *, raw: bool = False) -> list[Any]:
    """A row with every text cell passed through :func:`neutralise_cell`; others unchanged."""
    if raw:
        return list(cells)
    return [neutralise_cell(c) if isinstance(c, str) else c for c in cells]
