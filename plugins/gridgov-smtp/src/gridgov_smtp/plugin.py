"""The ``smtp`` notifier, registered with gridgov through its entry point."""

from __future__ import annotations

from typing import Any

from gridgov import hookimpl


@hookimpl
def gridgov_notifiers(register: Any) -> None:
    """Register the ``smtp`` channel type."""
    from gridgov_smtp.channel import SmtpChannel

    register("smtp", SmtpChannel.from_options)
