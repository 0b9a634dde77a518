"""billing-service's tables (SQLAlchemy 2 declarative), including its outbox and inbox."""
from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from portal_shared.db import MONEY, UTCDateTime, utcnow
from portal_shared.db.naming import NAMING_CONVENTION
from portal_shared.inbox import define_inbox
from portal_shared.outbox import define_outbox
from portal_shared.revocations import define_revocations


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


# An exchange rate (MXN per USD) has four decimals.
RATE = sa.Numeric(12, 4, asdecimal=True)


class Invoice(Base):
    """An invoice issued to a billing account, in MXN or USD, and what is still owed on it."""

    __tablename__ = "invoices"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    invoice_number: Mapped[str] = mapped_column(sa.String(40), unique=True)
    account_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("billing_accounts.id"))
    # The account's customer, kept on the row: every read is scoped by customer.
    customer_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("customers.id"))
    issue_date: Mapped[date] = mapped_column(sa.Date)
    due_date: Mapped[date] = mapped_column(sa.Date)
    currency: Mapped[str] = mapped_column(sa.String(3))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    pending_amount: Mapped[Decimal] = mapped_column(MONEY)
    in_transit_amount: Mapped[Decimal] = mapped_column(MONEY)
    status: Mapped[str] = mapped_column(sa.String(8))
    # The CFDI's UUID (folio fiscal) once the invoice is stamped.
    fiscal_folio: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, nullable=True)
    # Grows with every change of the balance; billing.invoice.balance_changed carries it.
    version: Mapped[int] = mapped_column(sa.Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    account: Mapped[BillingAccount] = relationship()

    __table_args__ = (
        sa.CheckConstraint("currency IN ('MXN', 'USD')", name="currency"),
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.CheckConstraint("pending_amount >= 0 AND pending_amount <= amount", name="pending_within_amount"),
        sa.CheckConstraint("in_transit_amount >= 0", name="in_transit_not_negative"),
        sa.CheckConstraint(
            "(status = 'open' AND pending_amount > 0) OR (status = 'paid' AND pending_amount = 0)",
            name="status_matches_pending",
        ),
        sa.CheckConstraint("due_date >= issue_date", name="due_after_issue"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
        # Balances and invoice lists: a customer's (or an account's) open invoices by due date.
        sa.Index("ix_invoices_customer_status_due", "customer_id", "status", "due_date", "invoice_number"),
        sa.Index("ix_invoices_account_status_due", "account_id", "status", "due_date", "invoice_number"),
        # Statements: an account's invoices by issue date.
        sa.Index("ix_invoices_account_issue", "account_id", "issue_date"),
    )


class InvoiceCfdi(Base):
    """An invoice's CFDI 4.0 as the operator imported it, stamped: kept byte for byte, since it is
    the fiscal document the customer downloads and hands to SAT."""

    __tablename__ = "invoice_cfdis"

    invoice_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("invoices.id"), primary_key=True)
    # The stamp's UUID: one CFDI is one invoice's only.
    fiscal_folio: Mapped[uuid.UUID] = mapped_column(sa.Uuid, unique=True)
    xml: Mapped[bytes] = mapped_column(sa.LargeBinary)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PaymentReceipt(Base):
    """A confirmed payment's REP (CFDI of type P, complemento Pagos 2.0): one per payment.

    Written when billing applies the payment, with the facts the REP states as they stood then
    (each invoice's balance before and its earlier payments); billing-stamper seals it with the
    vendor's CSD and has the PAC stamp it, through the outbox's "stamp" channel.
    """

    __tablename__ = "payment_receipts"

    payment_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("customers.id"))
    reference: Mapped[str] = mapped_column(sa.String(64))  # the portal's payment reference
    bank: Mapped[str] = mapped_column(sa.String(32))
    bank_reference: Mapped[str] = mapped_column(sa.String(64))
    total_mxn: Mapped[Decimal] = mapped_column(MONEY)
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # SAT's deadline: the 5th of the month after the payment, in Mexico City.
    deadline: Mapped[date] = mapped_column(sa.Date)
    status: Mapped[str] = mapped_column(sa.String(12))
    facts: Mapped[dict] = mapped_column(sa.JSON)
    # Sealed once and kept: a retry sends the PAC the same document, which it answers with the
    # same UUID, so a crash after stamping never makes a second REP.
    sealed_xml: Mapped[bytes | None] = mapped_column(sa.LargeBinary, nullable=True)
    stamped_xml: Mapped[bytes | None] = mapped_column(sa.LargeBinary, nullable=True)
    fiscal_folio: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, unique=True, nullable=True)
    stamped_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Why no REP could be stamped (a refused REP waits for a person): a stable code and the detail.
    refusal_code: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    refusal: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        sa.CheckConstraint("status IN ('waiting', 'stamped', 'refused')", name="status"),
        sa.Index("ix_payment_receipts_customer_id_confirmed_at", "customer_id", "confirmed_at"),
        sa.Index("ix_payment_receipts_status_deadline", "status", "deadline"),
    )


class ExchangeRate(Base):
    """MXN per USD for a day, as the operator's feed sets it."""

    __tablename__ = "exchange_rates"

    rate_date: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    rate: Mapped[Decimal] = mapped_column(RATE)
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.CheckConstraint("rate > 0", name="rate_positive"),)


