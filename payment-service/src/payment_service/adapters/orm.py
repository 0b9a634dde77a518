"""payment-service's tables (SQLAlchemy 2 declarative), including its outbox and inbox."""
from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from portal_shared.db import MONEY, UTCDateTime, utcnow
from portal_shared.db.naming import NAMING_CONVENTION
from portal_shared.inbox import define_inbox
from portal_shared.outbox import define_outbox
from portal_shared.revocations import define_revocations


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class PayableAccount(Base):
    """An account billing opened: payments are made against its invoices.

    No foreign keys to customers: payment learns of customers only through these events.
    """

    __tablename__ = "payable_accounts"

    # billing's account id: the natural key, so a repeated announcement finds the row.
    account_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, index=True)
    account_number: Mapped[str] = mapped_column(sa.String(32), unique=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# USD→MXN rates travel with four decimals.
RATE = sa.Numeric(12, 4, asdecimal=True)
PAYMENT_STATUSES = ("pending", "confirmed", "failed")


class PayableInvoice(Base):
    """payment's copy of an open (or paid) invoice, from billing's issued and balance_changed events.

    `version` is billing's per-invoice counter (0 until the first balance_changed): a change is
    applied only when it is newer, so events arriving out of order never roll a balance back.
    """

    __tablename__ = "payable_invoices"

    invoice_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, index=True)
    invoice_number: Mapped[str] = mapped_column(sa.String(64))
    account_number: Mapped[str] = mapped_column(sa.String(32))
    currency: Mapped[str] = mapped_column(sa.String(3))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    pending_amount: Mapped[Decimal] = mapped_column(MONEY)
    status: Mapped[str] = mapped_column(sa.String(8))
    issue_date: Mapped[date] = mapped_column(sa.Date)
    due_date: Mapped[date] = mapped_column(sa.Date)
    version: Mapped[int] = mapped_column(sa.Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        sa.CheckConstraint("currency IN ('MXN', 'USD')", name="currency"),
        sa.CheckConstraint("pending_amount >= 0", name="pending_not_negative"),
    )


class ExchangeRate(Base):
    """billing's USD→MXN rate of a day; the current one is the newest on or before today."""

    __tablename__ = "exchange_rates"

    rate_date: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    rate: Mapped[Decimal] = mapped_column(RATE)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.CheckConstraint("rate > 0", name="rate_positive"),)


class Payment(Base):
    """One payment in MXN of one or more invoices of one customer, through one bank."""

    __tablename__ = "payments"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, index=True)
    reference: Mapped[str] = mapped_column(sa.String(20), unique=True)
    bank: Mapped[str] = mapped_column(sa.String(20))
    # Known once the bank has registered the payment, inside the transaction that creates it.
    bank_payment_id: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    status: Mapped[str] = mapped_column(sa.String(10), default="pending")
    total: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(sa.String(3), default="MXN")
    redirect_url: Mapped[str | None] = mapped_column(sa.String(1000), nullable=True)
    bank_reference: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    email: Mapped[str | None] = mapped_column(sa.String(254), nullable=True)
    failure_reason: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    __table_args__ = (
        sa.UniqueConstraint("bank", "bank_payment_id", name="uq_payments_bank_payment"),
        sa.CheckConstraint("status IN ('pending', 'confirmed', 'failed')", name="status"),
        sa.CheckConstraint("total > 0", name="total_positive"),
        # History lists a customer's settled payments newest first; reconciliation scans the pending.
        sa.Index("ix_payments_customer_confirmed", "customer_id", "confirmed_at"),
        sa.Index("ix_payments_status_created", "status", "created_at"),
    )


class PaymentItem(Base):
    """What one payment applies to one invoice: the amount in the invoice's currency and its MXN price."""

    __tablename__ = "payment_items"

    payment_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("payments.id", ondelete="CASCADE"), primary_key=True
    )
    invoice_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, index=True)
    position: Mapped[int] = mapped_column(sa.Integer)
    invoice_number: Mapped[str] = mapped_column(sa.String(64))
    account_number: Mapped[str] = mapped_column(sa.String(32), index=True)
    currency: Mapped[str] = mapped_column(sa.String(3))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    amount_mxn: Mapped[Decimal] = mapped_column(MONEY)
    exchange_rate: Mapped[Decimal | None] = mapped_column(RATE, nullable=True)

    __table_args__ = (
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.CheckConstraint("amount_mxn > 0", name="amount_mxn_positive"),
    )


class InvoiceLock(Base):
    """An invoice with a payment in transit. The primary key is the exclusivity rule: of two
    payments started at once for one invoice, the second insert fails (409)."""

    __tablename__ = "invoice_locks"

    invoice_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    payment_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("payments.id", ondelete="CASCADE"), index=True
    )
    locked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class IdempotencyKey(Base):
    """A POST /payments already answered: the same key and body get the same answer again."""

    __tablename__ = "idempotency_keys"

    customer_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    request_hash: Mapped[str] = mapped_column(sa.String(64))
    status_code: Mapped[int] = mapped_column(sa.Integer)
    response_body: Mapped[str] = mapped_column(sa.Text)
    payment_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


OUTBOX = define_outbox(Base.metadata)
INBOX = define_inbox(Base.metadata)


# What identity revoked, until the tokens it covers expire (portal_shared.revocations).
REVOCATIONS = define_revocations(Base.metadata)
