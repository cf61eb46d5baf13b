"""The outbox under faults, with real processes, a real store and loopback receivers.

Each test here failed before the outbox was reworked (claims per channel, leases,
classified failures, bounded settings); see issue 10.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from gridgov import events as ev
from gridgov.cli import main
from gridgov.notify import Notifier, RetryPolicy, Route, Routing
from gridgov.store import SqliteStore
from gridgov.store.visit_io import write_visits_jsonl
from gridgov.sweep.model import Sweep, Visit

from .loopback import Hook, closed_port, gridgov, start, workspace

pytest.importorskip("gridgov_webhook")
from gridgov_webhook import WebhookChannel

T0 = dt.datetime(2022, 4, 1, 8)


@pytest.fixture
def hook() -> Iterator[type[Hook]]:
    made: list[Hook] = []

    class Made(Hook):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            made.append(self)

    yield Made
    for h in made:
        h.close()


def _rejected_visits(root: Path, n: int) -> Path:
    """A sweep and ``n`` visits to households nobody stored (each becomes visit-rejected)."""
    store = SqliteStore(f"sqlite:///{root}/gridgov.db")
    store.save_sweep(Sweep("S1", "C", T0, T0 + dt.timedelta(days=1)))
    store.close()
    path = root / "visits.jsonl"
    write_visits_jsonl(
        (Visit(f"v{i:05d}", "S1", f"ghost{i}", T0 + dt.timedelta(seconds=i)) for i in range(n)),
        path,
    )
    return path


def test_flush_wait_returns_and_a_failing_channel_never_starves_a_healthy_one(
    tmp_path: Path,
) -> None:
    """1,100 due deliveries of a dead webhook first, then one for the log channel."""
    root = workspace(
        tmp_path / "ws",
        f"""
[channels.hook]
type = "webhook"
url = "http://127.0.0.1:{closed_port()}/hook"

[channels.log]
type = "log"
path = "events.log"

[[routes]]
events = ["visit-rejected"]
channels = ["hook"]

