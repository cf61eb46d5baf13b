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

from gridgov.errors import DeliveryFailed
from gridgov.notify import Message

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


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
        if isinstance(to, list | tuple) and not to:
            raise ValueError("the smtp channel needs at least one recipient in 'to'")
        if not isinstance(host, str) or not host:
            raise ValueError(f"host must be a host name, got {host!r}")
        if not isinstance(sender, str) or "@" not in sender:
            raise ValueError(f"sender must be an e-mail address, got {sender!r}")
        if not isinstance(to, list | tuple) or not all(isinstance(r, str) and "@" in r for r in to):
            raise ValueError(f"to must be a list of e-mail addresses, got {to!r}")
        if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
            raise ValueError(f"port must be a whole number from 1 to 65535, got {port!r}")
        if isinstance(timeout, bool) or not isinstance(timeout, int | float):
            raise ValueError(f"timeout must be a number of seconds, got {timeout!r}")
        if not 0 < timeout <= 600:
            raise ValueError(f"timeout must be between 0 and 600 seconds, got {timeout}")
        if not isinstance(starttls, bool):
            raise ValueError(f"starttls must be true or false, got {starttls!r}")
        if username is not None and not starttls and host not in ("127.0.0.1", "localhost"):
            raise ValueError("refusing to send a password without starttls = true")
        self.host = host
        self.port = int(port)
        self.sender = sender
        self.to = list(to)
        self.starttls = starttls
        self.username = username
        self.password = password
        self.timeout = float(timeout)
        self.context = ssl.create_default_context(cafile=ca_file)

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> SmtpChannel:
        """From ``[channels.NAME]`` options (``password_env`` names an environment variable)."""
        opts = dict(options)
        allowed = {"host", "port", "sender", "to", "starttls", "username", "password_env"}
        allowed |= {"timeout", "ca_file"}
        extra = set(opts) - allowed
        if extra:
            raise ValueError(f"unknown options for the smtp channel: {', '.join(sorted(extra))}")
        env = opts.pop("password_env", None)
        if env is not None:
            if env not in os.environ:
                raise ValueError(f"the smtp password variable {env} is not set")
            opts["password"] = os.environ[env]
        if isinstance(opts.get("to"), str):
            opts["to"] = [opts["to"]]
        return cls(**opts)

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
