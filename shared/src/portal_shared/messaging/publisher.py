"""Publishing with publisher confirms: a publish returns only once the broker has the message."""
from __future__ import annotations

import time

import pika
import pika.exceptions

from portal_shared.correlation import MESSAGE_HEADER
from portal_shared.messaging.errors import BrokerUnavailable, MessageNacked, MessageUnroutable

JSON = "application/json"
PERSISTENT = 2


def message_properties(
    *,
    message_id: str | None = None,
    correlation_id: str | None = None,
    headers: dict | None = None,
    content_type: str = JSON,
    message_type: str | None = None,
    app_id: str | None = None,
    timestamp: int | None = None,
) -> pika.BasicProperties:
    merged = dict(headers or {})
    if correlation_id:
        # Also as a header: some tooling (and the dead-letter view) shows headers only.
        merged.setdefault(MESSAGE_HEADER, correlation_id)
    return pika.BasicProperties(
        content_type=content_type,
        delivery_mode=PERSISTENT,
        message_id=message_id,
        correlation_id=correlation_id,
        headers=merged or None,
        type=message_type,
        app_id=app_id,
        timestamp=int(time.time()) if timestamp is None else timestamp,
    )


class ConfirmingPublisher:
    """Wraps one channel put in confirm mode; every publish is mandatory and persistent."""

    def __init__(self, channel):
        self.channel = channel
        channel.confirm_delivery()

    def publish(
        self,
        *,
        exchange: str,
        routing_key: str,
        body: bytes,
        properties: pika.BasicProperties | None = None,
        message_id: str | None = None,
        correlation_id: str | None = None,
        headers: dict | None = None,
    ) -> None:
        """Raises MessageUnroutable, MessageNacked or BrokerUnavailable; returns once confirmed."""
        if properties is None:
            properties = message_properties(message_id=message_id, correlation_id=correlation_id, headers=headers)
        try:
            self.channel.basic_publish(
                exchange=exchange, routing_key=routing_key, body=body, properties=properties, mandatory=True
            )
        except pika.exceptions.UnroutableError as exc:
            raise MessageUnroutable(
                f"no queue is bound for routing key {routing_key!r} on exchange {exchange!r}"
            ) from exc
        except pika.exceptions.NackError as exc:
            raise MessageNacked(f"the broker refused the message for {routing_key!r} (nack)") from exc
        except (pika.exceptions.AMQPError, OSError) as exc:
            raise BrokerUnavailable(
                f"lost the broker while publishing to {routing_key!r}: {type(exc).__name__}: {exc}"
            ) from exc
