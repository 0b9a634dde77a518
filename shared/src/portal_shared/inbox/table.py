"""The inbox table each consuming service migrates."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal_shared.db.types import UTCDateTime, utcnow

TABLE_NAME = "inbox"


def _columns() -> list:
    return [
        # One row per (event, consumer): two handlers in one service may both need the event.
        sa.Column("event_id", sa.String(36), primary_key=True),
        sa.Column("consumer", sa.String(100), primary_key=True),
        sa.Column("event_type", sa.String(200), nullable=False),
        sa.Column("processed_at", UTCDateTime, nullable=False),
    ]


def define_inbox(metadata: sa.MetaData) -> sa.Table:
    return sa.Table(TABLE_NAME, metadata, *_columns())


def create_inbox_table(op) -> None:
    """For a service's Alembic migration: version 1 of the inbox table."""
    op.create_table(TABLE_NAME, *_columns())


def record_once(session: Session, table: sa.Table, *, event_id: str, consumer: str, event_type: str) -> bool:
    """Record the event as the first write of the caller's transaction; False if it was applied before.

    The primary key is the guard: of two concurrent deliveries one insert waits for the
    other's commit and then fails, so the effect happens once. On False the transaction has
    been rolled back and the caller must not apply the effect.
    """
    try:
        session.execute(
            table.insert().values(
                event_id=event_id, consumer=consumer, event_type=event_type, processed_at=utcnow()
            )
        )
        session.flush()
        return True
    except IntegrityError:
        session.rollback()
        return False
