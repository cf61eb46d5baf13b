"""Delivery of events through the durable outbox: retries, back-off, at-least-once.

:meth:`Notifier.publish` puts an event in the store's outbox once for each
channel its routes name (the event id makes this idempotent) and tells the
``gridgov_event`` observers. :meth:`Notifier.flush` delivers what is due; a
failure is recorded and retried later with exponential back-off, so a message
is delivered at least once, carrying its idempotency key (``event-id:channel``)
for the receiver to drop repeats. Channels are independent: after a channel
fails, its other messages wait until its back-off ends while the other channels go on.
Clock and sleep are injectable, so tests never wait.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping

import attrs

from gridgov.events import Event
from gridgov.notify.channel import Channel, ChannelSpec, Message
from gridgov.notify.routing import Routing
from gridgov.org.hierarchy import Hierarchy
from gridgov.plugins.manager import get_plugins
from gridgov.store.port import Delivery, Store


@attrs.frozen
class RetryPolicy:
    """Exponential back-off: the n-th failure waits ``min(max_delay, base * factor**(n-1))``."""

    base: float = 1.0
    factor: float = 2.0
    max_delay: float = 300.0
    max_attempts: int = 10

    def delay(self, attempts: int) -> float:
        """Seconds to wait after the ``attempts``-th failed attempt."""
        return float(min(self.max_delay, self.base * self.factor ** max(0, attempts - 1)))


@attrs.frozen
class FlushReport:
    """What one flush did."""

    delivered: int = 0
    failed: int = 0
    dead: int = 0
    deferred: int = 0
    pending: int = 0
    errors: tuple[str, ...] = ()


def build_channels(specs: Iterable[ChannelSpec]) -> dict[str, Channel]:
    """Channel objects for ``specs`` from the registered notifier factories."""
    plugins = get_plugins()
    return {s.name: plugins.get("notifier", s.type)(dict(s.options)) for s in specs}


class Notifier:
    """Publishes events to the outbox of ``store`` and delivers them through ``channels``."""

    def __init__(
        self,
        store: Store,
        channels: Mapping[str, Channel],
        routing: Routing,
        *,
        specs: Iterable[ChannelSpec] = (),
        policy: RetryPolicy | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        tree: Hierarchy | None = None,
    ) -> None:
        self.store = store
        self.channels = dict(channels)
        self.routing = routing
        self.masks = {s.name: s.mask for s in specs}
        self.policy = policy or RetryPolicy()
        self.clock = clock
        self.sleep = sleep
        self.tree = tree
        self.down_until: dict[str, float] = {}
        """A channel that failed is left alone until its back-off ends."""

    def publish(self, event: Event) -> int:
        """Put ``event`` in the outbox for its channels and tell observers; new deliveries."""
        channels = self.routing.channels_for(event, self.tree)
        new = self.store.enqueue(event, channels)
        get_plugins().emit(event)
        return new

    def _attempt(self, d: Delivery, now: float) -> str | None:
        channel = self.channels.get(d.channel)
        if channel is None:
            error = f"no channel named {d.channel!r} is configured"
        else:
            message = Message.for_event(d.event, d.channel, mask=self.masks.get(d.channel, True))
            try:
                channel.send(message)
            except Exception as exc:  # any failure of a channel is retried later
                error = f"{type(exc).__name__}: {exc}"
            else:
                self.store.record_attempt(d.event.id, d.channel, ok=True)
                return None
        attempts = d.attempts + 1
        retry_at = now + self.policy.delay(attempts)
        self.down_until[d.channel] = retry_at
        self.store.record_attempt(
            d.event.id,
            d.channel,
            ok=False,
            error=error[:2000],
            next_attempt=retry_at,
            give_up=attempts >= self.policy.max_attempts,
        )
        return error

    def flush(self) -> FlushReport:
        """One round: try every delivery that is due now."""
        now = self.clock()
        delivered = failed = dead = deferred = 0
        errors: list[str] = []
        for d in self.store.due_deliveries(now):
            if self.down_until.get(d.channel, 0.0) > now:
                deferred += 1
                continue
            error = self._attempt(d, now)
            if error is None:
                delivered += 1
                continue
            failed += 1
            errors.append(f"{d.channel}: {error}")
            if d.attempts + 1 >= self.policy.max_attempts:
                dead += 1
        pending = len(self.store.deliveries(status="pending"))
        return FlushReport(delivered, failed, dead, deferred, pending, tuple(errors))

    def drain(self, *, timeout: float = 60.0) -> FlushReport:
        """Flush, wait for back-off, flush again... until nothing is pending or ``timeout``."""
        start = self.clock()
        total = FlushReport()
        while True:
            r = self.flush()
            total = FlushReport(
                total.delivered + r.delivered,
                total.failed + r.failed,
                total.dead + r.dead,
                r.deferred,
                r.pending,
                total.errors + r.errors,
            )
            if r.pending == 0:
                return total
            pending = self.store.deliveries(status="pending")
            now = self.clock()
            wake = min(max(d.next_attempt, self.down_until.get(d.channel, 0.0)) for d in pending)
            if wake - start > timeout:
                return total
            if wake > now:
                self.sleep(wake - now)
