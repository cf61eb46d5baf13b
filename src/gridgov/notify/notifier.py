"""Delivery of events through the durable outbox: claims, retries, back-off, at-least-once.

:meth:`Notifier.publish` puts an event in the store's outbox once for each
channel its routes name (the event id makes this idempotent) and tells the
``gridgov_event`` observers. :meth:`Notifier.flush` runs one round:

1. it *claims* due deliveries (:meth:`gridgov.store.Store.claim_deliveries`): at
   most ``batch`` of every channel, each channel's earliest due first, leased to
   this notifier so that concurrent flushers (threads, processes, machines)
   share the work instead of sending everything twice;
2. it sends them, taking one message of each channel in turn, so a slow or
   failing channel never starves a healthy one;
3. it records each outcome at once (:meth:`~gridgov.store.Store.record_attempts`).

What a failure does (see :class:`gridgov.errors.DeliveryFailed`):

- a temporary failure of one message (HTTP 5xx, any unclassified exception)
  retries that message after back-off, and the round goes on past it (a poison
  message never blocks its channel);
- a permanent refusal (HTTP 4xx except 408 and 429) makes it ``dead`` at once;
- ``Retry-After`` (HTTP 429/503) defers the message to that time without
  counting an attempt, and pauses its channel until then;
- an unreachable receiver (refused connection, time-out) fails every message
  of the channel claimed in this round: they all wait out their back-off.

A message is delivered at least once, carrying its idempotency key
(``event-id:channel``) for the receiver to drop repeats: a flusher killed
between sending and recording leaves a lease that expires, and the message is
sent again. Clock and sleep are injectable, so tests never wait.
"""

from __future__ import annotations

import math
import os
import socket
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Mapping

import attrs

from gridgov.errors import DeliveryFailed
from gridgov.events import Event
from gridgov.notify.channel import Channel, ChannelSpec, Message
from gridgov.notify.routing import Routing
from gridgov.org.hierarchy import Hierarchy
from gridgov.plugins.manager import Plugins, get_plugins
from gridgov.redact import redact_text
from gridgov.store.port import Attempt, Delivery, Store
from gridgov.tables import Bounded, setting, table

POLL = 0.05
"""Seconds ``drain`` waits when nothing it can claim is due yet (others hold leases)."""

LEASE_POLL = 0.5
"""Seconds ``drain`` waits before looking again at work another flusher has leased."""

ERROR_LIMIT = 2000
"""Characters of an error message kept in the outbox."""


def _bounded(low: float, high: float) -> Bounded:
    return Bounded(low, high)


@table()
@attrs.frozen
class RetryPolicy:
    """Back-off and limits, the ``[notify]`` table of gridgov.toml; every setting is
    bounded (checked at construction, and when the table is read).

    The n-th failed attempt waits ``min(max_delay, base * factor**(n-1))``
    seconds; after ``max_attempts`` failed attempts, or ``max_deferrals``
    ``Retry-After`` deferrals, a delivery is given up (``dead``). A flusher
    leases what it claims for ``lease`` seconds and sends claimed messages for
    at most half of it; it claims at most ``batch`` messages of a channel a round.
    """

    base: float = setting(
        1.0,
        key="retry_base",
        doc="seconds before the first retry",
        validator=_bounded(0.001, 86_400.0),
    )
    factor: float = setting(
        2.0,
        key="retry_factor",
        doc="growth of the wait per failure",
        validator=_bounded(1.0, 100.0),
    )
    max_delay: float = setting(
        300.0,
        key="retry_max_delay",
        doc="longest wait, seconds",
        validator=_bounded(0.0, 7 * 86_400.0),
    )
    max_attempts: int = setting(
        10,
        doc="after this many failures a delivery is `dead` (kept, with its last error)",
        validator=_bounded(1, 1000),
    )
    lease: float = setting(
        60.0,
        key="lease_seconds",
        doc="a flusher leases what it claims for this long (others skip it); "
        "it sends for at most half of it",
        validator=_bounded(1.0, 3600.0),
    )
    batch: int = setting(
        100,
        doc="at most this many messages of one channel are claimed a round "
        "(every channel gets its turn)",
        validator=_bounded(1, 10_000),
    )
    max_deferrals: int = setting(
        20,
        doc="after this many `Retry-After` answers a delivery is `dead` "
        "(deferrals are not attempts)",
        validator=_bounded(0, 10_000),
    )

    @max_attempts.validator
    @batch.validator
    @max_deferrals.validator
    def _whole(self, attribute: attrs.Attribute[int], value: int) -> None:
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"{attribute.name} must be a whole number, got {value!r}")

    def delay(self, attempts: int) -> float:
        """Seconds to wait after the ``attempts``-th failed attempt (never overflows)."""
        n = max(0, attempts - 1)
        if self.factor > 1.0 and n * math.log(self.factor) > math.log(
            max(self.max_delay, self.base) / self.base
        ):
            return float(self.max_delay)
        return float(min(self.max_delay, self.base * self.factor**n))

    def wait_for(self, retry_after: float) -> float:
        """A receiver's ``Retry-After`` bounded to ``[0, max_delay]`` (at least ``base``)."""
        if not math.isfinite(retry_after):
            return float(self.max_delay)
        return float(min(self.max_delay, max(retry_after, min(self.base, self.max_delay))))


