"""The webhook channel: one HTTPS (or HTTP) POST per message, with time-outs."""

from __future__ import annotations

import json
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlsplit

from gridgov.errors import GridgovError
from gridgov.notify import Message
from gridgov_webhook.signing import dingtalk_sign, sign, signing_key

STYLES = ("standard", "dingtalk")


class WebhookError(GridgovError):
    """The receiver did not accept a message."""


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
        if urlsplit(url).scheme not in ("http", "https"):
            raise ValueError(f"webhook url must be http(s)://..., got {url!r}")
        if style not in STYLES:
            raise ValueError(f"webhook style must be one of {STYLES}, got {style!r}")
        if msgtype not in ("text", "markdown"):
            raise ValueError(f"msgtype must be 'text' or 'markdown', got {msgtype!r}")
        if style == "standard" and secret is not None:
            signing_key(secret)  # fail at start-up, not at the first event
        if timeout <= 0:
            raise ValueError(f"timeout must be positive, got {timeout}")
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
        title = message.event.kind.value
        lines = [f"#### {title}", "", message.event.summary or message.text, ""]
        lines += [f"- unit: {message.event.unit}", f"- at: {message.event.at.isoformat()}"]
        lines += [f"- {k}: {v}" for k, v in sorted(message.payload["personal"].items())]
        return {"msgtype": "markdown", "markdown": {"title": title, "text": "\n".join(lines)}}

    def send(self, message: Message) -> None:
        """POST ``message``; raise :class:`WebhookError` unless the receiver accepted it."""
        req = self.request(message)
        try:
            with self._opener.open(req, timeout=self.timeout) as resp:
                status = resp.status
                answer = resp.read(65536)
        except urllib.error.HTTPError as exc:
            raise WebhookError(f"{self.url}: HTTP {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise WebhookError(f"{self.url}: {reason}") from None
        if not 200 <= status < 300:
            raise WebhookError(f"{self.url}: HTTP {status}")
        if self.style == "dingtalk":
            try:
                code = json.loads(answer or b"{}").get("errcode", 0)
            except (ValueError, AttributeError):
                code = 0
            if code:
                raise WebhookError(f"{self.url}: robot answered errcode {code}")
