"""The outbox relay: sends unsent outbox rows of one channel, then marks them sent.

Publish-then-mark: a crash between the two sends the row again after restart (at-least-once);
consumers deduplicate by event id. Rows are locked with SKIP LOCKED while being sent, so two
relays on PostgreSQL never send the same row at the same time.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from portal_shared.correlation import reset_correlation_id, set_correlation_id
from portal_shared.db.types import utcnow
from portal_shared.messaging.backoff import Backoff
from portal_shared.messaging.errors import DeliveryRefused, MessageUnroutable, TransportUnavailable
from portal_shared.metrics.messaging import RelayMetrics, default_relay_metrics
from portal_shared.outbox.notify import OutboxListener
from portal_shared.outbox.table import CHANNEL_EVENTS
from portal_shared.logging import log_fields

log = logging.getLogger("portal.relay")

_ERROR_LIMIT = 1000


class Sender(Protocol):
    def send(self, row) -> None:
        """Deliver one outbox row; raise TransportUnavailable or DeliveryRefused."""

    def close(self) -> None: ...


class OutboxRelay:
    def __init__(
        self,
        engine: sa.Engine,
        outbox_table: sa.Table,
        sender: Sender,
        channel: str = "events",
        poll_seconds: float = 0.05,
        batch_size: int = 100,
        *,
        reconnect_max_seconds: float = 30.0,
        row_retry_max_seconds: float = 300.0,
        unroutable_grace_seconds: float = 600.0,
        service: str = "",
        metrics: RelayMetrics | None = None,
        listen: bool = False,
        listen_poll_seconds: float = 1.0,
    ):
        self.engine = engine
        self.table = outbox_table
        self.sender = sender
        self.channel = channel
        self.poll_seconds = poll_seconds
        self.batch_size = batch_size
        self.reconnect_max_seconds = reconnect_max_seconds
        self.row_retry_max_seconds = row_retry_max_seconds
        # An event no queue is bound for is kept and retried for a while, because a consumer
        # may still be starting and declaring its queue; past the grace period nobody
        # subscribes to it, and keeping it would leave the outbox backlog growing for ever.
        self.unroutable_grace_seconds = unroutable_grace_seconds
        self._stop = threading.Event()
        # Rows a transport refused wait here (seq -> monotonic time) instead of being retried at
        # every poll; held in memory only, so a restarted relay tries every unsent row at once.
        self._row_not_before: dict[int, float] = {}
        # SQLite has one writer: holding its lock for a whole batch would stall the web tier.
        self._commit_each_row = engine.dialect.name == "sqlite"
        self.last_transport_error: TransportUnavailable | None = None
        self.service = service
        self.metrics = metrics or default_relay_metrics()
        # On PostgreSQL a committed row wakes the relay (LISTEN/NOTIFY); polling is then only the
        # fallback, every listen_poll_seconds. Elsewhere, or while not listening, every poll_seconds.
        self._listener = OutboxListener(engine, channel) if listen and engine.dialect.name == "postgresql" else None
        self.listen_poll_seconds = listen_poll_seconds

    def stop(self) -> None:
        """Finish the row being sent, then leave run(); safe to call from a signal handler."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def run(self) -> None:
        """Drain the outbox until stop(); broker or database outages are waited out, never fatal."""
        backoff = Backoff(initial=min(0.2, self.reconnect_max_seconds), maximum=self.reconnect_max_seconds)
        log.info("relay started", extra=log_fields({"channel": self.channel, "notifications": self._listener is not None}))
        if self._listener is not None:
            self._listener.connect()
        try:
            while not self._stop.is_set():
                try:
                    sent, full = self._cycle()
                except SQLAlchemyError as exc:
                    delay = backoff.next_delay()
                    log.warning(
                        "outbox unreadable, retrying",
                        extra=log_fields({"error": f"{type(exc).__name__}: {exc}"[:_ERROR_LIMIT], "retry_in_s": round(delay, 2)}),
                    )
                    self._stop.wait(delay)
                    continue
                if self.last_transport_error is not None:
                    delay = backoff.next_delay()
                    log.warning(
                        "transport unavailable, retrying",
                        extra=log_fields({"error": str(self.last_transport_error)[:_ERROR_LIMIT], "retry_in_s": round(delay, 2)}),
                    )
                    self._stop.wait(delay)
                    continue
                backoff.reset()
                if not full:
                    self._idle()
        finally:
            self.close()
            log.info("relay stopped", extra=log_fields({"channel": self.channel}))

    def run_once(self) -> int:
        """One batch; returns how many rows were sent. A transport outage is not raised: it is
        left in last_transport_error and the rows stay unsent."""
        sent, _full = self._cycle()
        return sent

    def _idle(self) -> None:
        """Until a row may be waiting: a notification, the fallback poll, or stop()."""
        if self._listener is None or not self._listener.connect():
            self._stop.wait(self.poll_seconds)
            return
        deadline = time.monotonic() + max(self.listen_poll_seconds, self.poll_seconds)
        while not self._stop.is_set():
            remaining = deadline - time.monotonic()
            # Short slices: a stop request is seen within a quarter of a second.
            if remaining <= 0 or self._listener.wait(min(remaining, 0.25)):
                return
            if not self._listener.connect():
                self._stop.wait(min(max(remaining, 0.0), self.poll_seconds))
                return

    def close(self) -> None:
        self.sender.close()
        if self._listener is not None:
            self._listener.close()

    # -- one batch -------------------------------------------------------------------------

    def _due_exclusions(self) -> list[int]:
        now = time.monotonic()
        for seq in [seq for seq, when in self._row_not_before.items() if when <= now]:
            del self._row_not_before[seq]
        return list(self._row_not_before)

    def _select_batch(self):
        table = self.table
        query = (
            sa.select(table)
            .where(table.c.channel == self.channel, table.c.sent_at.is_(None))
            .order_by(table.c.seq)
            .limit(self.batch_size)
            .with_for_update(skip_locked=True)
        )
        excluded = self._due_exclusions()
        if excluded:
            query = query.where(table.c.seq.not_in(excluded))
        return query

    def _cycle(self) -> tuple[int, bool]:
        """Returns (rows sent, whether the batch was full so more may be waiting)."""
        self.last_transport_error = None
        sent = 0
        with self.engine.connect() as connection:
            transaction = connection.begin()
            try:
                rows = connection.execute(self._select_batch()).all()
                for row in rows:
                    if self._stop.is_set():
                        break
                    outcome = self._send_row(connection, row)
                    self._count(outcome)
                    if self._commit_each_row:
                        transaction.commit()
                        transaction = connection.begin()
                    if outcome == "sent":
                        sent += 1
                    elif outcome == "transport":
                        break
                transaction.commit()
            except BaseException:
                # A crash (or kill) after a publish but before this commit re-sends those rows
                # later: at-least-once, by design.
                transaction.rollback()
                raise
        return sent, len(rows) == self.batch_size and self.last_transport_error is None

    def _count(self, outcome: str) -> None:
        if outcome == "sent":
            self.metrics.published.labels(self.service, self.channel).inc()
        else:
            reason = "no_subscriber" if outcome == "unroutable" else outcome
            self.metrics.failed.labels(self.service, self.channel, reason).inc()

    def _send_row(self, connection: sa.Connection, row) -> str:
        token = set_correlation_id(row.correlation_id)
        try:
            try:
                self.sender.send(row)
            except TransportUnavailable as exc:
                self.last_transport_error = exc
                self._record_failure(connection, row, exc)
                return "transport"
            except MessageUnroutable as exc:
                if (utcnow() - row.created_at).total_seconds() < self.unroutable_grace_seconds:
                    self._refused(connection, row, exc)
                    return "refused"
                log.warning("event has no subscriber; marked sent", extra=log_fields({"seq": row.seq, "topic": row.topic}))
                connection.execute(
                    self.table.update()
                    .where(self.table.c.seq == row.seq)
                    .values(sent_at=utcnow(), attempts=self.table.c.attempts + 1, last_error=f"unroutable: {exc}"[:_ERROR_LIMIT])
                )
                self._row_not_before.pop(row.seq, None)
                return "unroutable"
            except DeliveryRefused as exc:
                self._refused(connection, row, exc)
                return "refused"
            except Exception as exc:  # noqa: BLE001 - one bad row must not stop the relay
                log.exception("unexpected error sending outbox row", extra=log_fields({"seq": row.seq}))
                self._refused(connection, row, exc)
                return "refused"
            connection.execute(
                self.table.update()
                .where(self.table.c.seq == row.seq)
                .values(sent_at=utcnow(), attempts=self.table.c.attempts + 1, last_error=None)
            )
            self._row_not_before.pop(row.seq, None)
            # One line per row, under the row's correlation id: a request can be followed into
            # the relay. Logged before the commit; a rollback sends the row again (at-least-once).
            sent = {"channel": self.channel, "seq": row.seq, "message_id": row.message_id}
            if self.channel == CHANNEL_EVENTS:
                sent["topic"] = row.topic  # a mail row's topic is its recipient: not for the logs
            log.info("outbox row sent", extra=log_fields(sent))
            return "sent"
        finally:
            reset_correlation_id(token)

    def _refused(self, connection: sa.Connection, row, exc: Exception) -> None:
        attempts = (row.attempts or 0) + 1
        delay = min(self.row_retry_max_seconds, 2.0 ** min(attempts, 20))
        self._row_not_before[row.seq] = time.monotonic() + delay
        log.warning(
            "outbox row refused, will retry",
            extra=log_fields({"seq": row.seq, "channel": self.channel, "attempts": attempts, "retry_in_s": delay, "error": str(exc)}),
        )
        self._record_failure(connection, row, exc)

    def _record_failure(self, connection: sa.Connection, row, exc: Exception) -> None:
        connection.execute(
            self.table.update()
            .where(self.table.c.seq == row.seq)
            .values(attempts=self.table.c.attempts + 1, last_error=f"{type(exc).__name__}: {exc}"[:_ERROR_LIMIT])
        )