[[routes]]
events = ["roster-published"]
channels = ["log"]
""",
    )
    path = _rejected_visits(root, 1100)
    assert gridgov("sweep", "import-visits", str(path), "-w", str(root)).returncode == 1
    roster = tmp_path / "roster.json"
    roster.write_text(ROSTER_DOC, encoding="utf-8")
    published = gridgov("roster", "publish", str(roster), "--id", "R", "-w", str(root))
    assert published.returncode == 0, published.stderr
    # the roster's own flush already reached the log channel, past 1,100 failing ones
    assert len((root / "events.log").read_text(encoding="utf-8").splitlines()) == 1
    flushed = gridgov("notify", "flush", "--wait", "5", "-w", str(root), timeout=120)
    assert flushed.returncode == 1  # the webhook is still down
    assert "pending" in flushed.stdout
    lines = (root / "events.log").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    conn = sqlite3.connect(root / "gridgov.db")
    try:
        rows = dict(conn.execute("SELECT channel, COUNT(*) FROM deliveries GROUP BY channel"))
        delivered = conn.execute(
            "SELECT COUNT(*) FROM deliveries WHERE channel = 'log' AND status = 'delivered'"
        ).fetchone()[0]
    finally:
        conn.close()
    assert rows == {"hook": 1100, "log": 1}
    assert delivered == 1


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def _notifier(store: SqliteStore, url: str, clock: Clock, **policy: float) -> Notifier:
    return Notifier(
        store,
        {"hook": WebhookChannel(url, timeout=5, clock=clock)},
        Routing((Route(("hook",)),)),
        policy=RetryPolicy(**policy),  # type: ignore[arg-type]
        clock=clock,
        sleep=clock.sleep,
    )


def _events(n: int) -> list[ev.Event]:
    return [
        ev.roster_published(roster=f"r{i}", version=1, unit="C", at=T0 + dt.timedelta(minutes=i))
        for i in range(n)
    ]


@pytest.mark.parametrize("status", [400, 404, 410, 422, 500, 502])
def test_a_poison_message_never_blocks_its_channel(tmp_path: Path, hook, status: int) -> None:
    """The oldest message always fails; every other one is delivered in the same round."""
    evs = _events(6)
    poison = evs[0].id
    receiver = hook(lambda key, n: (status, {}) if key == poison else (200, {}))
    clock = Clock()
    store = SqliteStore(f"sqlite:///{tmp_path}/g.db")
    notifier = _notifier(store, receiver.url, clock, base=10.0, max_attempts=5)
    for e in evs:
        notifier.publish(e)
    first = notifier.flush()
    assert first.delivered == 5
    assert sorted(receiver.accepted) == sorted(e.id for e in evs[1:])
    [bad] = [d for d in store.deliveries() if d.event.id == poison]
    if status < 500:  # a permanent refusal: given up at once, never sent again
        assert (bad.status, bad.attempts) == ("dead", 1)
        assert f"HTTP {status}" in bad.last_error
    else:  # temporary: retried after back-off while the others went on
        assert (bad.status, bad.attempts, bad.next_attempt) == ("pending", 1, clock.now + 10.0)
    report = notifier.drain(timeout=3600)
    assert report.pending == 0
    assert receiver.seen[poison] == (1 if status < 500 else 5)
    assert sum(receiver.accepted.values()) == 5
    store.close()


@pytest.mark.parametrize("status", [408, 429])
def test_408_and_429_without_retry_after_are_retried(tmp_path: Path, hook, status: int) -> None:
    receiver = hook(lambda key, n: (status, {}) if n == 1 else (200, {}))
    clock = Clock()
    store = SqliteStore(f"sqlite:///{tmp_path}/g.db")
    notifier = _notifier(store, receiver.url, clock, base=3.0)
    notifier.publish(_events(1)[0])
    assert notifier.flush().failed == 1
    assert notifier.drain(timeout=60).delivered == 1
    assert store.deliveries()[0].attempts == 2
    store.close()


@pytest.mark.parametrize("status", [429, 503])
@pytest.mark.parametrize("header", ["7", "date"])
def test_retry_after_is_honoured_and_not_counted_as_an_attempt(
    tmp_path: Path, hook, status: int, header: str
) -> None:
    clock = Clock()
    value = "7"
    if header == "date":  # an HTTP date 7 s from the (fake) now
        value = dt.datetime.fromtimestamp(clock.now + 7, dt.UTC).strftime(
            "%a, %d %b %Y %H:%M:%S GMT"
        )
    receiver = hook(lambda key, n: (status, {"Retry-After": value}) if n <= 2 else (200, {}))
    store = SqliteStore(f"sqlite:///{tmp_path}/g.db")
    notifier = _notifier(store, receiver.url, clock, base=1.0, max_attempts=1, max_deferrals=5)
    for e in _events(3):
        notifier.publish(e)
    first = notifier.flush()
    # the first answer pauses the channel: the other two are not sent this round
    assert (first.delivered, first.failed, first.deferred) == (0, 0, 3)
    assert sum(receiver.seen.values()) == 1
    ds = store.deliveries()
    assert {d.next_attempt for d in ds} == {clock.now + 7}
    assert [d.attempts for d in ds] == [0, 0, 0]
    assert sorted(d.deferrals for d in ds) == [0, 0, 1]
    report = notifier.drain(timeout=600)
    assert report.pending == 0
    assert {d.status for d in store.deliveries()} == {"delivered"}  # max_attempts=1 held
    assert sum(receiver.accepted.values()) == 3
    store.close()


def test_retry_after_deferrals_are_bounded(tmp_path: Path, hook) -> None:
    receiver = hook(lambda key, n: (429, {"Retry-After": "100000"}))
    clock = Clock()
    store = SqliteStore(f"sqlite:///{tmp_path}/g.db")
    notifier = _notifier(store, receiver.url, clock, max_delay=30.0, max_deferrals=3)
    notifier.publish(_events(1)[0])
    notifier.flush()
    assert store.deliveries()[0].next_attempt == clock.now + 30.0  # bounded by max_delay
    report = notifier.drain(timeout=3600)
    assert report.pending == 0
    [d] = store.deliveries()
    assert (d.status, d.attempts, d.deferrals) == ("dead", 1, 3)  # the last try counts
    assert receiver.seen[d.event.id] == 4
    store.close()


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("retry_base", "inf"),
        ("retry_factor", "1e308"),
        ("retry_max_delay", "-1"),
        ("max_attempts", "0"),
        ("max_attempts", "2.5"),
        ("lease_seconds", "nan"),
        ("batch", "0"),
        ("retry_base", '"1"'),
    ],
)
def test_every_notify_setting_is_bounded_when_loaded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], setting: str, value: str
) -> None:
    assert main(["init", str(tmp_path / "ws")]) == 0
    root = tmp_path / "ws"
    text = (root / "gridgov.toml").read_text(encoding="utf-8")
    text = text.replace("[notify]\n", f"[notify]\n{setting} = {value}\n", 1)
    text = "\n".join(
        line
        for line in text.splitlines()
        if not (line.startswith(f"{setting} =") and line != f"{setting} = {value}")
    )
    (root / "gridgov.toml").write_text(text + "\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["notify", "flush", "-w", str(root)]) == 1
    err = capsys.readouterr().err
    assert f"notify.{setting}:" in err


def test_two_flushers_at_once_share_the_work(tmp_path: Path, hook) -> None:
    """Two `notify flush --wait` processes over one store send each message once.

    The receiver holds the first request until a second one is in flight, so the two
    runs are sending at the same moment whatever the machine's load (each flusher sends
    one message at a time); the margins (lease, send time-out, wait) are far above that
    hold, and a drain returns as soon as nothing is pending, so they cost nothing.
    """
    receiver = hook(delay=0.01, meet=2, meet_timeout=120)
    root = workspace(
        tmp_path / "ws",
        f"""
