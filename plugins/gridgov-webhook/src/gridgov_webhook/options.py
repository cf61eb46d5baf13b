"""The options of a ``type = "webhook"`` channel: a table class read by gridgov's converter.

An unknown or mistyped option is an error naming it
(``gridgov.toml: channels.ops.timeout: expected a number, got 'ten'``); the
configuration reference shows the keys from this class.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import attrs

from gridgov.redact import redact_url
from gridgov.tables import Bounded, nonblank, setting, table

STYLES = ("standard", "dingtalk")
MSGTYPES = ("markdown", "text")


def _http_url(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"expected an http:// or https:// URL, got {redact_url(value)!r}")
    try:
        parts.port  # noqa: B018  (a port out of range raises here)
    except ValueError:
        raise ValueError(f"the URL's port is not 1-65535: {redact_url(value)!r}") from None
    if not parts.hostname:
        raise ValueError(f"the URL has no host: {redact_url(value)!r}")
    if any(c.isspace() or not c.isprintable() for c in value):
        raise ValueError("the URL holds a space or a control character")


def _one_of(names: tuple[str, ...]) -> Any:
    def check(_: object, attribute: attrs.Attribute[str], value: str) -> None:
        if value not in names:
            raise ValueError(f"expected one of {', '.join(names)}, got {value!r}")

    return check


@table()
@attrs.frozen
class WebhookOptions:
    """The ``[channels.NAME]`` options of a webhook channel (besides ``type`` and ``mask``)."""

    url: str = setting(validator=_http_url, doc="`http://` or `https://` receiver")
    secret: str | None = setting(
        None,
        validator=nonblank("a secret"),
        shown="none",
        doc="signing secret (`whsec_` + base64 for the Standard Webhooks style; "
        "the robot's secret for `dingtalk`)",
    )
    style: str = setting(
        "standard",
        validator=_one_of(STYLES),
        doc="`standard` (Standard Webhooks signed JSON) or `dingtalk` (chat-group robot)",
    )
    msgtype: str = setting(
        "markdown", validator=_one_of(MSGTYPES), doc="`markdown` or `text` (robot message type)"
    )
    timeout: float = setting(10.0, validator=Bounded(0, 600, above=True), doc="seconds per request")
    ca_file: str | None = setting(
        None,
        validator=nonblank("a file name"),
        shown="none",
        doc="an extra trusted CA certificate (certificates are always verified)",
    )