class PaymentApplication(Base):
    """What one payment does to one invoice: the state machine of domain.payments, one row per pair.

    The primary key makes every payment event count at most once per invoice; an applied row
    is the applied payment (amount, rate, bank reference) statements list.
    """

    __tablename__ = "payment_applications"

    payment_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    invoice_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("invoices.id"), primary_key=True)
    account_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("billing_accounts.id"))
    customer_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("customers.id"))
    state: Mapped[str] = mapped_column(sa.String(12))
    currency: Mapped[str] = mapped_column(sa.String(3))
    # The item's amount in the invoice's currency, the MXN paid for it and (USD) the rate fixed then.
    amount: Mapped[Decimal] = mapped_column(MONEY)
    amount_mxn: Mapped[Decimal] = mapped_column(MONEY)
    exchange_rate: Mapped[Decimal | None] = mapped_column(RATE, nullable=True)
    # Held in transit while state is in_transit, zero after.
    held_amount: Mapped[Decimal] = mapped_column(MONEY)
    applied_amount: Mapped[Decimal | None] = mapped_column(MONEY, nullable=True)
    # Paid beyond what was pending: kept, never taken below zero.
    excess_amount: Mapped[Decimal | None] = mapped_column(MONEY, nullable=True)
    reference: Mapped[str] = mapped_column(sa.String(64))
    bank_reference: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        sa.CheckConstraint("state IN ('in_transit', 'applied', 'released')", name="state"),
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.CheckConstraint("held_amount >= 0", name="held_not_negative"),
        sa.CheckConstraint("state = 'in_transit' OR held_amount = 0", name="held_only_in_transit"),
        sa.CheckConstraint(
            "state <> 'applied' OR (applied_amount IS NOT NULL AND applied_at IS NOT NULL"
            " AND applied_amount >= 0 AND applied_amount <= amount)",
            name="applied_has_amount",
        ),
        # Statements: an account's payments applied in a month.
        sa.Index("ix_payment_applications_account_state_applied", "account_id", "state", "applied_at"),
        sa.Index("ix_payment_applications_invoice_id", "invoice_id"),
    )


class Statement(Base):
    """A month's statement of account for one billing account; the PDF is kept as generated."""

    __tablename__ = "statements"

    id: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    account_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("billing_accounts.id"))
    customer_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("customers.id"))
    period: Mapped[str] = mapped_column(sa.String(7))
    sequence: Mapped[int] = mapped_column(sa.Integer)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opening_mxn: Mapped[Decimal] = mapped_column(MONEY)
    opening_usd: Mapped[Decimal] = mapped_column(MONEY)
    invoiced_mxn: Mapped[Decimal] = mapped_column(MONEY)
    invoiced_usd: Mapped[Decimal] = mapped_column(MONEY)
    paid_mxn: Mapped[Decimal] = mapped_column(MONEY)
    paid_usd: Mapped[Decimal] = mapped_column(MONEY)
    closing_mxn: Mapped[Decimal] = mapped_column(MONEY)
    closing_usd: Mapped[Decimal] = mapped_column(MONEY)
    pdf: Mapped[bytes] = mapped_column(sa.LargeBinary)
    # The meter usage stated, as issued: [{"serial_number", "counter", "usage"}]. None for
    # statements issued before usage was recorded.
    meter_usage: Mapped[list[dict] | None] = mapped_column(sa.JSON)

    account: Mapped[BillingAccount] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("account_id", "period", name="uq_statements_account_id_period"),
        sa.UniqueConstraint("period", "sequence", name="uq_statements_period_sequence"),
        # Listing a customer's statements, newest first.
        sa.Index("ix_statements_customer_period", "customer_id", "period"),
    )


class MeterUsage(Base):
    """One counter of an accepted meter reading from servicedesk and the usage it adds to its
    account's month.

    Keyed (reading_id) by the reading's id for a v1 reading (one counter), by
    usage.usage_key(reading id, counter) for a v2 reading (every counter of the device's day), so
    the same reading announced twice counts once. Account and
    customer are kept as servicedesk named them (no foreign keys): a reading may arrive before
    billing has learnt of the account.
    """

    __tablename__ = "meter_usage"

    reading_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid)
    account_number: Mapped[str] = mapped_column(sa.String(32))
    period: Mapped[str] = mapped_column(sa.String(7))
    device_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid)
    serial_number: Mapped[str] = mapped_column(sa.String(64))
    counter: Mapped[str] = mapped_column(sa.String(50))
    series: Mapped[int] = mapped_column(sa.Integer)
    value: Mapped[int] = mapped_column(sa.BigInteger)
    previous_value: Mapped[int | None] = mapped_column(sa.BigInteger)
    usage: Mapped[int] = mapped_column(sa.BigInteger)
    read_on: Mapped[date] = mapped_column(sa.Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        # A statement sums its account's month.
        sa.Index("ix_meter_usage_account_period", "account_number", "period"),
    )


OUTBOX = define_outbox(Base.metadata)
INBOX = define_inbox(Base.metadata)


# What identity revoked, until the tokens it covers expire (portal_shared.revocations).
REVOCATIONS = define_revocations(Base.metadata)