[notify]
lease_seconds = 900.0

[channels.hook]
type = "webhook"
url = "{receiver.url}"
timeout = 300

[[routes]]
channels = ["hook"]
""",
    )
    store = SqliteStore(f"sqlite:///{root}/gridgov.db")
    for e in _events(300):
        store.enqueue(e, ["hook"])
    store.close()
    procs = [start("notify", "flush", "--wait", "400", "-w", str(root)) for _ in range(2)]
    outs = []
    for p in procs:
        out, err = p.communicate(timeout=900)
        assert p.returncode == 0, err
        outs.append(out)
    assert receiver.met, outs  # both were sending at once
    assert len(receiver.seen) == 300, outs
    assert sum(receiver.seen.values()) == 300  # nobody sent anything twice


ROSTER_DOC = '[{"post": "P1", "shift": "2022-04-01T08:00", "team": "T1"}]'
"""A one-row roster document (``roster publish`` refuses an empty one)."""

BAD_CHANNELS = """
[channels.a]
type = "webhook"
url = "http://127.0.0.1:9/hook"
secret = "not-a-whsec"

[channels.b]
type = "webhook"
url = "ftp://example.org/x"

[channels.c]
type = "webhook"
url = "http://127.0.0.1:9/hook"
timeout = "10"

[channels.d]
type = "smtp"
host = "127.0.0.1"
sender = "g@x.org"
to = ["d@x.org"]
username = "u"
password_env = "GRIDGOV_TEST_UNSET_PASSWORD"

[channels.e]
type = "smtp"
host = "127.0.0.1"
port = "abc"
sender = "g@x.org"
to = ["d@x.org"]

[channels.f]
type = "log"
level = "LOUD"

[[routes]]
channels = ["a", "b", "c", "d", "e", "f"]
"""


def test_channel_configuration_is_checked_when_loaded_and_nothing_is_stored(
    tmp_path: Path,
) -> None:
    root = workspace(tmp_path / "ws", BAD_CHANNELS)
    roster = tmp_path / "roster.json"
    roster.write_text(ROSTER_DOC, encoding="utf-8")
    done = gridgov("roster", "publish", str(roster), "--id", "R", "-w", str(root))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    for name in "abcdef":  # every bad channel at once, each named
        assert any(f"channels.{name}" in line for line in lines), done.stderr
    conn = sqlite3.connect(root / "gridgov.db")
    try:
        assert conn.execute("SELECT COUNT(*) FROM rosters").fetchone()[0] == 0
    finally:
        conn.close()


def test_a_roster_and_its_event_are_stored_together(tmp_path: Path) -> None:
    """A failure while making the event leaves neither the roster nor the event."""
    store = SqliteStore(f"sqlite:///{tmp_path}/g.db")

    def broken(version: int) -> list[tuple[ev.Event, list[str]]]:
        raise RuntimeError(f"routing failed for version {version}")

    with pytest.raises(RuntimeError, match="version 1"):
        store.save_roster("R", [], status="published", outbox=broken)
    assert store.roster_versions("R") == []
    assert store.events() == []

    def good(version: int) -> list[tuple[ev.Event, list[str]]]:
        return [(ev.roster_published(roster="R", version=version, unit="C", at=T0), ["log"])]

    assert store.save_roster("R", [], status="published", outbox=good) == 1
    [event] = store.events()
    assert event.data["version"] == 1
    assert [d.key for d in store.deliveries()] == [f"{event.id}:log"]
    store.close()


def test_credentials_in_urls_are_never_shown_or_stored(tmp_path: Path) -> None:
    secret_url = f"http://alice:Pa55word@127.0.0.1:{closed_port()}/hook?access_token=T0KEN123"
    root = workspace(
        tmp_path / "ws",
        f"""
[channels.hook]
type = "webhook"
url = "{secret_url}"

[[routes]]
channels = ["hook"]
""",
    )
    roster = tmp_path / "roster.json"
    roster.write_text(ROSTER_DOC, encoding="utf-8")
    runs = [
        gridgov("roster", "publish", str(roster), "--id", "R", "-w", str(root)),
        gridgov("notify", "flush", "-w", str(root)),
        gridgov("notify", "status", "-w", str(root)),
    ]
    shown = "".join(r.stdout + r.stderr for r in runs)
    assert "127.0.0.1" in shown  # the failure is reported...
    assert "Pa55word" not in shown  # ...without the password
    assert "T0KEN123" not in shown
    conn = sqlite3.connect(root / "gridgov.db")
    try:
        [error] = [r[0] for r in conn.execute("SELECT last_error FROM deliveries")]
    finally:
        conn.close()
    assert "alice:***@127.0.0.1" in error
    assert "access_token=***" in error
    assert "Pa55word" not in error
    assert "T0KEN123" not in error
    # the configuration itself is kept exactly as the user wrote it
    assert secret_url in (root / "gridgov.toml").read_text(encoding="utf-8")
