"""The SMTP channel against a real aiosmtpd server on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import socket
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from gridgov_smtp import SmtpChannel
from gridgov_smtp.options import SmtpOptions
from hypothesis import given, settings
from hypothesis import strategies as st

from gridgov import events as ev
from gridgov.errors import DeliveryFailed, InvalidInput
from gridgov.notify import (
    ChannelSpec,
    Message,
    Notifier,
    RetryPolicy,
    Route,
    Routing,
    build_channels,
)
from gridgov.plugins import Plugins, use_plugins
from gridgov.store import MemoryStore
from gridgov.tables import shown_key
from gridgov.testing import channel_workspace, option_errors, unknown_options

KEY = b"gridgov test secret, 32 bytes"  # the workspace secret event ids are keyed by

AT = dt.datetime(2022, 4, 2, 9, 30, tzinfo=dt.UTC)
HOSTILE = "O'Brien <b>x</b> '; DROP TABLE t; -- 张伟 社区 🚑"


class Inbox:
    def __init__(self) -> None:
        self.mails: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mails.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def certs(tmp_path: Path) -> tuple[Path, Path]:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def server() -> Iterator[Any]:
    started: list[Controller] = []

    def start(**kwargs: Any) -> tuple[Inbox, int]:
        inbox = Inbox()
        port = _free_port()
        c = Controller(inbox, hostname="127.0.0.1", port=port, **kwargs)
        c.start()
        started.append(c)
        return inbox, port

    yield start
    for c in started:
        c.stop()


def _message(channel: str = "mail") -> Message:
    e = ev.follow_up_overdue(
        secret=KEY,
        household="h1",
        unit="G1",
        due=AT,
        at=AT,
        resident_name="Zhang Wei",
        health="fever",
    )
    e = ev.Event(e.id, e.kind, e.at, e.unit, HOSTILE, e.data, e.personal)
    return Message.for_event(e, channel)


def test_plain_smtp_delivers_a_masked_mail_with_its_key(server) -> None:
    inbox, port = server()
    m = _message()
    SmtpChannel(host="127.0.0.1", port=port, sender="gg@example.org", to=["duty@example.org"]).send(
        m
    )
    [mail] = inbox.mails
    assert inbox.envelopes == [("gg@example.org", ["duty@example.org"])]
    assert mail["X-Gridgov-Idempotency-Key"] == m.key
    assert mail["Message-ID"] == f"<{m.event.id}.mail@gridgov>"
    assert HOSTILE in str(mail["Subject"])
    body = mail.get_content()
    assert HOSTILE in body
    assert "Zhang Wei" not in body
    assert "Z**" in body


def test_starttls_with_login(server, certs) -> None:
    cert, key = certs
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(str(cert), str(key))
    logins: list[tuple[bytes, bytes]] = []

    def auth(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        assert isinstance(data, LoginPassword)
        logins.append((data.login, data.password))
        return AuthResult(success=data.password == b"pa55")

    inbox, port = server(tls_context=ctx, require_starttls=True, authenticator=auth)
    channel = SmtpChannel(
        host="127.0.0.1",
        port=port,
        sender="gg@example.org",
        to=["a@example.org", "b@example.org"],
        starttls=True,
        username="gridgov",
        password="pa55",
        ca_file=str(cert),
    )
    channel.send(_message())
    assert len(inbox.mails) == 1
    assert logins == [(b"gridgov", b"pa55")]
    # without the CA the certificate is not trusted: verification is on
    untrusted = SmtpChannel(
        host="127.0.0.1", port=port, sender="gg@example.org", to=["a@example.org"], starttls=True
    )
    with pytest.raises(DeliveryFailed, match="CERTIFICATE_VERIFY_FAILED") as failed:
        untrusted.send(_message())
    assert failed.value.unavailable
    # a server that requires STARTTLS refuses a plain client
    plain = SmtpChannel(host="127.0.0.1", port=port, sender="gg@example.org", to=["a@example.org"])
    with pytest.raises(Exception, match="STARTTLS"):
        plain.send(_message())


def test_a_down_server_is_retried_until_it_is_up(server) -> None:
    port = _free_port()
    now = [0.0]
    with use_plugins(Plugins(load_entry_points=False)):
        notifier = Notifier(
            MemoryStore(),
            {"mail": SmtpChannel(host="127.0.0.1", port=port, sender="g@x.org", to=["d@x.org"])},
            Routing((Route(("mail",)),)),
            policy=RetryPolicy(base=5.0),
            clock=lambda: now[0],
        )
        notifier.publish(_message().event)
        first = notifier.flush()
        assert first.failed == 1
        assert "Connection refused" in first.errors[0] or "ConnectionRefused" in first.errors[0]
        inbox = Inbox()
        c = Controller(inbox, hostname="127.0.0.1", port=port)
        c.start()
        try:
            now[0] = 5.0
            assert notifier.flush().delivered == 1
            assert notifier.flush().delivered == 0
        finally:
            c.stop()
    assert len(inbox.mails) == 1


def test_registered_and_configured_from_options(monkeypatch) -> None:
    monkeypatch.setenv("MAIL_PW", "pw")
    with use_plugins(Plugins()):
        channels = build_channels(
            [
                ChannelSpec(
                    "mail",
                    "smtp",
                    {
                        "host": "smtp.example.org",
                        "port": 587,
                        "starttls": True,
                        "username": "u",
                        "password_env": "MAIL_PW",
                        "sender": "g@example.org",
                        "to": "d@example.org",
                    },
                )
            ]
        )
    channel = channels["mail"]
    assert isinstance(channel, SmtpChannel)
    assert (channel.password, channel.to) == ("pw", ["d@example.org"])
    with pytest.raises(ValueError, match="without starttls"):
        SmtpChannel(host="smtp.example.org", sender="g@x", to=["d@x"], username="u")
    with pytest.raises(InvalidInput, match=r"^password: unknown key \(known: host, port, "):
        SmtpChannel.from_options({"host": "h", "sender": "s@x", "to": ["t@x"], "password": "x"})


PLUGINS = Plugins()


def _errors(options: dict[str, object]) -> dict[str, str]:
    return option_errors("smtp", options, plugins=PLUGINS)


GOOD = {"host": "127.0.0.1", "sender": "gg@example.org", "to": ["duty@example.org"]}


def test_options_read_from_gridgov_toml_reach_the_server(
    server, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox, port = server()
    monkeypatch.setenv("GRIDGOV_TEST_MAIL_PW", "pw")
    options = {**GOOD, "port": port, "to": "duty@example.org", "timeout": 5}
    ws = channel_workspace(
        "smtp",
        plugins=PLUGINS,
        options=options | {"username": "u", "password_env": "GRIDGOV_TEST_MAIL_PW"},
    )
    with use_plugins(PLUGINS):
        channel = build_channels(ws.channels)["ch"]
    assert isinstance(channel, SmtpChannel)
    assert (channel.port, channel.to, channel.password) == (port, ["duty@example.org"], "pw")
    ws = channel_workspace("smtp", plugins=PLUGINS, options=options)
    with use_plugins(PLUGINS):
        build_channels(ws.channels)["ch"].send(_message())
    assert inbox.envelopes == [("gg@example.org", ["duty@example.org"])]


@pytest.mark.parametrize(
    ("options", "field", "says"),
    [
        ({"host": ""}, "host", "expected a host name"),
        ({"host": "smtp example.org"}, "host", "expected a host name"),
        ({"host": 5}, "host", "expected text"),
        ({"port": 0}, "port", "between 1 and 65535"),
        ({"port": 65536}, "port", "between 1 and 65535"),
        ({"port": 25.0}, "port", "expected a whole number"),
        ({"port": "25"}, "port", "expected a whole number"),
        ({"port": True}, "port", "expected a whole number"),
        ({"sender": "gridgov"}, "sender", "e-mail address"),
        ({"sender": "g@x.org\r\nBcc: all@x.org"}, "sender", "e-mail address"),
        ({"to": []}, "to", "at least one recipient"),
        ({"to": 5}, "to", "expected a list"),
        ({"to": {"a": "d@x"}}, "to", "expected a list"),
        ({"to": ["d@x.org", "nobody"]}, "to[1]", "e-mail address"),
        ({"to": ["d@x.org", 7]}, "to[1]", "expected text"),
        ({"starttls": "yes"}, "starttls", "true or false"),
        ({"timeout": 0}, "timeout", "more than 0"),
        ({"timeout": 601}, "timeout", "at most 600"),
        ({"timeout": float("inf")}, "timeout", "finite"),
        ({"timeout": float("nan")}, "timeout", "finite"),
        ({"username": ""}, "username", "expected a user name"),
        ({"host": "smtp.example.org", "username": "u"}, "username", "without starttls"),
        ({"password_env": "GRIDGOV_TEST_NO_SUCH_VARIABLE"}, "password_env", "is not set"),
        ({"ca_file": "/no/such/ca.pem"}, "ca_file", "cannot load"),
        ({"host": None}, "host", "required"),
    ],
)
def test_a_bad_option_is_an_error_naming_its_key(
    options: dict[str, object], field: str, says: str
) -> None:
    given = {k: v for k, v in (GOOD | options).items() if v is not None}
    errors = _errors(given)
    assert list(errors) == [field]
    assert says in errors[field]


def test_every_bad_option_is_named_at_once() -> None:
    errors = _errors({"host": "", "port": 0, "to": ["a@x", "b", "c"], "pasword_env": "X"})
    names = ("host", "port", "sender", "to[1]", "to[2]", "pasword_env")  # sender: required
    assert set(errors) == set(names)


@settings(max_examples=40, deadline=None)
@given(
    extra=unknown_options(SmtpOptions),
    given_keys=st.sets(st.sampled_from(["port", "starttls", "timeout"])),
)
def test_an_unknown_key_anywhere_in_the_options_is_an_error_naming_it(
    extra: dict[str, object], given_keys: set[str]
) -> None:
    good = {**GOOD, "port": 2525, "starttls": False, "timeout": 2.5}
    options = {k: v for k, v in good.items() if k in GOOD or k in given_keys} | extra
    errors = _errors(options)
    assert set(errors) == {shown_key(k) for k in extra}
    assert all(m.startswith("unknown key (known: host, port, ") for m in errors.values())


class Picky(Inbox):
    """Refuses ``refuse`` recipients with ``code`` the first ``times`` times it sees each."""

    def __init__(self, refuse: set[str], code: int, times: int) -> None:
        super().__init__()
        self.refuse, self.code, self.left = refuse, code, dict.fromkeys(refuse, times)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse and self.left[address] > 0:
            self.left[address] -= 1
            return f"{self.code} mailbox not available now"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.mark.parametrize(("code", "times"), [(450, 3), (550, 10**9)])
def test_a_refused_recipient_is_retried_alone_and_the_others_get_one_mail(
    code: int, times: int
) -> None:
    inbox = Picky({"b@x.org"}, code, times)
    port = _free_port()
    c = Controller(inbox, hostname="127.0.0.1", port=port)
    c.start()
    now = [0.0]
    try:
        with use_plugins(Plugins(load_entry_points=False)):
            channel = SmtpChannel(
                host="127.0.0.1", port=port, sender="g@x.org", to=["a@x.org", "b@x.org", "c@x.org"]
            )
            store = MemoryStore()
            notifier = Notifier(
                store,
                {"mail": channel},
                Routing((Route(("mail",)),)),
                policy=RetryPolicy(base=1.0, max_attempts=6),
                clock=lambda: now[0],
                sleep=lambda s: now.__setitem__(0, now[0] + s),
            )
            notifier.publish(_message().event)
            report = notifier.drain(timeout=600)
    finally:
        c.stop()
    got = [r for _, rcpts in inbox.envelopes for r in rcpts]
    assert sorted(got.count(r) for r in ("a@x.org", "c@x.org")) == [1, 1]
    [d] = store.deliveries()
    if code == 450:  # temporary: b gets it once it accepts, alone
        assert got.count("b@x.org") == 1
        assert inbox.envelopes[-1][1] == ["b@x.org"]
        assert (d.status, d.attempts, report.delivered) == ("delivered", 4, 1)
    else:  # permanent: given up at once, and a and c were not sent a second copy
        assert got.count("b@x.org") == 0
        assert (d.status, d.attempts) == ("dead", 1)
        assert "b@x.org: 550" in d.last_error
        assert d.done == ("a@x.org", "c@x.org")
