"""Waking a relay as soon as an outbox row commits (PostgreSQL LISTEN/NOTIFY).

The writer sends NOTIFY in the business transaction, so PostgreSQL delivers it at commit and
never for a rolled-back row. The relay listens on a connection of its own and polls only as a
fallback (a lost listening connection, a row written by other means); SQLite has no
notifications, so there the relay keeps polling. A notification is only a hint to look now:
the outbox table stays the single source of what is unsent.
"""
from __future__ import annotations

import logging
import time
from typing import Any

import sqlalchemy as sa
from portal_shared.logging import log_fields

log = logging.getLogger("portal.relay")

NOTIFY_CHANNEL = "portal_outbox"
# A listening connection that cannot be made is tried again after this long (polling meanwhile).
RECONNECT_SECONDS = 5.0


def _dialect_name(executor) -> str:
    dialect = getattr(executor, "dialect", None)  # a Connection
    if dialect is None:
        dialect = executor.get_bind().dialect  # a Session
    return dialect.name


def notify_outbox(executor, channel: str) -> None:
    """Within the caller's transaction: tell listening relays that `channel` has a new row at commit.

    PostgreSQL folds identical notifications of one transaction into one."""
    if _dialect_name(executor) == "postgresql":
        executor.execute(sa.text("SELECT pg_notify(:name, :payload)"), {"name": NOTIFY_CHANNEL, "payload": channel})


class OutboxListener:
    """A LISTEN connection; wait() returns early when a row of our channel may have committed."""

    def __init__(self, engine: sa.Engine, channel: str):
        # Imported here, by the relays of PostgreSQL-backed services only: importing the messaging
        # package must not need a database driver (the gateway's revocation consumer has none).
        import psycopg

        self._driver = psycopg
        self.url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self.channel = channel
        self._connection: Any = None  # a psycopg.Connection while listening
        self._retry_at = 0.0

    def connect(self) -> bool:
        """Listen before the relay's first look at the table, so no commit falls in between."""
        if self._connection is not None and not self._connection.closed:
            return True
        if time.monotonic() < self._retry_at:
            return False
        try:
            self._connection = self._driver.connect(self.url, autocommit=True, connect_timeout=5)
            self._connection.execute(f"LISTEN {NOTIFY_CHANNEL}")
            return True
        except self._driver.Error as exc:
            log.warning("outbox notifications unavailable, polling", extra=log_fields({"error": f"{type(exc).__name__}: {exc}"[:300]}))
            self.close()
            self._retry_at = time.monotonic() + RECONNECT_SECONDS
            return False

    def wait(self, timeout: float) -> bool:
        """Block up to `timeout` seconds; True when notified (any queued notifications are drained).

        Returns False at once when not listening: the caller then polls at its fallback pace."""
        if not self.connect():
            return False
        notified = False
        try:
            for notice in self._connection.notifies(timeout=timeout, stop_after=1):
                notified = notified or notice.payload == self.channel
            # Whatever else is already queued belongs to the same wake-up.
            for notice in self._connection.notifies(timeout=0, stop_after=1000):
                notified = notified or notice.payload == self.channel
        except self._driver.Error as exc:
            # A notification may have been lost with the connection: look now; the next wait reconnects.
            log.warning("outbox notifications interrupted", extra=log_fields({"error": f"{type(exc).__name__}: {exc}"[:300]}))
            self.close()
            return True
        return notified

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            except self._driver.Error:
                pass
        self._connection = None
