"""Reading a service's dead-letter queue without consuming it (for operators and tests)."""
from __future__ import annotations

from dataclasses import dataclass

from portal_shared.config import MessagingConfig
from portal_shared.messaging.connection import close_quietly, connect


@dataclass(frozen=True)
class DeadLetter:
    body: bytes
    headers: dict
    message_id: str | None
    correlation_id: str | None

    @property
    def error(self) -> str | None:
        value = self.headers.get("x-error")
        return value.decode() if isinstance(value, bytes) else value


def peek_queue(amqp_url: str, queue: str, limit: int = 100) -> list[DeadLetter]:
    """Up to `limit` messages of a queue, left in place: they are fetched unacked and the
    connection is closed, which returns them to the queue (redelivered flag set)."""
    connection = connect(amqp_url, name="dead-letter-peek")
    try:
        channel = connection.channel()
        found: list[DeadLetter] = []
        while len(found) < limit:
            method, properties, body = channel.basic_get(queue, auto_ack=False)
            if method is None:
                break
            found.append(
                DeadLetter(
                    body=body,
                    headers=dict(properties.headers or {}),
                    message_id=properties.message_id,
                    correlation_id=properties.correlation_id,
                )
            )
        return found
    finally:
        close_quietly(connection)


def peek_dead_letters(config: MessagingConfig, limit: int = 100) -> list[DeadLetter]:
    return peek_queue(config.amqp_url, config.dead_letter_queue, limit)
