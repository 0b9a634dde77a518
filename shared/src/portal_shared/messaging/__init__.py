"""Messaging over RabbitMQ: topology, confirming publisher, outbox relay and consumer runner.

pika is used only in relay and consumer processes, never in request handlers: those write
to the outbox, and the relay publishes.
"""
from portal_shared.messaging.backoff import Backoff
from portal_shared.messaging.connection import close_quietly, connect, connection_parameters
from portal_shared.messaging.consumer import (
    ERROR_HEADER,
    LAST_ERROR_HEADER,
    RETRY_COUNT_HEADER,
    Consumer,
    DatabaseUnavailable,
    Handler,
    StorelessConsumer,
)
from portal_shared.messaging.dead_letters import DeadLetter, peek_dead_letters, peek_queue
from portal_shared.messaging.errors import (
    BrokerUnavailable,
    DeliveryRefused,
    MessageNacked,
    MessageUnroutable,
    PublishError,
    TransportUnavailable,
)
from portal_shared.messaging.event_sender import EventSender
from portal_shared.messaging.mail import SmtpMailSender
from portal_shared.messaging.publisher import ConfirmingPublisher, message_properties
from portal_shared.messaging.relay import OutboxRelay
from portal_shared.messaging.runner import install_stop_signals, run_consumer, run_relay, run_storeless_consumer
from portal_shared.messaging.topology import declare_exchange, declare_topology, queue_arguments

__all__ = [
    "Backoff",
    "BrokerUnavailable",
    "ConfirmingPublisher",
    "Consumer",
    "DatabaseUnavailable",
    "DeadLetter",
    "DeliveryRefused",
    "ERROR_HEADER",
    "EventSender",
    "Handler",
    "LAST_ERROR_HEADER",
    "MessageNacked",
    "MessageUnroutable",
    "OutboxRelay",
    "PublishError",
    "RETRY_COUNT_HEADER",
    "SmtpMailSender",
    "StorelessConsumer",
    "TransportUnavailable",
    "close_quietly",
    "connect",
    "connection_parameters",
    "declare_exchange",
    "declare_topology",
    "install_stop_signals",
    "message_properties",
    "peek_dead_letters",
    "peek_queue",
    "run_consumer",
    "run_relay",
    "run_storeless_consumer",
]
