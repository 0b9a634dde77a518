"""Figures computed when Prometheus scrapes a web tier: the outbox backlog.

Read from the database at scrape time (one cheap query), so every worker answers the same and
nothing has to be kept in step. An outbox that cannot be read is reported as such (outbox_up 0)
and the scrape still succeeds. The dead-letter depth is the consumer's figure
(portal_shared.metrics.messaging): a web process opens no broker connection.
"""
from __future__ import annotations

import logging
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
