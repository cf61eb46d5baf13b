"""The webhook channel against real HTTP servers on 127.0.0.1.

Every server verifies signatures with the independent ``standardwebhooks`` package.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from gridgov_webhook import WebhookChannel, WebhookError, sign
from gridgov_webhook.options import WebhookOptions
from hypothesis import given, settings
from hypothesis import strategies as st
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from gridgov import events as ev
from gridgov.errors import InvalidInput
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

SECRET = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()
AT = dt.datetime(2022, 4, 2, 9, 30)
HOSTILE = "O'Brien <script>alert(1)</script> '; DROP TABLE x; -- 张伟 🚑 " + "长" * 2000


class Receiver:
    """A real HTTP server; ``behave(n)`` gives (status, delay) for the n-th request (1-based)."""

    def __init__(
        self,
        behave: Callable[[int], tuple[int, float]] = lambda n: (200, 0.0),
        *,
        secret: str = SECRET,
        tls: tuple[Path, Path] | None = None,
        robot_secret: str | None = None,
    ) -> None:
        self.behave = behave
        self.count = 0
        self.accepted: list[str] = []
        self.bodies: list[object] = []
        self.problems: list[str] = []
        self.lock = threading.Lock()
        verifier = Webhook(secret)
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                with outer.lock:
                    outer.count += 1
                    n = outer.count
                status, delay = outer.behave(n)
                if delay:
                    time.sleep(delay)
                try:
                    if robot_secret is None:
                        data = verifier.verify(body, dict(self.headers.items()))
                        key = self.headers["webhook-id"]
                    else:
                        q = parse_qs(urlsplit(self.path).query)
                        ts = q["timestamp"][0]
                        want = hmac.new(
                            robot_secret.encode(), f"{ts}\n{robot_secret}".encode(), hashlib.sha256
                        ).digest()
                        if base64.b64decode(q["sign"][0]) != want:
                            raise WebhookVerificationError("bad robot signature")
                        data = json.loads(body)
                        key = str(n)
                except WebhookVerificationError as exc:
                    outer.problems.append(str(exc))
                    status = 401
                else:
                    if status == 200:
                        with outer.lock:
                            outer.accepted.append(key)
                            outer.bodies.append(data)
                answer = b'{"errcode":0}' if status == 200 else b"no"
                self.send_response(status)
                self.send_header("content-length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        scheme = "http"
        if tls is not None:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(str(tls[0]), str(tls[1]))
            self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
            scheme = "https"
        self.url = f"{scheme}://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Callable[..., Receiver]]:
    made: list[Receiver] = []

    def make(*args: object, **kwargs: object) -> Receiver:
        r = Receiver(*args, **kwargs)  # type: ignore[arg-type]
        made.append(r)
        return r

    yield make
    for r in made:
        r.close()


def _message(i: int = 0, unit: str = "G1") -> Message:
    e = ev.follow_up_overdue(
        secret=KEY,
        household=f"h{i}",
        unit=unit,
        due=AT,
        at=AT,
        resident_name="Zhang Wei",
        health="fever",
    )
    e = ev.Event(e.id, e.kind, e.at, e.unit, HOSTILE, e.data, e.personal)
    return Message.for_event(e, "hook")


def test_signature_matches_the_specification_example() -> None:
    # the example of the Standard Webhooks specification / reference libraries
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    assert (
        sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body)
        == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )


def test_a_signed_post_is_verified_by_an_independent_implementation(receiver) -> None:
    r = receiver()
    channel = WebhookChannel(r.url, secret=SECRET, timeout=5)
    m = _message()
    channel.send(m)
    assert r.accepted == [m.event.id]
    body = r.bodies[0]
    assert body["summary"] == HOSTILE
    assert body["personal"] == {"resident_name": "Z**", "health": "<masked>"}
    assert "Zhang Wei" not in json.dumps(body, ensure_ascii=False)


def test_a_wrong_secret_is_refused_by_the_receiver(receiver) -> None:
    r = receiver()
    other = "whsec_" + base64.b64encode(b"another secret of 32 bytes......").decode()
    with pytest.raises(WebhookError, match="HTTP 401"):
        WebhookChannel(r.url, secret=other).send(_message())
    assert r.accepted == []
    assert r.problems


def test_a_slow_server_times_out(receiver) -> None:
    r = receiver(lambda n: (200, 1.5))
    channel = WebhookChannel(r.url, secret=SECRET, timeout=0.3)
    with pytest.raises(WebhookError, match="timed out"):
        channel.send(_message())


def test_a_failing_server_is_an_error(receiver) -> None:
    r = receiver(lambda n: (500, 0.0))
    with pytest.raises(WebhookError, match="HTTP 500"):
        WebhookChannel(r.url, secret=SECRET).send(_message())


def test_500_then_200_delivers_every_event_exactly_once_by_id(receiver) -> None:
    # down for the first 3 requests, slow (beyond the time-out) for the 4th, then fine
    r = receiver(lambda n: (500, 0.0) if n <= 3 else (200, 1.0 if n == 4 else 0.0))
    now = [1_000.0]
    plugins = Plugins(load_entry_points=False)
    with use_plugins(plugins):
        notifier = Notifier(
            MemoryStore(),
            {"hook": WebhookChannel(r.url, secret=SECRET, timeout=0.5)},
            Routing((Route(("hook",)),)),
            policy=RetryPolicy(base=1.0, max_attempts=20),
            clock=lambda: now[0],
            sleep=lambda s: now.__setitem__(0, now[0] + s),
        )
        messages = [_message(i) for i in range(5)]
        for m in messages:
            notifier.publish(m.event)
        report = notifier.drain(timeout=10_000)
    assert report.pending == 0
    assert report.failed >= 4
    ids = {m.event.id for m in messages}
    # at least once: the slow request may have been accepted after the client gave up
    assert set(r.accepted) == ids
    assert len(r.accepted) - len(set(r.accepted)) <= 1
    assert len(r.accepted) >= len(ids)


def test_tls_certificates_are_verified(receiver, tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    r = receiver(tls=(cert, key))
    with pytest.raises(WebhookError, match="CERTIFICATE_VERIFY_FAILED"):
        WebhookChannel(r.url, secret=SECRET, timeout=5).send(_message())
    WebhookChannel(r.url, secret=SECRET, timeout=5, ca_file=str(cert)).send(_message())
    assert len(r.accepted) == 1


@pytest.mark.parametrize("msgtype", ["text", "markdown"])
def test_dingtalk_style_robot(receiver, msgtype: str) -> None:
    robot = "SECabc123"
    r = receiver(robot_secret=robot)
    channel = WebhookChannel(
        r.url + "?access_token=t", secret=robot, style="dingtalk", msgtype=msgtype
    )
    channel.send(_message())
    body = r.bodies[0]
    assert body["msgtype"] == msgtype
    text = body["text"]["content"] if msgtype == "text" else body["markdown"]["text"]
    assert "follow-up-overdue" in text
    assert "Zhang Wei" not in text
    bad = WebhookChannel(r.url, secret="wrong", style="dingtalk")
    with pytest.raises(WebhookError, match="HTTP 401"):
        bad.send(_message())


def test_registered_through_the_entry_point() -> None:
    plugins = Plugins()
    assert plugins.registry("notifier")["webhook"].plugin == "webhook"
    with use_plugins(plugins):
        channels = build_channels(
            [ChannelSpec("ops", "webhook", {"url": "https://example.org/h", "secret": SECRET})]
        )
    assert isinstance(channels["ops"], WebhookChannel)


def test_bad_options_fail_at_start_up() -> None:
    with pytest.raises(ValueError, match="http"):
        WebhookChannel("ftp://x")
    with pytest.raises(ValueError, match="whsec_"):
        WebhookChannel("https://x", secret="whsec_***")
    with pytest.raises(InvalidInput, match=r"^verify: unknown key \(known: url, secret, "):
        WebhookChannel.from_options({"url": "https://x", "verify": False})


PLUGINS = Plugins()


def _errors(options: dict[str, object]) -> dict[str, str]:
    return option_errors("webhook", options, plugins=PLUGINS)


def test_options_read_from_gridgov_toml_reach_the_receiver(
    receiver: Callable[..., Receiver],
) -> None:
    r = receiver()
    ws = channel_workspace(
        "webhook", plugins=PLUGINS, options={"url": r.url, "secret": SECRET, "timeout": 5}
    )
    with use_plugins(PLUGINS):
        channel = build_channels(ws.channels)["ch"]
    assert isinstance(channel, WebhookChannel) and channel.timeout == 5.0
    channel.send(_message())
    assert len(r.accepted) == 1 and not r.problems


@pytest.mark.parametrize(
    ("options", "field", "says"),
    [
        ({"url": "ftp://x"}, "url", "http:// or https://"),
        ({"url": "https://:8080/h"}, "url", "no host"),
        ({"url": "https://x:70000/h"}, "url", "port"),
        ({"url": "https://x/a b"}, "url", "space"),
        ({"url": 5}, "url", "expected text"),
        ({"url": "https://x", "timeout": 0}, "timeout", "more than 0"),
        ({"url": "https://x", "timeout": -1.5}, "timeout", "more than 0"),
        ({"url": "https://x", "timeout": 601}, "timeout", "at most 600"),
        ({"url": "https://x", "timeout": float("inf")}, "timeout", "finite"),
        ({"url": "https://x", "timeout": float("nan")}, "timeout", "finite"),
        ({"url": "https://x", "timeout": True}, "timeout", "expected a number"),
        ({"url": "https://x", "timeout": "10"}, "timeout", "expected a number"),
        ({"url": "https://x", "style": "slack"}, "style", "standard, dingtalk"),
        ({"url": "https://x", "msgtype": "html"}, "msgtype", "markdown, text"),
        ({"url": "https://x", "secret": "whsec_***"}, "secret", "whsec_"),
        ({"url": "https://x", "secret": " "}, "secret", "expected a secret"),
        ({"url": "https://x", "ca_file": "/no/such/ca.pem"}, "ca_file", "cannot load"),
        ({}, "url", "required"),
    ],
)
def test_a_bad_option_is_an_error_naming_its_key(
    options: dict[str, object], field: str, says: str
) -> None:
    errors = _errors(options)
    assert list(errors) == [field]
    assert says in errors[field]


def test_a_bad_url_is_named_without_its_secrets() -> None:
    for url in (
        "ftp://ops:hunter2@x/?access_token=abc123",
        "https://ops:hunter2@x:99999/?sign=abc123",
    ):
        message = _errors({"url": url})["url"]
        assert "hunter2" not in message and "abc123" not in message
        assert "ops:***@" in message


def test_every_bad_option_is_named_at_once() -> None:
    errors = _errors({"url": "ftp://x", "timeout": 0, "style": "x", "verfy": 1})
    fields = {"url", "timeout", "style", "verfy"}
    assert set(errors) == fields
    assert "ftp" in errors["url"]


@settings(max_examples=40, deadline=None)
@given(
    extra=unknown_options(WebhookOptions),
    given_keys=st.sets(st.sampled_from(["secret", "style", "msgtype", "timeout"])),
)
def test_an_unknown_key_anywhere_in_the_options_is_an_error_naming_it(
    extra: dict[str, object], given_keys: set[str]
) -> None:
    good = {"url": "https://x/h", "secret": SECRET, "style": "standard", "msgtype": "text"}
    good["timeout"] = 2.5
    options = {k: v for k, v in good.items() if k == "url" or k in given_keys} | extra
    errors = _errors(options)
    assert set(errors) == {shown_key(k) for k in extra}
    assert all(m.startswith("unknown key (known: url, ") for m in errors.values())
