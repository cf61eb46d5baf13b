"""The options of a ``type = "smtp"`` channel: a table class read by gridgov's converter.

An unknown or mistyped option is an error naming it
(``gridgov.toml: channels.mail.port: port must be between 1 and 65535, got 0``); the
configuration reference shows the keys from this class.
"""

from __future__ import annotations

import os

import attrs
from cattrs.errors import IterableValidationError, IterableValidationNote

from gridgov.tables import Bounded, nonblank, setting, table


def _address(text: object) -> str | None:
    """Why ``text`` is not an e-mail address (``local@domain``, one line, no blanks), or None."""
    if not isinstance(text, str):
        return f"expected an e-mail address, got {text!r}"
    local, at, domain = text.rpartition("@")
    if not (at and local and domain) or any(c.isspace() or not c.isprintable() for c in text):
        return f"expected an e-mail address, got {text!r}"
    return None


def _sender(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    problem = _address(value)
    if problem:
        raise ValueError(problem)


def _recipients(
    _: object, attribute: attrs.Attribute[tuple[str, ...]], value: tuple[str, ...]
) -> None:
    if not value:
        raise ValueError("expected at least one recipient")
    errors = []
    for i, address in enumerate(value):
        problem = _address(address)
        if problem:  # named to[i], every bad one
            error = ValueError(problem)
            error.add_note(IterableValidationNote(f"Structuring to[{i}]", i, str))
            errors.append(error)
    if errors:
        raise IterableValidationError("bad recipients", errors, tuple[str, ...])


def _host(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not value or any(c.isspace() or not c.isprintable() for c in value):
        raise ValueError(f"expected a host name, got {value!r}")


def _variable(_: object, attribute: attrs.Attribute[str | None], value: str | None) -> None:
    if value is not None and value not in os.environ:
        raise ValueError(f"the environment variable {value!r} is not set")


@table()
@attrs.frozen(kw_only=True)
class SmtpOptions:
    """The ``[channels.NAME]`` options of an SMTP channel (besides ``type`` and ``mask``).

    ``to`` may be one address as a string (the channel's factory makes it a list).
    """

    host: str = setting(validator=_host, doc="SMTP server")
    port: int = setting(25, validator=Bounded(1, 65535), doc="its port")
    sender: str = setting(validator=_sender, doc="`From:` address")
    to: tuple[str, ...] = setting(
        validator=_recipients, doc="recipients (one address may be given as a string)"
    )
    starttls: bool = setting(False, doc="upgrade the connection with STARTTLS")
    username: str | None = setting(
        None,
        validator=nonblank("a user name"),
        shown="none",
        doc="login (refused without `starttls` unless the host is loopback)",
    )
    password_env: str | None = setting(
        None,
        validator=[nonblank("a variable name"), _variable],
        shown="none",
        doc="name of the environment variable holding the password (never the password itself)",
    )
    timeout: float = setting(
        10.0, validator=Bounded(0, 600, above=True), doc="seconds per connection"
    )
    ca_file: str | None = setting(
        None,
        validator=nonblank("a file name"),
        shown="none",
        doc="an extra trusted CA certificate",
    )
