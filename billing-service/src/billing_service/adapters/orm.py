"""billing-service's tables (SQLAlchemy 2 declarative), including its outbox and inbox."""
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
    """billing's copy of a customer registered at identity (identity owns it)."""

    __tablename__ = "customers"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    rfc: Mapped[str] = mapped_column(sa.String(13), unique=True)
    name: Mapped[str] = mapped_column(sa.String(300))
    system_account_number: Mapped[str] = mapped_column(sa.String(32))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    accounts: Mapped[list[BillingAccount]] = relationship(
        back_populates="customer", order_by="BillingAccount.account_number"
    )


class BillingAccount(Base):
    """One customer account number (on contracts and invoices, e.g. 005300) billed to a customer."""

    __tablename__ = "billing_accounts"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    customer_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("customers.id"), index=True)
    # Unique across customers: invoices and payments name the account number alone.
    account_number: Mapped[str] = mapped_column(sa.String(32), unique=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    customer: Mapped[Customer] = relationship(back_populates="accounts")


OUTBOX = define_outbox(Base.metadata)
INBOX = define_inbox(Base.metadata)
