"""servicedesk-service's tables (SQLAlchemy 2 declarative), including its outbox and inbox."""
from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from portal_shared.db import UTCDateTime, utcnow
from portal_shared.db.naming import NAMING_CONVENTION
from portal_shared.inbox import define_inbox
from portal_shared.outbox import define_outbox


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class Customer(Base):
    """servicedesk's copy of a customer registered at identity (identity owns it)."""

    __tablename__ = "customers"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    rfc: Mapped[str] = mapped_column(sa.String(13), unique=True)
    name: Mapped[str] = mapped_column(sa.String(300))
    system_account_number: Mapped[str] = mapped_column(sa.String(32))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class User(Base):
    """servicedesk's copy of a user created at identity (identity owns it)."""

    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    # No foreign key to customers: identity's events may arrive in any order, and a user
    # must not wait in the retry queues for its customer's registration. None for staff.
    customer_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, index=True)
    username: Mapped[str] = mapped_column(sa.String(254), index=True)
    email: Mapped[str | None] = mapped_column(sa.String(320))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When identity last set the roles we hold: an older roles event arriving late changes nothing.
    roles_as_of: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", order_by="UserRole.role", lazy="selectin"
    )

    @property
    def roles(self) -> list[str]:
        return [row.role for row in self.role_rows]


class UserRole(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(sa.String(50), primary_key=True)


OUTBOX = define_outbox(Base.metadata)
INBOX = define_inbox(Base.metadata)
