"""The consumer runner: idempotent handling, delayed retries and dead-lettering.

Every delivery is acked only after its outcome is safe: the handler's transaction (with the
inbox row) committed, or the message republished with confirms to a retry queue or the
dead-letter queue. Anything else leaves it unacked, so the broker redelivers it.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping

import pika
import pika.exceptions
import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from portal_shared.config import MessagingConfig
from portal_shared.contracts import Event, InvalidEvent, parse_event, routing_key
from portal_shared.correlation import (
    MESSAGE_HEADER,
    get_correlation_id,
    reset_correlation_id,
    sanitize,
    set_correlation_id,
)
from portal_shared.inbox import record_once
from portal_shared.messaging.backoff import Backoff
from portal_shared.messaging.connection import close_quietly, connect
from portal_shared.messaging.errors import PublishError
from portal_shared.messaging.publisher import ConfirmingPublisher
from portal_shared.messaging.topology import declare_topology
from portal_shared.metrics.messaging import ConsumerMetrics, default_consumer_metrics
from portal_shared.logging import log_fields

log = logging.getLogger("portal.consumer")

Handler = Callable[[Session, Event], None]

RETRY_COUNT_HEADER = "x-retry-count"
LAST_ERROR_HEADER = "x-last-error"
ERROR_HEADER = "x-error"
_ERROR_LIMIT = 1000
# Broker bookkeeping of earlier dead-lettering; our own retry count is the one that matters.
# The event_type label of a message that is not an event at all (bad JSON, unknown envelope).
INVALID_EVENT_TYPE = "invalid"
_BROKER_HEADERS = ("x-death", "x-first-death-exchange", "x-first-death-queue", "x-first-death-reason")


class DatabaseUnavailable(Exception):
    """The service's own database cannot be reached: no handler can succeed, so nothing is retried."""


def _retry_count(headers: Mapping) -> int:
    try:
        return max(0, int(headers.get(RETRY_COUNT_HEADER, 0)))
    except (TypeError, ValueError):
        return 0


def republished_properties(properties: pika.BasicProperties, extra_headers: Mapping) -> pika.BasicProperties:
    """The message's own properties with our headers added; expiry and user id are not carried."""
    headers = {k: v for k, v in (properties.headers or {}).items() if k not in _BROKER_HEADERS}
    headers.update(extra_headers)
    return pika.BasicProperties(
        content_type=properties.content_type,
        content_encoding=properties.content_encoding,
        headers=headers,
        delivery_mode=2,
        priority=properties.priority,
        correlation_id=properties.correlation_id,
        reply_to=properties.reply_to,
        message_id=properties.message_id,
        timestamp=properties.timestamp,
        type=properties.type,
        app_id=properties.app_id,
    )


