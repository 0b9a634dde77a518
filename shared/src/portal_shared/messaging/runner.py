"""Process entry points: run_relay and run_consumer block until SIGTERM/SIGINT, then return.

Console scripts call these from main(); returning normally makes the process exit 0.
"""
from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from portal_shared.config import MessagingConfig, env_float, env_str
from portal_shared.contracts import Event
from portal_shared.logging import configure_logging, log_fields
from portal_shared.messaging.consumer import Consumer, StorelessConsumer, StorelessHandler
from portal_shared.messaging.event_sender import EventSender
from portal_shared.messaging.mail import DEFAULT_SMTP_URL, SmtpMailSender
from portal_shared.messaging.relay import OutboxRelay, Sender
from portal_shared.metrics.messaging import serve_process_metrics
from portal_shared.outbox import CHANNEL_EVENTS, CHANNEL_MAIL

log = logging.getLogger("portal.messaging")


def install_stop_signals(stop: Callable[[], None]) -> None:
    """SIGTERM (orchestrators) and SIGINT (Ctrl-C) both ask for a clean stop; main thread only."""

    def _handler(signum, _frame):
        # The handler runs on the main thread between two bytecodes, possibly while that thread
        # holds the stop Event's internal lock (inside Event.wait): calling stop() here could
        # deadlock the process for good. A short-lived thread asks instead, once the lock is free.
        name = signal.Signals(signum).name

        def request_stop() -> None:
            log.info("stop requested", extra=log_fields({"signal": name}))
            stop()

        threading.Thread(target=request_stop, name="stop-request", daemon=True).start()

    signal.signal(signal.SIGTERM, _handler)
    signal.signal(signal.SIGINT, _handler)


def make_sender(service: str, channel: str):
    if channel == CHANNEL_EVENTS:
        return EventSender(MessagingConfig(service))
    if channel == CHANNEL_MAIL:
        return SmtpMailSender(env_str("SMTP_URL", DEFAULT_SMTP_URL))
    raise ValueError(f"no sender for outbox channel {channel!r}")


def run_relay(*, service: str, engine: sa.Engine, outbox_table: sa.Table, channel: str = CHANNEL_EVENTS,
              sender: Sender | None = None) -> None:
    """Drain one channel of the outbox; a channel of the service's own (e.g. billing's "stamp")
    brings its sender."""
    configure_logging(service, env_str("LOG_LEVEL", "INFO"))
    config = MessagingConfig(service)
    relay = OutboxRelay(
        engine,
        outbox_table,
        sender or make_sender(service, channel),
        channel=channel,
        poll_seconds=config.outbox_poll_seconds,
        batch_size=config.outbox_batch_size,
        reconnect_max_seconds=env_float("RECONNECT_MAX_SECONDS", 30.0),
        unroutable_grace_seconds=config.outbox_unroutable_grace_seconds,
        service=service,
        listen=config.outbox_listen,
        listen_poll_seconds=config.outbox_listen_poll_seconds,
    )
    install_stop_signals(relay.stop)
    with _process_metrics(f"{service}-relay-{channel}"):
        relay.run()


def run_consumer(
    *,
    service: str,
    session_factory: sessionmaker[Session],
    inbox_table: sa.Table,
    handlers: Mapping[tuple[str, int], Callable[[Session, Event], None]],
) -> None:
    configure_logging(service, env_str("LOG_LEVEL", "INFO"))
    consumer = Consumer(
        service,
        session_factory,
        inbox_table,
        handlers,
        MessagingConfig(service),
        reconnect_max_seconds=env_float("RECONNECT_MAX_SECONDS", 30.0),
    )
    install_stop_signals(consumer.stop)
    with _process_metrics(f"{service}-consumer"):
        consumer.run()


def run_storeless_consumer(*, service: str, handlers: Mapping[tuple[str, int], StorelessHandler]) -> None:
    """run_consumer for a process without a database of its own (see StorelessConsumer)."""
    configure_logging(service, env_str("LOG_LEVEL", "INFO"))
    consumer = StorelessConsumer(service, handlers, MessagingConfig(service),
                                 reconnect_max_seconds=env_float("RECONNECT_MAX_SECONDS", 30.0))
    install_stop_signals(consumer.stop)
    with _process_metrics(f"{service}-consumer"):
        consumer.run()


@contextmanager
def _process_metrics(what: str) -> Iterator[None]:
    """This process's counters on METRICS_PORT while it runs (nothing when METRICS_PORT is unset)."""
    server = serve_process_metrics(what)
    try:
        yield
    finally:
        if server is not None:
            server.shutdown()
            server.server_close()
