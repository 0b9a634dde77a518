"""Sends outbox rows of the "events" channel to the topic exchange, with confirms."""
from __future__ import annotations

from portal_shared.config import MessagingConfig
from portal_shared.messaging.connection import close_quietly, connect
from portal_shared.messaging.errors import BrokerUnavailable, TransportUnavailable
from portal_shared.messaging.publisher import ConfirmingPublisher, message_properties
from portal_shared.messaging.topology import declare_exchange


class EventSender:
    """Connects lazily and drops the connection on any transport failure; the next send reconnects."""

    def __init__(self, config: MessagingConfig, *, amqp_url: str | None = None):
        self.config = config
        self.amqp_url = amqp_url or config.amqp_url
        self._connection = None
        self._publisher: ConfirmingPublisher | None = None

    def _ensure_connected(self) -> ConfirmingPublisher:
        if self._publisher is not None and self._connection is not None and self._connection.is_open:
            return self._publisher
        self.close()
        connection = connect(self.amqp_url, name=f"{self.config.service_name}-relay")
        try:
            channel = connection.channel()
            # A fresh broker has no exchange yet; publishing to a missing one would close the channel.
            declare_exchange(channel, self.config)
            publisher = ConfirmingPublisher(channel)
        except Exception as exc:
            close_quietly(connection)
            raise BrokerUnavailable(f"cannot prepare the broker channel: {type(exc).__name__}: {exc}") from exc
        self._connection, self._publisher = connection, publisher
        return publisher

    def send(self, row) -> None:
        publisher = self._ensure_connected()
        properties = message_properties(
            message_id=row.message_id,
            correlation_id=row.correlation_id,
            message_type=row.topic,
            app_id=self.config.service_name,
            timestamp=int(row.created_at.timestamp()) if row.created_at else None,
        )
        try:
            publisher.publish(
                exchange=self.config.exchange,
                routing_key=row.topic,
                body=row.payload.encode("utf-8"),
                properties=properties,
            )
        except TransportUnavailable:
            self.close()
            raise

    def close(self) -> None:
        close_quietly(self._connection)
        self._connection = None
        self._publisher = None
