"""Masking of personal data (names, ID numbers, phone numbers), and keyed ids.

Exports, logs and notifications call these by default; a caller that must show
the real values (an authorised officer's own export) passes ``mask=False``
to the exporter instead.

An id derived from personal data is *keyed* (:func:`keyed_digest`, HMAC-SHA256
under a secret the caller passes: a workspace's own, ``Workspace.secret()``), so
that nobody without the secret can recompute it from guessed facts, while the
same facts under the same secret give the same id every run. Which ids are keyed
and which are not (and why) is listed in ``docs/explanation/masking.md``.
"""

from __future__ import annotations

import hashlib
import hmac

SECRET_BYTES = 32
"""Length of a workspace secret (256 bits, the size of the HMAC-SHA256 block's hash)."""


def mask_name(name: str) -> str:
    """Keep a person's first character and hide the rest: ``'Zhang Wei'`` → ``'Z**'``."""
    stripped = name.strip()
    if not stripped:
        return name
    return stripped[0] + "**"


def mask_id_number(value: str) -> str:
    """Hide all but the last four characters of an ID or phone number."""
    if len(value) <= 4:
        return "*" * len(value)
    return "*" * (len(value) - 4) + value[-4:]


MASKED_FLAG = "<masked>"


def mask_flag(value: object) -> str:
    """Hide a health or vulnerability flag entirely."""
    del value
    return MASKED_FLAG


def keyed_digest(secret: bytes, text: str, *, length: int = 24) -> str:
    """HMAC-SHA256 of ``text`` under ``secret``, as ``length`` hex digits.

    The same ``secret`` and ``text`` always give the same digest; without the
    secret it cannot be recomputed (nor tested against guesses). ``secret`` must
    be at least 16 bytes (a workspace secret has :data:`SECRET_BYTES`).
    """
    if not isinstance(secret, bytes) or len(secret) < 16:
        raise ValueError("a keyed id needs a secret of at least 16 bytes")
    mac = hmac.new(secret, text.encode("utf-8", "surrogatepass"), hashlib.sha256)
    return mac.hexdigest()[:length]