@attrs.frozen
class FlushReport:
    """What one flush (or a drain of several) did.

    ``failed`` counts failed attempts (of which ``dead`` were given up);
    ``deferred`` counts messages put off without an attempt (``Retry-After``, a
    paused channel, a deadline reached); ``claimed`` counts what was leased.
    """

    delivered: int = 0
    failed: int = 0
    dead: int = 0
    deferred: int = 0
    pending: int = 0
    errors: tuple[str, ...] = ()
    claimed: int = 0

    def then(self, later: FlushReport) -> FlushReport:
        """This report followed by ``later`` (sums; the pending count of ``later``)."""
        return FlushReport(
            self.delivered + later.delivered,
            self.failed + later.failed,
            self.dead + later.dead,
            self.deferred + later.deferred,
            later.pending,
            self.errors + later.errors,
            self.claimed + later.claimed,
        )


def build_channels(
    specs: Iterable[ChannelSpec], *, plugins: Plugins | None = None
) -> dict[str, Channel]:
    """Channel objects for ``specs`` from the notifier factories ``plugins`` registered
    (default: the command line's :func:`~gridgov.plugins.get_plugins`)."""
    plugins = plugins or get_plugins()
    return {s.name: plugins.get("notifier", s.type)(dict(s.options)) for s in specs}


