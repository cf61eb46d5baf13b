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


CHANNEL_KEYS = ("type", "mask")
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
        """A spec from a ``[channels.NAME]`` table of ``gridgov.toml``."""
        options = dict(table)
        kind = str(options.pop("type", name))
        mask = options.pop("mask", True)
        if not isinstance(mask, bool):
            raise ValueError(f"channels.{name}.mask must be true or false, got {mask!r}")
        return cls(name, kind, options, mask)
