"""gridgov.notify — routing, the durable outbox and delivery of domain events.

>>> from gridgov.notify import Route, Routing
>>> Routing((Route(("log",)),)).routes[0].events
('*',)
"""

from gridgov.errors import DeliveryFailed
from gridgov.notify.channel import Channel, ChannelSpec, Message
from gridgov.notify.channels import LogChannel
from gridgov.notify.notifier import FlushReport, Notifier, RetryPolicy, build_channels
from gridgov.notify.routing import Route, Routing

__all__ = [
    "Channel",
    "ChannelSpec",
    "DeliveryFailed",
    "FlushReport",
    "LogChannel",
    "Message",
    "Notifier",
    "RetryPolicy",
    "Route",
    "Routing",
    "build_channels",
]
