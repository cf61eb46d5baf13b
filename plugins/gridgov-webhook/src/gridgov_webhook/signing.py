"""Signatures: Standard Webhooks (``v1``) and DingTalk-style robot URLs."""

from __future__ import annotations

import base64
import hashlib
import hmac


def signing_key(secret: str) -> bytes:
    """The HMAC key of a Standard Webhooks secret (``whsec_`` + base64)."""
    raw = secret.removeprefix("whsec_")
    try:
        return base64.b64decode(raw, validate=True)
    except ValueError:
        raise ValueError("a webhook secret must be 'whsec_' followed by base64") from None


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header: ``v1,`` + base64(HMAC-SHA256(id.timestamp.body))."""
    content = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(signing_key(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """A robot's ``sign`` query value: base64(HMAC-SHA256(secret, "timestamp\\nsecret"))."""
    text = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode("utf-8"), text, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")
