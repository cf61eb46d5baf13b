"""Routing, the durable outbox and delivery with retries (fake clock, real stores)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridgov import events as ev
from gridgov.notify import (
    ChannelSpec,
    LogChannel,
    Message,
    Notifier,
    RetryPolicy,
    Route,
    Routing,
    build_channels,
)
from gridgov.plugins import Plugins, hookimpl, use_plugins
from gridgov.serialize import structure
from gridgov.store import MemoryStore, SqliteStore
from gridgov.testing import contract_tree

KEY = b"gridgov test secret, 32 bytes"  # the workspace secret event ids are keyed by

AT = dt.datetime(2022, 4, 2, 9, 30)


class FakeTime:
    def __init__(self) -> None:
        self.now = 1_000_000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class Recorder:
    """A channel that fails its first ``fail`` calls, then records every key it receives."""

    def __init__(self, fail: int = 0) -> None:
        self.fail = fail
        self.calls = 0
        self.received: list[Message] = []

    def send(self, message: Message) -> None:
        self.calls += 1
        if self.calls <= self.fail:
            raise ConnectionError(f"down (call {self.calls})")
        self.received.append(message)


def _events(n: int, unit: str = "B1") -> list[ev.Event]:
    return [ev.roster_published(roster=f"r{i}", version=1, unit=unit, at=AT) for i in range(n)]


def test_routes_by_kind_and_subtree() -> None:
    tree = contract_tree()
    routing = Routing(
        (
            Route(("all",)),
            Route(("t1",), events=("roster-published",), units=("T1",)),
            Route(("cov",), events=("coverage-below-threshold",)),
        )
    )
    e_b1 = _events(1, "B1")[0]
    e_b3 = _events(1, "B3")[0]
    assert routing.channels_for(e_b1, tree) == ["all", "t1"]
    assert routing.channels_for(e_b3, tree) == ["all"]
    assert routing.channels_for(e_b1) == ["all"]
    cov = ev.coverage_below(sweep="s", unit="B1", coverage=0.2, threshold=0.8, at=AT)
    assert routing.channels_for(cov, tree) == ["all", "cov"]
    with pytest.raises(ValueError, match="unknown event kind 'roster'"):
        Route(("x",), events=("roster",))
    with pytest.raises(ValueError, match=r"route\.chanel: unknown key \(known: channels, "):
        structure({"chanel": ["x"]}, Route, path="route")


@settings(max_examples=30, deadline=None)
@given(fail=st.integers(0, 6), n=st.integers(1, 6))
def test_a_channel_down_for_n_attempts_gets_every_event_exactly_once(fail: int, n: int) -> None:
    t = FakeTime()
    store = MemoryStore()
    flaky = Recorder(fail=fail)
    notifier = Notifier(
        store,
        {"hook": flaky},
        Routing((Route(("hook",)),)),
        policy=RetryPolicy(base=2.0, factor=2.0, max_delay=60.0, max_attempts=20),
        clock=t.clock,
        sleep=t.sleep,
    )
    evs = _events(n)
    for e in evs:
        assert notifier.publish(e) == 1
        assert notifier.publish(e) == 0
    report = notifier.drain(timeout=3600)
    assert report.pending == 0
    keys = [m.key for m in flaky.received]
    assert sorted(keys) == sorted(f"{e.id}:hook" for e in evs)
    assert len(set(keys)) == len(keys)
    # one failure per round (the rest of the channel waits): back-off doubles each time
    assert t.sleeps == [min(60.0, 2.0 * 2**k) for k in range(fail)]


def test_a_failing_channel_never_blocks_the_others() -> None:
    t = FakeTime()
    store = MemoryStore()
    down = Recorder(fail=10**9)
    ok = Recorder()
    notifier = Notifier(
        store,
        {"down": down, "ok": ok},
        Routing((Route(("down", "ok")),)),
        policy=RetryPolicy(base=1.0, max_attempts=3),
        clock=t.clock,
        sleep=t.sleep,
    )
    for e in _events(5):
        notifier.publish(e)
    first = notifier.flush()
    # the unreachable channel is tried once; its other messages wait out the same back-off
    assert (first.delivered, first.failed, first.deferred) == (5, 5, 0)
    assert len(ok.received) == 5
    assert down.calls == 1
    total = notifier.drain(timeout=3600)
    assert total.pending == 0
    assert len(store.deliveries(status="dead")) == 5
    assert all("down (call" in d.last_error for d in store.deliveries(status="dead"))
    assert len(ok.received) == 5


def test_an_unconfigured_channel_is_an_error_that_is_retried() -> None:
    t = FakeTime()
    store = MemoryStore()
    notifier = Notifier(store, {}, Routing((Route(("ghost",)),)), clock=t.clock, sleep=t.sleep)
    notifier.publish(_events(1)[0])
    report = notifier.flush()
    assert report.errors == ("ghost: no channel named 'ghost' is configured",)
    assert store.deliveries()[0].next_attempt == t.now + 1.0


def test_the_outbox_survives_a_restart(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/g.db"
    t = FakeTime()
    routing = Routing((Route(("hook",)),))
    first = Notifier(SqliteStore(url), {"hook": Recorder(fail=1)}, routing, clock=t.clock)
    for e in _events(3):
        first.publish(e)
    assert first.flush().failed == 3  # unreachable: all three wait out the back-off
    first.store.close()
    t.now += 10
    receiver = Recorder()
    second = Notifier(SqliteStore(url), {"hook": receiver}, routing, clock=t.clock)
    assert second.flush().delivered == 3
    assert len(receiver.received) == 3
    assert second.flush().delivered == 0


def test_masking_is_per_channel() -> None:
    store = MemoryStore()
    masked, clear = Recorder(), Recorder()
    notifier = Notifier(
        store,
        {"masked": masked, "clear": clear},
        Routing((Route(("masked", "clear")),)),
        specs=[ChannelSpec("masked", "log"), ChannelSpec("clear", "log", mask=False)],
    )
    notifier.publish(
        ev.follow_up_overdue(
            secret=KEY, household="h", unit="B1", due=AT, at=AT, resident_name="Zhang Wei"
        )
    )
    notifier.flush()
    assert "Zhang Wei" not in masked.received[0].text
    assert masked.received[0].payload["personal"] == {"resident_name": "Z**"}
    assert "Zhang Wei" in clear.received[0].text


def test_log_channel_writes_masked_lines(tmp_path: Path) -> None:
    spec = ChannelSpec.from_config("log", {"type": "log", "path": str(tmp_path / "events.log")})
    channels = build_channels([spec])
    assert isinstance(channels["log"], LogChannel)
    notifier = Notifier(MemoryStore(), channels, Routing((Route(("log",)),)), specs=[spec])
    e = ev.rule_violation(
        secret=KEY, roster="r", rule="rest", unit="U", at=AT, person_name="Li Lei\n<b>"
    )
    notifier.publish(e)
    assert notifier.flush().delivered == 1
    lines = (tmp_path / "events.log").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"{e.id}:log [rule-violation] U: roster r breaks rule rest")
    assert "Li Lei" not in lines[0]
    with pytest.raises(ValueError, match=r"colour: unknown key \(known: path, level\)"):
        LogChannel.from_options({"colour": "red"})


def test_observers_see_every_published_event_and_a_failing_one_is_isolated() -> None:
    seen: list[str] = []

    class Watcher:
        @hookimpl
        def gridgov_event(self, event: ev.Event) -> None:
            seen.append(event.id)

    class Broken:
        @hookimpl
        def gridgov_event(self, event: ev.Event) -> None:
            raise RuntimeError("observer bug")

    plugins = Plugins(load_entry_points=False)
    plugins.register(Broken(), name="broken")
    plugins.register(Watcher(), name="watcher")
    with use_plugins(plugins):
        notifier = Notifier(MemoryStore(), {}, Routing())
        e = _events(1)[0]
        assert notifier.publish(e) == 0
    assert seen == [e.id]
    assert [(x.plugin, x.message) for x in plugins.errors] == [
        ("broken", "RuntimeError: observer bug")
    ]


@settings(max_examples=30, deadline=None)
@given(
    fails=st.lists(st.integers(0, 5), min_size=1, max_size=3),
    n=st.integers(1, 4),
    stored=st.booleans(),
)
def test_every_channel_gets_every_event_once_and_healthy_ones_at_once(
    fails: list[int], n: int, stored: bool
) -> None:
    import tempfile

    t = FakeTime()
    channels = {f"c{i}": Recorder(fail=f) for i, f in enumerate(fails)}
    with tempfile.TemporaryDirectory() as tmp:
        store = SqliteStore(f"sqlite:///{tmp}/o.db") if stored else MemoryStore()
        notifier = Notifier(
            store,
            channels,
            Routing((Route(tuple(channels)),)),
            policy=RetryPolicy(base=1.0, max_attempts=50),
            clock=t.clock,
            sleep=t.sleep,
        )
        evs = _events(n)
        for e in evs:
            notifier.publish(e)
        first = notifier.flush()
        healthy = [name for name, ch in channels.items() if ch.fail == 0]
        assert first.delivered >= n * len(healthy)
        for name in healthy:
            assert len(channels[name].received) == n
        assert notifier.drain(timeout=10_000).pending == 0
        for name, ch in channels.items():
            assert sorted(m.key for m in ch.received) == sorted(f"{e.id}:{name}" for e in evs)
        assert {d.status for d in store.deliveries()} == {"delivered"}
        store.close()


@settings(max_examples=30, deadline=None)
@given(
    cost=st.floats(0.0, 5.0),
    timeout=st.floats(0.0, 30.0),
    n=st.integers(0, 300),
    fail_every=st.integers(0, 4),
)
def test_drain_keeps_its_deadline_whatever_is_due(
    cost: float, timeout: float, n: int, fail_every: int
) -> None:
    """No send starts after the deadline: a drain ends within it plus one send's cost."""
    t = FakeTime()

    class Slow:
        calls = 0

        def send(self, message: Message) -> None:
            Slow.calls += 1
            t.now += cost
            if fail_every and Slow.calls % fail_every == 0:
                raise RuntimeError("this one fails")

    store = MemoryStore()
    notifier = Notifier(
        store,
        {"slow": Slow(), "dead": Recorder(fail=10**9)},
        Routing((Route(("slow", "dead")),)),
        policy=RetryPolicy(base=0.5, max_delay=2.0, max_attempts=1000, batch=7),
        clock=t.clock,
        sleep=t.sleep,
    )
    for e in _events(n):
        notifier.publish(e)
    start = t.now
    report = notifier.drain(timeout=timeout)
    assert t.now <= start + timeout + cost
    assert report.pending == store.count_deliveries(status="pending")
    left = {d.channel for d in store.deliveries(status="pending")}
    assert left <= {"slow", "dead"}
