"""How enumerated values are spelled: read leniently, written one way.

Field apps spell the same outcome ``not-at-home``, ``not_at_home``, ``Not at
home`` or ``NOT-AT-HOME``. gridgov reads all of them as one value: case does
not matter, words may be separated by ``-``, ``_`` or spaces (runs of them
count as one), and leading or trailing blanks are ignored. It always *writes*
the canonical form, the enum member's value (lower case, words joined by
``-``: ``not-at-home``).

Anything else stays an error, and the error names the accepted values::

    >>> from gridgov.sweep.model import Outcome
    >>> parse_enum(Outcome, "Not at home")
    <Outcome.NOT_AT_HOME: 'not-at-home'>
    >>> spelling_key("  NOT__at-home ")
    'not-at-home'

Every reader of enumerated values (visit and household files, unit kinds,
configuration) calls this module rather than keeping its own table.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from functools import cache
from typing import TypeVar

from gridgov.errors import InvalidInput, SourceProblem

E = TypeVar("E", bound=enum.Enum)

_SEPARATORS = re.compile(r"[\s_\-]+")


def spelling_key(text: str) -> str:
    """The form two spellings of one value share: lower case, words joined by ``-``."""
    return _SEPARATORS.sub("-", text.strip().lower()).strip("-")


@cache
def spellings(cls: type[E]) -> Mapping[str, E]:
    """``{spelling_key: member}`` for an enum whose values are texts (cached per class)."""
    out: dict[str, E] = {}
    for member in cls:
        key = spelling_key(str(member.value))
        if key in out:  # two members that read the same: a bug in the enum, not in data
            raise TypeError(f"{cls.__name__}: {out[key]} and {member} are spelled alike")
        out[key] = member
    return out


def accepted(cls: type[enum.Enum]) -> str:
    """The canonical spellings of ``cls``, comma-separated (for error messages)."""
    return ", ".join(str(m.value) for m in cls)


def lookup_enum(cls: type[E], text: str) -> E | None:
    """The member ``text`` spells, or ``None``; exact canonical texts are found first."""
    table = spellings(cls)
    got = table.get(text)
    if got is None:
        got = table.get(spelling_key(text))
    return got


def unknown_message(cls: type[enum.Enum], text: str, what: str | None = None) -> str:
    """The one-line message for a value that spells no member of ``cls``."""
    name = what or cls.__name__.lower()
    return f"unknown {name} {text!r} (expected one of {accepted(cls)})"


def parse_enum(
    cls: type[E],
    text: str,
    *,
    field: str | None = None,
    row: int | None = None,
    file: str | None = None,
    what: str | None = None,
) -> E:
    """The member ``text`` spells; else :class:`~gridgov.errors.InvalidInput` naming
    ``file``, ``row``, ``field`` and the accepted values."""
    got = lookup_enum(cls, text)
    if got is None:
        message = unknown_message(cls, text, what or field)
        raise InvalidInput([SourceProblem(message, field=field, row=row, file=file)])
    return got


def canonical(member: enum.Enum) -> str:
    """The one written form of a member (its value)."""
    return str(member.value)
