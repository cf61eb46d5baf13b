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
from urllib.parse import quote

import attrs

from gridgov.errors import DeliveryFailed, InvalidInput, SourceProblem
from gridgov.notify import Message
from gridgov.redact import redact_url
from gridgov.serialize import structure
from gridgov_webhook.options import WebhookOptions
from gridgov_webhook.signing import dingtalk_sign, sign, signing_key


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
        given: dict[str, Any] = {"url": url, "secret": secret, "style": style}
        given |= {"msgtype": msgtype, "timeout": timeout, "ca_file": ca_file}
        read = structure({k: v for k, v in given.items() if v is not None}, WebhookOptions, path="")
        if read.style == "standard" and read.secret is not None:
            try:
                signing_key(read.secret)  # fail at start-up, not at the first event
            except ValueError as exc:
                raise InvalidInput([SourceProblem(str(exc), field="secret")]) from None
        self.url = read.url
        self.secret = read.secret
        self.style = read.style
        self.msgtype = read.msgtype
        self.timeout = read.timeout
        self.clock = clock
        try:
            context = ssl.create_default_context(cafile=read.ca_file)
        except (OSError, ssl.SSLError) as exc:  # no such file, or not PEM certificates
            raise InvalidInput(
                [SourceProblem(f"cannot load CA file: {exc}", field="ca_file")]
            ) from None
        self._opener = urllib.request.build_opener(
            _NoRedirect(), urllib.request.HTTPSHandler(context=context)
        )

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> WebhookChannel:
        """From ``[channels.NAME]`` options (:class:`~gridgov_webhook.options.WebhookOptions`);
        :class:`~gridgov.errors.InvalidInput` names each bad one."""
        read = structure(options, WebhookOptions, path="")
        return cls(**attrs.asdict(read))

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