def new_owner() -> str:
    """A lease owner name unique to this notifier: host, process and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def _unreachable(exc: BaseException) -> bool:
    if isinstance(exc, DeliveryFailed):
        return exc.unavailable
    return isinstance(exc, ConnectionError | TimeoutError)


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
        owner: str | None = None,
        plugins: Plugins | None = None,
    ) -> None:
        self.store = store
        self.channels = dict(channels)
        self.routing = routing
        self.masks = {s.name: s.mask for s in specs}
        self.policy = policy or RetryPolicy()
        self.clock = clock
        self.sleep = sleep
        self.tree = tree
        self.owner = owner or new_owner()
        self.plugins = plugins
        """The name this notifier's leases carry."""

    def channels_for(self, event: Event) -> list[str]:
        """The channels ``event`` goes to."""
        return self.routing.channels_for(event, self.tree)

    def publish(self, event: Event) -> int:
        """Put ``event`` in the outbox for its channels and tell observers; new deliveries."""
        new = self.store.enqueue(event, self.channels_for(event))
        self.announce(event)
        return new

    def publish_all(self, events: Iterable[Event]) -> int:
        """:meth:`publish` many events in one transaction; new deliveries."""
        batch = list(events)
        new = self.store.enqueue_all([(e, self.channels_for(e)) for e in batch])
        for event in batch:
            self.announce(event)
        return new

    def announce(self, event: Event) -> None:
        """Tell the ``gridgov_event`` observers (after the event is in the outbox)."""
        (self.plugins or get_plugins()).emit(event)

    def _failed(self, d: Delivery, error: str, now: float, done: tuple[str, ...]) -> Attempt:
        attempts = d.attempts + 1
        outcome = "dead" if attempts >= self.policy.max_attempts else "retry"
        retry_at = now + self.policy.delay(attempts)
        return Attempt(d.event.id, d.channel, outcome, error, retry_at, done)

    def _attempt(self, d: Delivery) -> tuple[Attempt, str | None]:
        """Send ``d``; its outcome and what the channel should do next (pause/down/None)."""
        channel = self.channels.get(d.channel)
        now = self.clock()
        if channel is None:
            error = f"no channel named {d.channel!r} is configured"
            return self._failed(d, error, now, d.done), None
        mask = self.masks.get(d.channel, True)
        message = Message.for_event(d.event, d.channel, mask=mask, done=d.done)
        try:
            channel.send(message)
        except Exception as exc:  # any failure of a channel is recorded, never raised
            now = self.clock()
            error = redact_text(f"{type(exc).__name__}: {exc}")[:ERROR_LIMIT]
            done = tuple(dict.fromkeys((*d.done, *getattr(exc, "done", ())))) or d.done
            if isinstance(exc, DeliveryFailed) and exc.permanent:
                return Attempt(d.event.id, d.channel, "dead", error, now, done), None
            if isinstance(exc, DeliveryFailed) and exc.retry_after is not None:
                at = now + self.policy.wait_for(exc.retry_after)
                if d.deferrals + 1 > self.policy.max_deferrals:
                    give_up = f"{error} (given up after {d.deferrals} deferrals)"
                    return Attempt(d.event.id, d.channel, "dead", give_up, at, done), "pause"
                return Attempt(d.event.id, d.channel, "deferred", error, at, done), "pause"
            return self._failed(d, error, now, done), "down" if _unreachable(exc) else None
        return Attempt(d.event.id, d.channel, "delivered", done=()), None

    def flush(self, *, deadline: float | None = None) -> FlushReport:
        """One round: claim what is due, send it channel by channel in turn, record it.

        No send starts after ``deadline`` (epoch seconds) or after half the
        lease; what is left is released at once for the next round or flusher.
        """
        start = self.clock()
        claimed = self.store.claim_deliveries(
            start, owner=self.owner, lease=self.policy.lease, per_channel=self.policy.batch
        )
        stop = start + self.policy.lease / 2
        if deadline is not None:
            stop = min(stop, deadline)
        queues: dict[str, deque[Delivery]] = {}
        for d in claimed:
            queues.setdefault(d.channel, deque()).append(d)
        counts = {"delivered": 0, "failed": 0, "dead": 0, "deferred": 0}
        errors: list[str] = []

        def record(batch: list[Attempt]) -> None:
            self.store.record_attempts(batch)
            for a in batch:
                if a.outcome == "delivered":
                    counts["delivered"] += 1
                elif a.outcome in ("retry", "dead"):
                    counts["failed"] += 1
                    counts["dead"] += a.outcome == "dead"
                else:
                    counts["deferred"] += 1

        while queues:
            for name in list(queues):
                queue = queues[name]
                if self.clock() >= stop:
                    rest = [d for q in queues.values() for d in q]
                    record([Attempt(d.event.id, d.channel, "released") for d in rest])
                    queues.clear()
                    break
                d = queue.popleft()
                attempt, then = self._attempt(d)
                record([attempt])
                if attempt.outcome != "delivered":
                    errors.append(f"{d.channel}: {attempt.error}")
                if then == "pause":
                    at = attempt.next_attempt
                    record(
                        [
                            Attempt(x.event.id, x.channel, "postponed", next_attempt=at)
                            for x in queue
                        ]
                    )
                    queue.clear()
                elif then == "down":
                    now = self.clock()
                    why = f"not tried: channel {name!r} unreachable ({attempt.error})"
                    record([self._failed(x, why[:ERROR_LIMIT], now, x.done) for x in queue])
                    queue.clear()
                if not queue:
                    del queues[name]
        pending = self.store.count_deliveries(status="pending")
        return FlushReport(
            counts["delivered"],
            counts["failed"],
            counts["dead"],
            counts["deferred"],
            pending,
            tuple(errors),
            len(claimed),
        )

    def drain(self, *, timeout: float = 60.0) -> FlushReport:
        """Flush, wait for back-off, flush again... until nothing is pending or ``timeout``.

        The deadline is always honoured: no send starts after ``timeout``
        seconds, so a drain returns within ``timeout`` plus one send's own
        time-out, however many deliveries are due and whatever their channels do.
        """
        start = self.clock()
        deadline = start + max(0.0, float(timeout))
        total = FlushReport()
        while True:
            report = self.flush(deadline=deadline)
            total = total.then(report)
            now = self.clock()
            if report.pending == 0 or now >= deadline:
                return total
            wake = self.store.next_due()
            due = self.store.next_due(leases=False)
            if wake is None or due is None:
                return total
            if wake > due:  # another flusher holds what is due: look again soon
                wake = min(wake, max(due, now) + LEASE_POLL)
            if report.claimed == 0:
                wake = max(wake, now + POLL)  # nothing was claimable: do not spin
            wake = min(wake, deadline)
            if wake > now:
                self.sleep(wake - now)
