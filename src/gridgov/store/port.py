"""The ``Store`` port: what every storage backend offers, and the values it returns.

A store keeps the hierarchy, duty problems and rosters (draft and published
versions, kept as JSON documents so this layer does not depend on the duty
model), households, sweeps, visits (append-only: every version of a visit id is kept;
what counts is the intake's rule, :mod:`gridgov.sweep.intake`) and the event
outbox. A store opened for a unit (:meth:`Store.scoped`) is a read-only
view that returns nothing outside that unit's subtree.

Backends are chosen by URL (:func:`gridgov.store.open_store`) and registered
through the ``gridgov_storage_backends`` hook.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

import attrs

from gridgov.errors import ScopeError as ScopeError
from gridgov.errors import StoreError as StoreError
from gridgov.events import Event
from gridgov.org.hierarchy import Hierarchy
from gridgov.sweep.model import Household, Sweep, Visit
from gridgov.sweep.report import Counts

Outbox = Callable[[int], Iterable[tuple[Event, Sequence[str]]]]
"""Events to enqueue with a write, made from what the write allocated (a version)."""
VisitOutbox = Callable[["AppendResult"], Iterable[tuple[Event, Sequence[str]]]]
"""Events to enqueue with a batch of visits, made from what the batch did (its rejections,
conflicts): called inside the batch's transaction, so the visits and their events are
stored together or not at all."""
RosterStatus = Literal["draft", "published"]
ROSTER_STATUSES: tuple[str, ...] = ("draft", "published")
DeliveryStatus = Literal["pending", "delivered", "dead"]
AttemptOutcome = Literal["delivered", "retry", "dead", "deferred", "postponed", "released"]
ATTEMPT_OUTCOMES: tuple[str, ...] = (
    "delivered",
    "retry",
    "dead",
    "deferred",
    "postponed",
    "released",
)


@attrs.frozen
class VisitConflict:
    """A visit id stored with another content before: ``offered`` is kept as a new version
    beside ``stored`` (an earlier version) and neither counts until resolved."""

    id: str
    stored: Visit
    offered: Visit


@attrs.frozen
class Rejected:
    """A visit that was not stored, and why (unknown household or sweep)."""

    visit: Visit
    reason: str


@attrs.frozen
class AppendResult:
    """What :meth:`Store.append_visits` did with a batch.

    ``added`` counts visit ids new to the store; ``duplicates`` exact repeats of a
    stored version; ``conflicts`` new versions of an id stored with another content
    (stored too); ``rejected`` visits not stored (unknown household or sweep).
    """

    added: int = 0
    duplicates: int = 0
    conflicts: tuple[VisitConflict, ...] = ()
    rejected: tuple[Rejected, ...] = ()

    def __add__(self, other: AppendResult) -> AppendResult:
        return AppendResult(
            self.added + other.added,
            self.duplicates + other.duplicates,
            self.conflicts + other.conflicts,
            self.rejected + other.rejected,
        )


@attrs.frozen
class StoredVersion:
    """One stored version of a visit id: its number (1 = first to arrive) and digest."""

    number: int
    digest: str
    visit: Visit


@attrs.frozen
class VisitVersions:
    """Every stored version of one visit id of a sweep, and the one a coordinator kept."""

    sweep: str
    visit_id: str
    versions: tuple[StoredVersion, ...]
    kept: int | None = None
    """The number of the kept version, when the conflict was resolved."""


@attrs.frozen
class RosterRecord:
    """One stored version of a roster document."""

    id: str
    version: int
    status: str
    unit: str | None
    doc: Any


@attrs.frozen
class Delivery:
    """One event to be delivered to one channel; ``key`` is its idempotency key."""

    event: Event
    channel: str
    status: str = "pending"
    attempts: int = 0
    next_attempt: float = 0.0
    last_error: str = ""
    deferrals: int = 0
    """Times the receiver asked to come back later (``Retry-After``); not attempts."""
    done: tuple[str, ...] = ()
    """Parts already delivered (an e-mail's accepted recipients), not sent again."""

    @property
    def key(self) -> str:
        """The idempotency key: the same event to the same channel is one delivery."""
        return f"{self.event.id}:{self.channel}"


@attrs.frozen
class Attempt:
    """What became of one claimed delivery, as :meth:`Store.record_attempts` records it.

    ``outcome`` is one of:

    - ``delivered``: done (counts an attempt);
    - ``retry``: failed, try again at ``next_attempt`` (counts an attempt);
    - ``dead``: failed for good (counts an attempt);
    - ``deferred``: the receiver asked to come back at ``next_attempt`` (``Retry-After``;
      counts a deferral, not an attempt);
    - ``postponed``: not tried (its channel is paused), due again at ``next_attempt``;
    - ``released``: not tried, the lease is given back (due as before).

    ``done`` replaces the delivery's delivered parts when not None. A delivery
    that is no longer pending is left as it is.
    """

    event_id: str
    channel: str
    outcome: str = attrs.field(validator=attrs.validators.in_(ATTEMPT_OUTCOMES))
    error: str = ""
    next_attempt: float = 0.0
    done: tuple[str, ...] | None = None

    @classmethod
    def of(
        cls,
        event_id: str,
        channel: str,
        *,
        ok: bool,
        error: str = "",
        next_attempt: float = 0.0,
        give_up: bool = False,
    ) -> Attempt:
        """The attempt :meth:`Store.record_attempt` describes (delivered, retry or dead)."""
        outcome = "delivered" if ok else ("dead" if give_up else "retry")
        return cls(event_id, channel, outcome, error, next_attempt)

    def changes(self) -> tuple[dict[str, Any], tuple[str, ...]]:
        """What recording this attempt does to its delivery, the one definition every store
        applies: ``(fields set to a value, fields counted up by one)``.

        The names are :class:`Delivery`'s fields and the SQL stores' ``deliveries``
        columns alike; the memory store evolves the value, the SQL stores write one
        ``UPDATE ... SET`` from it. The lease ends in every case (not a field here).
        """
        sets: dict[str, Any]
        counted: tuple[str, ...] = ()
        if self.outcome == "delivered":
            sets, counted = {"status": "delivered", "last_error": ""}, ("attempts",)
        elif self.outcome in ("retry", "dead"):
            sets = {
                "status": "dead" if self.outcome == "dead" else "pending",
                "next_attempt": self.next_attempt,
                "last_error": self.error,
            }
            counted = ("attempts",)
        elif self.outcome == "deferred":
            sets = {"next_attempt": self.next_attempt, "last_error": self.error}
            counted = ("deferrals",)
        elif self.outcome == "postponed":
            sets = {"next_attempt": self.next_attempt}
        else:  # released
            sets = {}
        if self.done is not None:
            sets["done"] = tuple(self.done)
        return sets, counted


def claim_order(delivery: Delivery) -> tuple[str, float, float, str]:
    """The order of a claim's deliveries: by channel, each channel's earliest due first
    (next attempt, then event time, then event id). The SQL claim's ``ORDER BY`` picks
    the same rows (``next_attempt, at_seconds, event_id`` within a channel)."""
    from gridgov.store.codec import as_seconds

    return (
        delivery.channel,
        delivery.next_attempt,
        as_seconds(delivery.event.at),
        delivery.event.id,
    )


def check_claim(per_channel: int, lease: float) -> None:
    """Refuse a claim that cannot be honoured (:meth:`Store.claim_deliveries` of every store)."""
    if per_channel < 1 or not lease > 0:
        raise StoreError("a claim needs per_channel >= 1 and a positive lease")


class AttemptShortcut:
    """:meth:`Store.record_attempt` in terms of :meth:`Store.record_attempts`, mixed into
    every built-in store (one definition of what the shortcut records)."""

    if TYPE_CHECKING:

        def record_attempts(self, attempts: Iterable[Attempt]) -> None: ...

    def record_attempt(
        self,
        event_id: str,
        channel: str,
        *,
        ok: bool,
        error: str = "",
        next_attempt: float = 0.0,
        give_up: bool = False,
    ) -> None:
        """Record one attempt: delivered, retry at ``next_attempt``, or dead."""
        attempt = Attempt.of(
            event_id, channel, ok=ok, error=error, next_attempt=next_attempt, give_up=give_up
        )
        self.record_attempts([attempt])


def pick_roster(
    versions: list[RosterRecord], *, version: int | None = None, status: str | None = None
) -> RosterRecord | None:
    """The latest of ``versions`` (oldest first) matching ``version`` and ``status``."""
    for record in reversed(versions):
        if (version is None or record.version == version) and (
            status is None or record.status == status
        ):
            return record
    return None


@runtime_checkable
class Store(Protocol):
    """The storage port. Every method that writes runs in one transaction."""

    url: str
    scope: str | None

    def schema_version(self) -> int:
        """The schema version of the stored data."""

    def close(self) -> None:
        """Release the connection; further use is an error."""

    def scoped(self, unit: str, *, owner: bool = False) -> Store:
        """A read-only view returning nothing outside ``unit``'s subtree.

        The view stays right after the hierarchy is replaced (it follows the
        stored tree), and refuses when its unit has left the view it came from.
        With ``owner`` the view takes over the connection: closing it closes the store.
        """

    # hierarchy
    def save_hierarchy(
        self, tree: Hierarchy, *, households: Iterable[Household] | None = None
    ) -> None:
        """Replace the stored hierarchy by ``tree`` (personal data kept, not masked).

        With ``households``, they are written in the same transaction, and stored
        households whose building is not in ``tree`` and that no visit refers to
        are removed: a crash leaves the old hierarchy and households, or the new ones.
        """

    def hierarchy(self) -> Hierarchy | None:
        """The stored hierarchy (the scope's subtree for a scoped view), or None."""

    # sweep data
    def save_households(self, households: Iterable[Household]) -> int:
        """Insert or replace households by id; returns how many were written."""

    def households(self) -> Iterator[Household]:
        """Every household (in scope), by id."""

    def household(self, household_id: str) -> Household | None:
        """One household, or None (also when out of scope)."""

    def save_sweep(self, sweep: Sweep) -> None:
        """Insert or replace a sweep by id."""

    def sweeps(self) -> list[Sweep]:
        """Every sweep (whose scope unit is in scope), by id."""

    def sweep(self, sweep_id: str) -> Sweep | None:
        """One sweep, or None."""

    def append_visits(
        self, visits: Iterable[Visit], *, outbox: VisitOutbox | None = None
    ) -> AppendResult:
        """Append visits in one transaction; an exact repeat of a stored version is stored
        once, every other version is kept (see :class:`AppendResult`).

        ``outbox``, when given, is called with the batch's result inside the same
        transaction and the events it returns are enqueued there too: the visits and
        their events (a rejection's, say) are stored together, or neither when it raises.
        """

    def visits(self, *, sweep: str | None = None, household: str | None = None) -> Iterator[Visit]:
        """Every stored version (in scope), by id then arrival, optionally of one sweep or
        household."""

    def count_visits(self, *, sweep: str | None = None) -> int:
        """How many visit versions are stored (in scope)."""

    def sweep_counts(self, sweep: str, *, level: str | None = None) -> dict[str, Counts]:
        """The :class:`~gridgov.sweep.Counts` of every unit of the sweep's scope (in scope;
        only those at ``level`` when given), by the library's counting rules: exactly what
        :func:`gridgov.sweep.coverage` gives for the stored visits and resolutions."""

    def conflicts(self, sweep: str) -> list[VisitVersions]:
        """Visit ids of ``sweep`` stored with two or more contents, with every version."""

    def resolve(self, sweep: str, visit_id: str, keep: int, *, note: str = "") -> StoredVersion:
        """Record that version ``keep`` of a visit id is the one that counts (a new fact:
        nothing is deleted; a later resolution replaces it). Unknown ids or numbers raise
        :class:`StoreError`."""

    def resolutions(self, sweep: str) -> dict[str, str]:
        """``{visit id: digest of the kept version}`` of the sweep's resolved conflicts."""

    # duty
    def save_problem(self, problem_id: str, data: Any, *, unit: str | None = None) -> None:
        """Store a duty problem (an attrs value or JSON-ready data) as a JSON document."""

    def problem(self, problem_id: str) -> Any:
        """The stored problem document (JSON-ready data), or None."""

    def problem_ids(self) -> list[str]:
        """Ids of the stored problems (in scope)."""

    def save_roster(
        self,
        roster_id: str,
        doc: Any,
        *,
        status: str = "draft",
        unit: str | None = None,
        outbox: Outbox | None = None,
    ) -> int:
        """Append a new version of a roster document; returns its version number (1, 2...).

        ``outbox``, when given, is called with the new version inside the same
        transaction and the events it returns are enqueued there too (the
        transactional outbox): the roster and its event are stored together or not at all.
        """

    def roster(
        self, roster_id: str, *, version: int | None = None, status: str | None = None
    ) -> RosterRecord | None:
        """A version of a roster (the latest, or the latest with ``status``), or None."""

    def roster_versions(self, roster_id: str) -> list[RosterRecord]:
        """Every version of a roster, oldest first."""

    # outbox
    def enqueue(self, event: Event, channels: Iterable[str]) -> int:
        """Put ``event`` in the outbox for each channel; returns how many deliveries are new."""

    def enqueue_all(self, items: Iterable[tuple[Event, Sequence[str]]]) -> int:
        """:meth:`enqueue` of many ``(event, channels)`` in one transaction; new deliveries."""

    def events(self) -> list[Event]:
        """Every event in the outbox (in scope), by time then id."""

    def due_deliveries(self, now: float, *, limit: int = 1000) -> list[Delivery]:
        """Pending deliveries whose next attempt is due at ``now`` (epoch seconds).

        A read-only listing; a flusher claims work with :meth:`claim_deliveries`.
        """

    def claim_deliveries(
        self, now: float, *, owner: str, lease: float, per_channel: int = 100
    ) -> list[Delivery]:
        """Atomically lease due, unleased pending deliveries to ``owner`` until ``now + lease``.

        At most ``per_channel`` of each channel (so no channel starves another),
        each channel's earliest due first (next attempt, then event time, then
        event id). Two claims never return the same delivery while its lease runs.
        """

    def record_attempts(self, attempts: Iterable[Attempt]) -> None:
        """Record what became of claimed deliveries (one transaction) and end their leases."""

    def next_due(self, *, leases: bool = True) -> float | None:
        """When a pending delivery can next be claimed (due and not leased), or None.

        With ``leases=False``, when one is next due, whoever holds it.
        """

    def count_deliveries(self, *, status: str | None = None) -> int:
        """How many deliveries there are (in scope), optionally with one status."""

    def deliveries(self, *, status: str | None = None) -> list[Delivery]:
        """Every delivery (in scope), optionally with one status."""

    def record_attempt(
        self,
        event_id: str,
        channel: str,
        *,
        ok: bool,
        error: str = "",
        next_attempt: float = 0.0,
        give_up: bool = False,
    ) -> None:
        """Record one delivery attempt: delivered, retry at ``next_attempt``, or dead."""
