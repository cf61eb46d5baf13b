"""Outbox benchmark: delivering N events through a no-op channel, one and two flushers.

Prints one JSON row per (backend, flushers). Each row drains an outbox of N
events (``python benchmarks/bench_outbox.py [N]``, default 3,000) through a
channel that accepts at once, so what is measured is the outbox itself: claims
with leases and one recorded outcome per message. The peer is the loop a user
would otherwise write (select the oldest pending rows, send, update each),
run with one flusher; with two such loops every message is sent twice, which
the row reports as ``sends``. Set GRIDGOV_BENCH_POSTGRES_URL (with a
``?schema=NAME`` of its own, dropped at the end) to include PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable

from gridgov import events as ev
from gridgov.notify import Message, Notifier, RetryPolicy, Route, Routing
from gridgov.store import Store, open_store

N = int(sys.argv[1]) if len(sys.argv) > 1 else 3_000
T0 = dt.datetime(2022, 4, 1)


class Count:
    """A channel that accepts every message and counts the keys it saw."""

    def __init__(self) -> None:
        self.keys: Counter[str] = Counter()
        self.lock = threading.Lock()

    def send(self, message: Message) -> None:
        with self.lock:
            self.keys[message.key] += 1


def _fill(url: str) -> None:
    store = open_store(url)
    for i in range(N):
        e = ev.roster_published(roster=f"r{i}", version=1, unit="C", at=T0)
        store.enqueue(e, ["c"])
    store.close()


def _gridgov(url: str, flushers: int, channel: Count) -> None:
    def run() -> None:
        store = open_store(url)
        Notifier(store, {"c": channel}, Routing((Route(("c",)),)), policy=RetryPolicy()).drain(
            timeout=600
        )
        store.close()

    threads = [threading.Thread(target=run) for _ in range(flushers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def _naive(url: str, flushers: int, channel: Count) -> None:
    """SELECT the oldest pending rows, send each, UPDATE it: no claim, no lease."""

    def run() -> None:
        store = open_store(url)
        while True:
            due = store.due_deliveries(time.time(), limit=1000)
            if not due:
                break
            for d in due:
                channel.send(Message.for_event(d.event, d.channel))
                store.record_attempt(d.event.id, d.channel, ok=True)
        store.close()

    threads = [threading.Thread(target=run) for _ in range(flushers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def measure(url: str, name: str, how: Callable[[str, int, Count], None], flushers: int) -> None:
    _fill(url)
    channel = Count()
    t = time.perf_counter()
    how(url, flushers, channel)
    seconds = time.perf_counter() - t
    store: Store = open_store(url)
    pending = store.count_deliveries(status="pending")
    store.close()
    print(
        json.dumps(
            {
                "backend": url.split(":", 1)[0],
                "flusher": name,
                "flushers": flushers,
                "events": N,
                "seconds": round(seconds, 3),
                "per_second": round(N / seconds),
                "sends": sum(channel.keys.values()),
                "distinct": len(channel.keys),
                "pending_after": pending,
            }
        ),
        flush=True,
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        runs = [("gridgov", _gridgov, 1), ("gridgov", _gridgov, 2), ("naive", _naive, 1)]
        runs.append(("naive", _naive, 2))
        for i, (name, how, flushers) in enumerate(runs):
            measure(f"sqlite:///{tmp}/o{i}.db", name, how, flushers)
    pg = os.environ.get("GRIDGOV_BENCH_POSTGRES_URL")
    if pg:
        from gridgov_postgres import PostgresStore

        for name, how, flushers in runs:
            store = PostgresStore(pg)
            store.truncate()
            store.close()
            measure(pg, name, how, flushers)
        PostgresStore(pg).drop_schema()


if __name__ == "__main__":
    main()
