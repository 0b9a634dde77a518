"""Why an outgoing message was not delivered: the transport is down, or this one message was refused.

The relay treats the two differently: a transport failure stops the batch and backs off
(nothing behind it could go out either), a refusal is retried later for that row only.
"""
from __future__ import annotations


class TransportUnavailable(Exception):
    """The broker or mail server cannot be reached now; every message would fail the same way."""


class DeliveryRefused(Exception):
    """The transport is up but refused this particular message."""


class PublishError(Exception):
    """A publish was not confirmed by the broker."""


class MessageUnroutable(PublishError, DeliveryRefused):
    """The broker returned a mandatory message: no queue is bound for its routing key."""


class MessageNacked(PublishError, DeliveryRefused):
    """The broker refused to take responsibility for the message (basic.nack)."""


class BrokerUnavailable(PublishError, TransportUnavailable):
    """The connection or channel to the broker is gone; the publish may or may not have happened."""
