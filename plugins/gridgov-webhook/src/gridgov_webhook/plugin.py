"""The ``webhook`` notifier, registered with gridgov through its entry point."""

from __future__ import annotations

from typing import Any

from gridgov import hookimpl


@hookimpl
def gridgov_notifiers(register: Any) -> None:
    """Register the ``webhook`` channel type."""
    from gridgov_webhook.channel import WebhookChannel

    register("webhook", WebhookChannel.from_options)
