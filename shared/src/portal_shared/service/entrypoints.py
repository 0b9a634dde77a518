"""The bodies of every service's migrate, relay and consumer console scripts.

messaging (and with it pika) is imported only by the relay and the consumer.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal_shared.contracts import Event
from portal_shared.db import ensure_sqlite_directory, make_engine, make_session_factory
from portal_shared.db.migrate import upgrade_head
from portal_shared.logging import configure_logging
from portal_shared.outbox import CHANNEL_EVENTS
from portal_shared.service.config import ServiceConfig

log = logging.getLogger(__name__)


def migrate_main(config: ServiceConfig, migrations_dir: Path) -> None:
    """Bring the database to the newest schema; its own step, before web, relay and consumer."""
    configure_logging(config.SERVICE_NAME, config.LOG_LEVEL)
    ensure_sqlite_directory(config.DATABASE_URL)
    upgrade_head(migrations_dir, config.DATABASE_URL)
    log.info("database at head")


def relay_main(config: ServiceConfig, outbox_table: sa.Table, *, channel: str = CHANNEL_EVENTS,
               sender: Callable[[sa.Engine], Any] | None = None) -> None:
    """Send what the service wrote to one channel of its outbox, until SIGTERM/SIGINT. `sender`,
    for a channel of the service's own, makes the relay's Sender from the process's engine."""
    from portal_shared import messaging

    configure_logging(config.SERVICE_NAME, config.LOG_LEVEL)
    engine = make_engine(config.DATABASE_URL)
    try:
        messaging.run_relay(service=config.SERVICE_NAME, engine=engine, outbox_table=outbox_table, channel=channel,
                            sender=sender(engine) if sender else None)
    finally:
        engine.dispose()


def consumer_main(
    config: ServiceConfig,
    inbox_table: sa.Table,
    handlers: Mapping[tuple[str, int], Callable[[Session, Event], None]],
) -> None:
    """Apply the events the service subscribes to, until SIGTERM/SIGINT."""
    from portal_shared import messaging

    configure_logging(config.SERVICE_NAME, config.LOG_LEVEL)
    engine = make_engine(config.DATABASE_URL)
    try:
        messaging.run_consumer(
            service=config.SERVICE_NAME,
            session_factory=make_session_factory(engine),
            inbox_table=inbox_table,
            handlers=dict(handlers),
        )
    finally:
        engine.dispose()
