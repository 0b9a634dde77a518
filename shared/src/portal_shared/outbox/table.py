"""The outbox table each publishing service migrates.

One table carries every kind of outgoing message; `channel` says which relay sends it
(events to the broker, mail to SMTP), so both have the same crash-safe delivery.
"""
from __future__ import annotations

import sqlalchemy as sa

from portal_shared.db.types import UTCDateTime

CHANNEL_EVENTS = "events"
CHANNEL_MAIL = "mail"
TABLE_NAME = "outbox"


def _columns() -> list:
    return [
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("message_id", sa.String(36), nullable=False, unique=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("correlation_id", sa.String(128), nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("sent_at", UTCDateTime, nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text, nullable=True),
    ]


def define_outbox(metadata: sa.MetaData) -> sa.Table:
    table = sa.Table(TABLE_NAME, metadata, *_columns())
    sa.Index("ix_outbox_unsent", table.c.channel, table.c.sent_at, table.c.seq)
    return table


def create_outbox_table(op) -> None:
    """For a service's Alembic migration: version 1 of the outbox table."""
    op.create_table(TABLE_NAME, *_columns())
    op.create_index("ix_outbox_unsent", TABLE_NAME, ["channel", "sent_at", "seq"])
