"""What a notification channel is: a name, a type, options, and a ``send`` method.

A channel type is registered through the ``gridgov_notifiers`` hook as a
factory ``factory(options: dict) -> Channel``; a factory raises ``ValueError``
for bad options, and the workspace checks every channel when it is loaded.
``send`` raises on failure: :class:`gridgov.errors.DeliveryFailed` says whether
the failure is permanent, asks to come back later (``Retry-After``), means the
receiver is unreachable, or delivered some parts; ``ConnectionError`` and
``TimeoutError`` mean unreachable; any other exception is a temporary failure
of that one message. The notifier records it and retries later with back-off.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

import attrs

from gridgov.events import Event, payload, render
from gridgov.tables import REST, keys, setting, shown_key, table


@attrs.frozen
class Message:
    """One event rendered for one channel; ``key`` is the idempotency key."""

    key: str
    event: Event
    text: str
    payload: dict[str, Any]
    done: tuple[str, ...] = ()
    """Parts delivered by an earlier attempt (e-mail recipients that accepted it)."""

    @classmethod
    def for_event(
        cls, event: Event, channel: str, *, mask: bool = True, done: tuple[str, ...] = ()
    ) -> Message:
        """The message about ``event`` for ``channel`` (personal data masked by default)."""
        return cls(
            f"{event.id}:{channel}",
            event,
            render(event, mask=mask),
            payload(event, mask=mask),
            tuple(done),
        )


@runtime_checkable
class Channel(Protocol):
    """Delivers messages somewhere; raises on failure."""

    def send(self, message: Message) -> None:
        """Deliver ``message`` or raise."""


def _named(_: object, attribute: attrs.Attribute[str | None], value: str | None) -> None:
    if value is not None and not value.strip():
        raise ValueError("expected the name of a notifier type (log, webhook, smtp...)")


@table()
@attrs.frozen
class ChannelTable:
    """A ``[channels.NAME]`` table of gridgov.toml: ``type`` and ``mask``; every other
    key is an option of the type (its notifier's factory checks them)."""

    type: str | None = setting(
        None,
        validator=_named,
        shown="`NAME`",
        doc="a registered notifier: `log` (built in), `webhook` (`gridgov-webhook`), "
        "`smtp` (`gridgov-smtp`), or any plugin's (the `gridgov_notifiers` hook)",
    )
    mask: bool = setting(
        True, doc="personal data masked in what the channel receives; `false` shows it"
    )
    options: dict[str, Any] = attrs.field(factory=dict, metadata={REST: True})
    """The other keys of the table."""

    def spec(self, name: str) -> ChannelSpec:
        """The channel ``name`` this table configures (its type defaults to its name)."""
        return ChannelSpec(name, self.type or name, dict(self.options), self.mask)


CHANNEL_KEYS = tuple(keys(ChannelTable))
"""The keys every ``[channels.NAME]`` table may hold; the others are the type's options."""


@attrs.frozen
class ChannelSpec:
    """A configured channel: its ``name``, its ``type`` (a registered notifier), options.

    ``mask`` (default true) masks personal data in what the channel receives.
    """

    name: str
    type: str
    options: dict[str, Any] = attrs.field(factory=dict)
    mask: bool = True

    @classmethod
    def from_config(cls, name: str, table: Mapping[str, Any]) -> ChannelSpec:
        """A spec from a ``[channels.NAME]`` table of ``gridgov.toml`` (read strictly:
        :class:`~gridgov.errors.InvalidInput` names each bad key)."""
        from gridgov.serialize import structure

        return structure(table, ChannelTable, path=f"channels.{shown_key(name)}").spec(name)
