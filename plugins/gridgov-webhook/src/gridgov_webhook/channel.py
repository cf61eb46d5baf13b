"""The webhook channel: one HTTPS (or HTTP) POST per message, with time-outs."""

from __future__ import annotations

import email.utils
import json
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlsplit

from gridgov.errors import DeliveryFailed
from gridgov.notify import Message
from gridgov.redact import redact_url
from gridgov_webhook.signing import dingtalk_sign, sign, signing_key

STYLES = ("standard", "dingtalk")


class WebhookError(DeliveryFailed):
    """The receiver did not accept a message (says whether to retry, see ``DeliveryFailed``)."""


def retry_after_seconds(value: str | None, now: float) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait (delta-seconds or an HTTP date), or None."""
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - now)


def http_failure(where: str, code: int, reason: str, retry_after: float | None) -> WebhookError:
    """What an HTTP status means for a delivery.

    4xx other than 408 (time-out) and 429 (too many requests) is permanent: the
    same request will be refused again. 429 and 503 with ``Retry-After`` defer
    the message to that time; every other status (5xx, 408, 3xx) is retried.
    """
    text = f"{where}: HTTP {code} {reason}".rstrip()
    if code in (429, 503) and retry_after is not None:
        return WebhookError(f"{text} (retry after {retry_after:g} s)", retry_after=retry_after)
    if 400 <= code < 500 and code not in (408, 429):
        return WebhookError(text, permanent=True)
    return WebhookError(text)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class WebhookChannel:
    """POST messages to ``url``; ``style`` is ``standard`` or ``dingtalk``.

    TLS certificates are always verified (``ca_file`` adds a trusted CA).
    """

    def __init__(
        self,
        url: str,
        *,
        secret: str | None = None,
        style: str = "standard",
        msgtype: str = "markdown",
        timeout: float = 10.0,
        ca_file: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https"):
            shown = redact_url(url) if isinstance(url, str) else url
            raise ValueError(f"webhook url must be http(s)://..., got {shown!r}")
        if not urlsplit(url).hostname:
            raise ValueError(f"webhook url has no host: {redact_url(url)!r}")
        if style not in STYLES:
            raise ValueError(f"webhook style must be one of {STYLES}, got {style!r}")
        if msgtype not in ("text", "markdown"):
            raise ValueError(f"msgtype must be 'text' or 'markdown', got {msgtype!r}")
        if style == "standard" and secret is not None:
            signing_key(secret)  # fail at start-up, not at the first event
        if isinstance(timeout, bool) or not isinstance(timeout, int | float):
            raise ValueError(f"timeout must be a number of seconds, got {timeout!r}")
        if not 0 < timeout <= 600:
            raise ValueError(f"timeout must be between 0 and 600 seconds, got {timeout}")
        if secret is not None and not isinstance(secret, str):
            raise ValueError("secret must be a string")
        self.url = url
        self.secret = secret
        self.style = style
        self.msgtype = msgtype
        self.timeout = float(timeout)
        self.clock = clock
        context = ssl.create_default_context(cafile=ca_file)
        self._opener = urllib.request.build_opener(
            _NoRedirect(), urllib.request.HTTPSHandler(context=context)
        )

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> WebhookChannel:
        """From ``[channels.NAME]`` options (see the README)."""
        allowed = {"url", "secret", "style", "msgtype", "timeout", "ca_file"}
        extra = set(options) - allowed
        if extra:
            raise ValueError(f"unknown options for the webhook channel: {', '.join(sorted(extra))}")
        if "url" not in options:
            raise ValueError("the webhook channel needs a url")
        return cls(**options)

    def request(self, message: Message) -> urllib.request.Request:
        """The HTTP request for ``message`` (signed)."""
        headers = {"content-type": "application/json; charset=utf-8", "user-agent": "gridgov"}
        url = self.url
        if self.style == "standard":
            body = json.dumps(message.payload, ensure_ascii=False, separators=(",", ":"))
            data = body.encode("utf-8")
            msg_id = message.event.id
            ts = int(self.clock())
            headers["webhook-id"] = msg_id
            headers["webhook-timestamp"] = str(ts)
            if self.secret is not None:
                headers["webhook-signature"] = sign(self.secret, msg_id, ts, data)
        else:
            data = json.dumps(self._robot_body(message), ensure_ascii=False).encode("utf-8")
            if self.secret is not None:
                ms = int(self.clock() * 1000)
                sep = "&" if "?" in url else "?"
                signature = quote(dingtalk_sign(self.secret, ms), safe="")
                url = f"{url}{sep}timestamp={ms}&sign={signature}"
        # the scheme was checked in __init__ (http or https only)
        return urllib.request.Request(url, data=data, headers=headers, method="POST")  # noqa: S310

    def _robot_body(self, message: Message) -> dict[str, Any]:
        if self.msgtype == "text":
            return {"msgtype": "text", "text": {"content": message.text}}
        from gridgov.escape import markdown_text as md

        title = message.event.kind.value
        lines = [f"#### {title}", "", md(message.event.summary or message.text), ""]
        lines += [f"- unit: {md(message.event.unit)}", f"- at: {message.event.at.isoformat()}"]
        lines += [
            f"- {md(k)}: {md(str(v))}" for k, v in sorted(message.payload["personal"].items())
        ]
        return {"msgtype": "markdown", "markdown": {"title": title, "text": "\n".join(lines)}}

    def send(self, message: Message) -> None:
        """POST ``message``; raise :class:`WebhookError` unless the receiver accepted it."""
        req = self.request(message)
        where = redact_url(self.url)
        try:
            with self._opener.open(req, timeout=self.timeout) as resp:
                status = resp.status
                answer = resp.read(65536)
        except urllib.error.HTTPError as exc:
            wait = retry_after_seconds(exc.headers.get("Retry-After"), self.clock())
            raise http_failure(where, exc.code, str(exc.reason), wait) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise WebhookError(f"{where}: {reason}", unavailable=True) from None
        if not 200 <= status < 300:
            raise http_failure(where, status, "", None)
        if self.style == "dingtalk":
            try:
                code = json.loads(answer or b"{}").get("errcode", 0)
            except (ValueError, AttributeError):
                code = 0
            if code:
                raise WebhookError(f"{where}: robot answered errcode {code}")
