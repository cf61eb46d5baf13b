"""The SMTP channel: one e-mail per message."""

from __future__ import annotations

import json
import os
import re
import smtplib
import ssl
from collections.abc import Sequence
from email.header import Header
from email.mime.text import MIMEText
from email.utils import formatdate
from typing import Any

import attrs

from gridgov.errors import DeliveryFailed, InvalidInput, SourceProblem
from gridgov.notify import Message
from gridgov.serialize import structure
from gridgov_smtp.options import SmtpOptions

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
LOOPBACK = ("127.0.0.1", "::1", "localhost")
"""Hosts a password may be sent to without STARTTLS."""


def build_email(message: Message, *, sender: str, to: Sequence[str]) -> MIMEText:
    """The e-mail for ``message``: subject, text body with the JSON payload, idempotency key.

    The subject is encoded as whole UTF-8 encoded-words (``email.header.Header``)
    so that non-Latin text and its spaces survive; the body is UTF-8 text.
    """
    event = message.event
    body = message.text + "\n\n" + json.dumps(message.payload, ensure_ascii=False, indent=1)
    mail = MIMEText(body + "\n", "plain", "utf-8")
    subject = f"[gridgov] {event.kind.value} {event.unit}: {event.summary}"
    # compat32 messages take Header objects (typeshed only knows str)
    mail["Subject"] = Header(" ".join(subject.split())[:250], "utf-8")  # type: ignore[assignment]
    mail["From"] = sender
    mail["To"] = ", ".join(to)
    mail["Date"] = formatdate(event.at.timestamp(), localtime=False)
    mail["Message-ID"] = f"<{_UNSAFE.sub('_', message.key.replace(':', '.'))}@gridgov>"
    mail["X-Gridgov-Idempotency-Key"] = message.key
    return mail


class SmtpChannel:
    """Send messages through an SMTP server (``starttls`` upgrades the connection)."""

    def __init__(
        self,
        *,
        host: str,
        sender: str,
        to: Sequence[str],
        port: int = 25,
        starttls: bool = False,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 10.0,
        ca_file: str | None = None,
    ) -> None:
        given: dict[str, Any] = {
            "host": host,
            "sender": sender,
            "to": to,
            "port": port,
            "starttls": starttls,
        }
        given |= {"username": username, "timeout": timeout, "ca_file": ca_file}
        read = structure({k: v for k, v in given.items() if v is not None}, SmtpOptions, path="")
        if password is not None and not isinstance(password, str):
            raise InvalidInput([SourceProblem("expected text", field="password")])
        if read.username is not None and not read.starttls and read.host not in LOOPBACK:
            raise InvalidInput(
                [
                    SourceProblem(
                        "refusing to send a password without starttls = true", field="username"
                    )
                ]
            )
        self.host = read.host
        self.port = read.port
        self.sender = read.sender
        self.to = list(read.to)
        self.starttls = read.starttls
        self.username = read.username
        self.password = password
        self.timeout = read.timeout
        try:
            self.context = ssl.create_default_context(cafile=read.ca_file)
        except (OSError, ssl.SSLError) as exc:  # no such file, or not PEM certificates
            raise InvalidInput(
                [SourceProblem(f"cannot load CA file: {exc}", field="ca_file")]
            ) from None

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> SmtpChannel:
        """From ``[channels.NAME]`` options (:class:`~gridgov_smtp.options.SmtpOptions`;
        ``password_env`` names an environment variable); :class:`~gridgov.errors.InvalidInput`
        names each bad one."""
        opts = dict(options)
        if isinstance(opts.get("to"), str):
            opts["to"] = [opts["to"]]
        read = structure(opts, SmtpOptions, path="")
        fields = attrs.asdict(read)
        env = fields.pop("password_env")
        return cls(**fields, password=None if env is None else os.environ[env])

    def send(self, message: Message) -> None:
        """Send one e-mail to every recipient not in ``message.done``.

        Recipients the server accepted are reported in :class:`DeliveryFailed`'s
        ``done`` when others were refused, so a retry goes only to the refused
        ones; refusals that are all permanent (5xx) are not retried. A server
        that cannot be reached (or drops the connection) is ``unavailable``.
        """
        to = [r for r in self.to if r not in message.done]
        if not to:
            return
        mail = build_email(message, sender=self.sender, to=self.to)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                smtp.ehlo()
                if self.starttls:
                    smtp.starttls(context=self.context)
                    smtp.ehlo()
                if self.username is not None:
                    smtp.login(self.username, self.password or "")
                refused = smtp.send_message(mail, from_addr=self.sender, to_addrs=to)
        except smtplib.SMTPRecipientsRefused as exc:
            refused = exc.recipients
        except smtplib.SMTPDataError as exc:  # the message itself was refused
            raise DeliveryFailed(
                f"{self.host}:{self.port}: {exc.smtp_code} {_text(exc.smtp_error)}",
                permanent=500 <= exc.smtp_code < 600,
            ) from None
        except smtplib.SMTPResponseException as exc:  # log-in, sender: the channel's set-up
            raise DeliveryFailed(
                f"{self.host}:{self.port}: {exc.smtp_code} {_text(exc.smtp_error)}",
                unavailable=True,
            ) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryFailed(f"{self.host}:{self.port}: {exc}", unavailable=True) from None
        if refused:
            accepted = tuple(message.done) + tuple(r for r in to if r not in refused)
            codes = ", ".join(f"{r}: {c} {_text(m)}" for r, (c, m) in sorted(refused.items()))
            raise DeliveryFailed(
                f"{self.host}:{self.port}: refused {codes}",
                permanent=all(500 <= c < 600 for c, _ in refused.values()),
                done=accepted,
            )


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