class Consumer:
    def __init__(
        self,
        service: str,
        session_factory: sessionmaker[Session],
        inbox_table: sa.Table,
        handlers: Mapping[tuple[str, int], Handler],
        config: MessagingConfig | None = None,
        *,
        reconnect_max_seconds: float = 30.0,
        poll_seconds: float = 0.2,
        metrics: ConsumerMetrics | None = None,
        dead_letter_look_seconds: float = 10.0,
    ):
        if not handlers:
            raise ValueError("a consumer needs at least one handler")
        self.service = service
        self.session_factory = session_factory
        self.inbox_table = inbox_table
        self.handlers = dict(handlers)
        self.config = config or MessagingConfig(service)
        self.reconnect_max_seconds = reconnect_max_seconds
        self.poll_seconds = poll_seconds
        self._stop = threading.Event()
        self._consuming = threading.Event()
        self._connection = None
        self._publisher: ConfirmingPublisher | None = None
        # Outcomes so far ("applied", "duplicate", "retried", "dead_lettered", "deferred"), for tests and metrics.
        self.stats: Counter[str] = Counter()
        self.metrics = metrics or default_consumer_metrics()
        self.dead_letter_look_seconds = dead_letter_look_seconds

    @property
    def routing_keys(self) -> list[str]:
        return [routing_key(event_type, version) for event_type, version in self.handlers]

    def stop(self) -> None:
        """Stop after the message in hand; safe to call from a signal handler or another thread."""
        self._stop.set()

    def wait_until_consuming(self, timeout: float) -> bool:
        """For tests and readiness: True once the queues are declared and the consumer attached."""
        return self._consuming.wait(timeout)

    def run(self) -> None:
        backoff = Backoff(initial=min(0.2, self.reconnect_max_seconds), maximum=self.reconnect_max_seconds)
        log.info("consumer started", extra=log_fields({"queue": self.config.queue_name, "routing_keys": self.routing_keys}))
        while not self._stop.is_set():
            try:
                self._consume(backoff)
            except (pika.exceptions.AMQPError, PublishError, OSError, DatabaseUnavailable) as exc:
                self._consuming.clear()
                self.metrics.broker_up.labels(self.service).set(0)
                delay = backoff.next_delay()
                log.warning(
                    "consuming interrupted, reconnecting",
                    extra=log_fields({"error": f"{type(exc).__name__}: {exc}"[:_ERROR_LIMIT], "retry_in_s": round(delay, 2)}),
                )
                self._stop.wait(delay)
            finally:
                self._consuming.clear()
                close_quietly(self._connection)
                self._connection = None
                self._publisher = None
        log.info("consumer stopped", extra=log_fields({"queue": self.config.queue_name}))

    def _consume(self, backoff: Backoff) -> None:
        self._connection = connect(self.config.amqp_url, name=f"{self.service}-consumer")
        channel = self._connection.channel()
        declare_topology(channel, self.config, self.routing_keys)
        channel.basic_qos(prefetch_count=self.config.prefetch)
        # Retries and dead letters go out on their own confirming channel, so a confirm wait
        # never interleaves with the consuming channel's deliveries.
        self._publisher = ConfirmingPublisher(self._connection.channel())
        tag = channel.basic_consume(self.config.queue_name, self._on_message, auto_ack=False)
        # Its own channel: a refused passive declare closes only that one.
        depth_channel = self._connection.channel()
        backoff.reset()
        self._consuming.set()
        self.metrics.broker_up.labels(self.service).set(1)
        next_look = 0.0
        while not self._stop.is_set():
            # Returns at least every poll_seconds, so a stop request is seen promptly.
            self._connection.process_data_events(time_limit=self.poll_seconds)
            if time.monotonic() >= next_look:
                self._look_at_dead_letters(depth_channel)
                next_look = time.monotonic() + self.dead_letter_look_seconds
        # Undelivered prefetched messages are nacked by pika on cancel; the broker requeues them.
        channel.basic_cancel(tag)

    def _look_at_dead_letters(self, channel) -> None:
        """dead_letter_queue_messages from a passive declare: the queue exists, _consume declared it."""
        queue = self.config.dead_letter_queue
        declared = channel.queue_declare(queue=queue, passive=True)
        self.metrics.dead_letter_depth.labels(self.service, queue).set(declared.method.message_count)

    # -- one delivery ---------------------------------------------------------------------

    def _on_message(self, channel, method, properties: pika.BasicProperties, body: bytes) -> None:
        if self._stop.is_set():
            # Deliveries already buffered when a stop arrives go back to the queue untouched,
            # so a stop waits for one message at most, not for a whole prefetch.
            channel.basic_nack(delivery_tag=method.delivery_tag, requeue=True)
            return
        headers = properties.headers or {}
        header_cid = headers.get(MESSAGE_HEADER)
        cid = sanitize(properties.correlation_id) or sanitize(header_cid if isinstance(header_cid, str) else None)
        token = set_correlation_id(cid)
        try:
            self._handle_delivery(channel, method, properties, body)
        finally:
            reset_correlation_id(token)

    def _handle_delivery(self, channel, method, properties, body: bytes) -> None:
        try:
            event = parse_event(json.loads(body))
        except (ValueError, InvalidEvent) as exc:
            # ValueError covers bad JSON and bad UTF-8. Retrying a poison message cannot help.
            self._dead_letter(channel, method, properties, body, f"invalid event: {exc}", INVALID_EVENT_TYPE)
            return
        if get_correlation_id() is None and (cid := sanitize(event.correlation_id)):
            # Older producers set it only in the envelope.
            set_correlation_id(cid)
        handler = self.handlers.get((event.type, event.version))
        if handler is None:
            self._dead_letter(
                channel, method, properties, body, f"no handler bound for {event.type} v{event.version} in {self.service}",
                event.type,
            )
            return
        try:
            applied = self._apply(event, handler)
        except Exception as exc:  # noqa: BLE001 - any handler failure is retried, then dead-lettered
            if isinstance(exc, SQLAlchemyError) and not self._database_reachable():
                # An outage is not the message's fault: spending its retries would dead-letter
                # every message that arrives while the database is down.
                channel.basic_nack(delivery_tag=method.delivery_tag, requeue=True)
                self.stats["deferred"] += 1
                raise DatabaseUnavailable(f"{type(exc).__name__}: {exc}"[:_ERROR_LIMIT]) from exc
            log.exception("handler failed", extra=log_fields({"event_id": str(event.id), "event_type": event.type}))
            self._retry_or_dead_letter(channel, method, properties, body, exc, event.type)
            return
        if applied:
            log.info("event handled", extra=log_fields({"event_id": str(event.id), "event_type": event.type}))
        else:
            log.info("duplicate event ignored", extra=log_fields({"event_id": str(event.id), "event_type": event.type}))
        channel.basic_ack(delivery_tag=method.delivery_tag)
        self.stats["applied" if applied else "duplicate"] += 1
        self.metrics.consumed.labels(self.service, event.type).inc()
        if not applied:
            self.metrics.duplicates.labels(self.service, event.type).inc()

    def _apply(self, event: Event, handler: Handler) -> bool:
        session = self.session_factory()
        try:
            if not record_once(
                session, self.inbox_table, event_id=str(event.id), consumer=self.service, event_type=event.type
            ):
                return False
            handler(session, event)
            session.commit()
            return True
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def _database_reachable(self) -> bool:
        try:
            with self.session_factory() as session:
                session.execute(sa.text("SELECT 1"))
            return True
        except SQLAlchemyError:
            return False

    def _retry_or_dead_letter(self, channel, method, properties, body: bytes, exc: Exception, event_type: str) -> None:
        error = f"{type(exc).__name__}: {exc}"[:_ERROR_LIMIT]
        attempt = _retry_count(properties.headers or {})
        delays = self.config.retry_delays_ms
        if attempt < len(delays):
            target = self.config.retry_queue(delays[attempt])
            extra = {RETRY_COUNT_HEADER: attempt + 1, LAST_ERROR_HEADER: error}
            log.warning("handler failed, retrying later", extra=log_fields({"retry": attempt + 1, "delay_ms": delays[attempt]}))
        else:
            target = self.config.dead_letter_queue
            extra = {
                RETRY_COUNT_HEADER: attempt,
                LAST_ERROR_HEADER: error,
                ERROR_HEADER: f"handler failed after {attempt} retries: {error}"[:_ERROR_LIMIT],
            }
            log.error("handler kept failing, dead-lettered", extra=log_fields({"queue": target, "retries": attempt}))
        # Publish (confirmed) before ack: if this raises, the message stays unacked and comes back.
        self._publish_to_queue(target, body, republished_properties(properties, extra))
        channel.basic_ack(delivery_tag=method.delivery_tag)
        if target != self.config.dead_letter_queue:
            self.stats["retried"] += 1
            self.metrics.retried.labels(self.service, event_type).inc()
        else:
            self.stats["dead_lettered"] += 1
            self.metrics.dead_lettered.labels(self.service, event_type).inc()

    def _dead_letter(self, channel, method, properties, body: bytes, reason: str, event_type: str) -> None:
        log.error("message dead-lettered", extra=log_fields({"reason": reason[:_ERROR_LIMIT]}))
        props = republished_properties(properties, {ERROR_HEADER: reason[:_ERROR_LIMIT]})
        self._publish_to_queue(self.config.dead_letter_queue, body, props)
        channel.basic_ack(delivery_tag=method.delivery_tag)
        self.stats["dead_lettered"] += 1
        self.metrics.dead_lettered.labels(self.service, event_type).inc()

    def _publish_to_queue(self, queue: str, body: bytes, properties: pika.BasicProperties) -> None:
        assert self._publisher is not None, "publisher exists while consuming"
        # The default exchange routes by queue name; mandatory makes a missing queue an error.
        self._publisher.publish(exchange="", routing_key=queue, body=body, properties=properties)


StorelessHandler = Callable[[Event], None]


class StorelessConsumer(Consumer):
    """For a process that owns no database (the gateway keeping revocations in Redis) and whose
    handlers change nothing when applied twice: no inbox; the same retries, dead letters and metrics.
    Its handlers take the event alone.
    """

    def __init__(self, service: str, handlers: Mapping[tuple[str, int], StorelessHandler],
                 config: MessagingConfig | None = None, **options):
        super().__init__(service, None, None, handlers, config, **options)  # type: ignore[arg-type]

    def _apply(self, event: Event, handler) -> bool:
        handler(event)
        return True

    def _database_reachable(self) -> bool:
        return True
