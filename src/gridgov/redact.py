"""Redaction of credentials in URLs and in text that may quote them.

Everything gridgov shows (stderr, CLI output) or stores about a failure
(``deliveries.last_error``) goes through :func:`redact_text` first: a
password in ``user:password@host`` and the values of query parameters that
carry secrets (``access_token``, ``sign``, ``key``...) become ``***``. The
user's configuration itself is kept exactly; only what is *shown* changes.

>>> redact_url("https://u:pw@example.org/hook?access_token=abc&x=1")
'https://u:***@example.org/hook?access_token=***&x=1'
>>> redact_text("postgresql://me:s3cret@db/x: connection refused")
'postgresql://me:***@db/x: connection refused'
"""

from __future__ import annotations

import re

MASK = "***"

SECRET_PARAMS = frozenset(
    {
        "access_token",
        "token",
        "auth",
        "authorization",
        "key",
        "api_key",
        "apikey",
        "secret",
        "client_secret",
        "password",
        "passwd",
        "pwd",
        "sign",
        "signature",
        "sig",
        "code",
        "session",
        "sessionid",
        "private_token",
        "sendkey",
    }
)
"""Query parameters whose values are secrets (compared case-insensitively)."""

_URL = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>]+")
_PARAM = re.compile(r"([?&;#])([^=&;#]+)=([^&;#]*)")
_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)([^/@:?#]*):([^/?#]*)@")


def _secret_param(name: str) -> bool:
    lower = name.lower()
    return lower in SECRET_PARAMS or lower.endswith(("_token", "_secret", "_key", "password"))


def redact_url(url: str) -> str:
    """``url`` with its password and secret query values replaced by ``***`` (else unchanged)."""
    out = _USERINFO.sub(lambda m: f"{m.group(1)}{m.group(2)}:{MASK}@", url, count=1)
    if "?" in out or "#" in out:
        cut = min(i for i in (out.find("?"), out.find("#")) if i >= 0)
        out = out[:cut] + _PARAM.sub(_mask_param, out[cut:])
    return out


def _mask_param(match: re.Match[str]) -> str:
    sep, name, value = match.groups()
    return f"{sep}{name}={MASK}" if value and _secret_param(name) else match.group(0)


def redact_text(text: str) -> str:
    """``text`` with every URL in it redacted (see :func:`redact_url`)."""
    return _URL.sub(lambda m: redact_url(m.group(0)), text)


def redact_secrets(text: str, secrets: tuple[str, ...]) -> str:
    """``text`` with URLs redacted and each of ``secrets`` (at least 4 characters) masked."""
    out = redact_text(text)
    for secret in sorted(set(secrets), key=len, reverse=True):
        if len(secret) >= 4:
            out = out.replace(secret, MASK)
    return out
