"""Figures computed when Prometheus scrapes: the outbox backlog and the dead-letter queue depth.

Both are read from their source at scrape time (one cheap query, one passive queue declare), so
every worker answers the same and nothing has to be kept in step. A source that cannot be read
is reported as such (…_up 0) and the scrape still succeeds.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Iterator

import sqlalchemy as sa
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError

from portal_shared.db.types import UTCDateTime, utcnow
from portal_shared.outbox.table import CHANNEL_EVENTS, CHANNEL_MAIL, TABLE_NAME
from portal_shared.logging import log_fields

log = logging.getLogger(__name__)

# Only the columns the query needs; every service's outbox is portal_shared's table.
_OUTBOX = sa.table(
    TABLE_NAME,
    sa.column("channel", sa.String),
    sa.column("sent_at", UTCDateTime),
    sa.column("created_at", UTCDateTime),
)
_BACKLOG_QUERY = (
    sa.select(_OUTBOX.c.channel, sa.func.count(), sa.func.min(_OUTBOX.c.created_at))
    .where(_OUTBOX.c.sent_at.is_(None))
    .group_by(_OUTBOX.c.channel)
)


class OutboxCollector(Collector):
    """outbox_backlog and outbox_oldest_unsent_age_seconds per service and channel.

    One grouped query on the unsent rows, which the (channel, sent_at, seq) index serves; on
    PostgreSQL it gives up after `timeout_ms`. Known channels are always reported (0 when empty),
    so an alert on them never sees an absent series."""

    def __init__(
        self,
        engine: sa.Engine,
        service: str,
        *,
        channels: Iterable[str] = (CHANNEL_EVENTS, CHANNEL_MAIL),
        timeout_ms: int = 2000,
    ):
        self.engine = engine
        self.service = service
        self.channels = tuple(channels)
        self.timeout_ms = timeout_ms

    def _read(self) -> dict[str, tuple[int, float]]:
        with self.engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(sa.text(f"SET LOCAL statement_timeout = {int(self.timeout_ms)}"))
            rows = connection.execute(_BACKLOG_QUERY).all()
        now = utcnow()
        return {
            channel: (count, max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0)
            for channel, count, oldest in rows
        }

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily("outbox_up", "1 when the outbox could be read at this scrape.", labels=["service"])
        try:
            found = self._read()
        except SQLAlchemyError as exc:
            log.warning("outbox unreadable for metrics", extra=log_fields({"error": f"{type(exc).__name__}: {exc}"[:300]}))
            up.add_metric([self.service], 0)
            yield up
            return
        up.add_metric([self.service], 1)
        backlog = GaugeMetricFamily("outbox_backlog", "Outbox rows not sent yet.", labels=["service", "channel"])
        age = GaugeMetricFamily(
            "outbox_oldest_unsent_age_seconds", "Age of the oldest unsent outbox row (0 when none).",
            labels=["service", "channel"],
        )
        for channel in sorted(set(self.channels) | set(found)):
            count, oldest = found.get(channel, (0, 0.0))
            backlog.add_metric([self.service, channel], count)
            age.add_metric([self.service, channel], oldest)
        yield up
        yield backlog
        yield age

    def describe(self) -> list:
        # Not evaluated at registration: describing must not query the database.
        return []


class DeadLetterQueueCollector(Collector):
    """dead_letter_queue_messages (message_count of a passive declare) and broker_up.

    A short-lived connection with a short timeout, at most once per `max_age_seconds`: the web
    tier keeps no AMQP connection open, and scrapes that come closer together (several
    Prometheus servers, a person reloading) are answered from the last reading instead of opening
    another one from a web worker. A service that consumes nothing has no dead-letter queue: then
    only broker_up is reported."""

    def __init__(self, amqp_url: str, service: str, queue: str, *, timeout_seconds: float = 1.0,
                 max_age_seconds: float = 10.0, clock=time.monotonic):
        self.amqp_url = amqp_url
        self.service = service
        self.queue = queue
        self.timeout_seconds = timeout_seconds
        self.max_age_seconds = max_age_seconds
        self._clock = clock
        self._lock = threading.Lock()
        # (when, depth or None, the error or None) of the last look at the broker.
        self._last: tuple[float, int | None, Exception | None] | None = None

    def _reading(self) -> tuple[int | None, Exception | None]:
        with self._lock:
            now = self._clock()
            if self._last is None or now - self._last[0] >= self.max_age_seconds:
                try:
                    self._last = (now, self._depth(), None)
                except Exception as exc:  # noqa: BLE001 - reported as broker_up 0 by collect()
                    self._last = (now, None, exc)
            return self._last[1], self._last[2]

    def _depth(self) -> int | None:
        import pika
        import pika.exceptions

        from portal_shared.messaging.connection import close_quietly, connection_parameters

        params = connection_parameters(self.amqp_url, name=f"{self.service}-metrics")
        params.socket_timeout = self.timeout_seconds
        params.stack_timeout = self.timeout_seconds * 2
        params.blocked_connection_timeout = self.timeout_seconds
        connection = pika.BlockingConnection(params)
        try:
            try:
                declared = connection.channel().queue_declare(queue=self.queue, passive=True)
            except pika.exceptions.ChannelClosedByBroker as exc:
                if exc.reply_code == 404:
                    return None
                raise
            return declared.method.message_count
        finally:
            close_quietly(connection)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily("broker_up", "1 when the broker answered at its last reading (at most max_age_seconds old).", labels=["service"])
        depth, failure = self._reading()
        if failure is not None:
            # An unreachable broker is a figure, not a failed scrape.
            exc = failure
            log.warning("broker unreachable for metrics", extra=log_fields({"error": f"{type(exc).__name__}: {exc}"[:300]}))
            up.add_metric([self.service], 0)
            yield up
            return
        up.add_metric([self.service], 1)
        yield up
        if depth is not None:
            dlq = GaugeMetricFamily(
                "dead_letter_queue_messages", "Messages waiting in the service's dead-letter queue.",
                labels=["service", "queue"],
            )
            dlq.add_metric([self.service, self.queue], depth)
            yield dlq

    def describe(self) -> list:
        return []
