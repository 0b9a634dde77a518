"""The access_revocations table each service migrates: what identity.access.revoked announced.

Rows are kept until every token they cover has expired; each new row clears the expired ones,
so the table stays as small as the revocations of the last minutes.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal_shared.auth.revocation import Revocation, revocation_from
from portal_shared.contracts import Event
from portal_shared.db.types import UTCDateTime, utcnow

TABLE_NAME = "access_revocations"


def _columns() -> list:
    return [
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("user_id", sa.String(36), nullable=True),
        sa.Column("customer_id", sa.String(36), nullable=True),
        sa.Column("session_id", sa.String(64), nullable=True),
        sa.Column("issued_before", UTCDateTime, nullable=False),
        sa.Column("expires_at", UTCDateTime, nullable=False, index=True),
        sa.Column("reason", sa.String(32), nullable=False),
    ]


def define_revocations(metadata: sa.MetaData) -> sa.Table:
    return sa.Table(TABLE_NAME, metadata, *_columns())


def create_revocations_table(op) -> None:
    """For a service's Alembic migration: version 1 of the table."""
    op.create_table(TABLE_NAME, *_columns())


def drop_revocations_table(op) -> None:
    op.drop_table(TABLE_NAME)


# What the verifiers read: the same table whatever metadata the service declared it in.
_TABLE = define_revocations(sa.MetaData())


def _instant(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=timezone.utc)


def record_revocation(session: Session, revocation: Revocation, *, reason: str, entry_id: str | None = None) -> None:
    """Keep one revocation in the caller's transaction, forgetting those no token needs any more."""
    session.execute(sa.delete(_TABLE).where(_TABLE.c.expires_at <= utcnow()))
    session.execute(
        _TABLE.insert().values(
            id=entry_id or str(uuid.uuid4()),
            user_id=revocation.user_id,
            customer_id=revocation.customer_id,
            session_id=revocation.session_id,
            issued_before=_instant(revocation.issued_before),
            expires_at=_instant(revocation.expires_at),
            reason=reason,
        )
    )


def revoked_access_handler() -> Callable[[Session, Event], None]:
    """identity.access.revoked v1, for a service's subscriptions (the inbox makes it apply once)."""

    def revoked_access(session: Session, event: Event) -> None:
        record_revocation(session, revocation_from(event.data), reason=event.data["reason"],
                          entry_id=str(event.id))

    return revoked_access


class SqlRevocationSource:
    """The revocations in force, read from the service's own database."""

    def __init__(self, engine: sa.Engine):
        self._engine = engine

    def active(self, now: float) -> list[Revocation]:
        query = sa.select(_TABLE).where(_TABLE.c.expires_at > _instant(now))
        with self._engine.connect() as connection:
            return [revocation_from(row._mapping) for row in connection.execute(query)]
