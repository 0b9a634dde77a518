"""Payable invoices, exchange rates, payments, their items, invoice locks and idempotency keys.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

from portal_shared.db import MONEY, UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

RATE = sa.Numeric(12, 4, asdecimal=True)


def upgrade() -> None:
    op.create_table(
        "payable_invoices",
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("invoice_number", sa.String(64), nullable=False),
        sa.Column("account_number", sa.String(32), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("pending_amount", MONEY, nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("issue_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("invoice_id", name="pk_payable_invoices"),
        sa.CheckConstraint("currency IN ('MXN', 'USD')", name="ck_payable_invoices_currency"),
        sa.CheckConstraint("pending_amount >= 0", name="ck_payable_invoices_pending_not_negative"),
    )
    op.create_index("ix_payable_invoices_customer_id", "payable_invoices", ["customer_id"])

    op.create_table(
        "exchange_rates",
        sa.Column("rate_date", sa.Date(), nullable=False),
        sa.Column("rate", RATE, nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("rate_date", name="pk_exchange_rates"),
        sa.CheckConstraint("rate > 0", name="ck_exchange_rates_rate_positive"),
    )

    op.create_table(
        "payments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("reference", sa.String(20), nullable=False),
        sa.Column("bank", sa.String(20), nullable=False),
        sa.Column("bank_payment_id", sa.String(64), nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("total", MONEY, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("redirect_url", sa.String(1000), nullable=True),
        sa.Column("bank_reference", sa.String(64), nullable=True),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("failure_reason", sa.String(200), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("confirmed_at", UTCDateTime(), nullable=True),
        sa.Column("failed_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_payments"),
        sa.UniqueConstraint("reference", name="uq_payments_reference"),
        sa.UniqueConstraint("bank", "bank_payment_id", name="uq_payments_bank_payment"),
        sa.CheckConstraint("status IN ('pending', 'confirmed', 'failed')", name="ck_payments_status"),
        sa.CheckConstraint("total > 0", name="ck_payments_total_positive"),
    )
    op.create_index("ix_payments_customer_id", "payments", ["customer_id"])
    op.create_index("ix_payments_customer_confirmed", "payments", ["customer_id", "confirmed_at"])
    op.create_index("ix_payments_status_created", "payments", ["status", "created_at"])

    op.create_table(
        "payment_items",
        sa.Column("payment_id", sa.Uuid(), nullable=False),
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("invoice_number", sa.String(64), nullable=False),
        sa.Column("account_number", sa.String(32), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("amount_mxn", MONEY, nullable=False),
        sa.Column("exchange_rate", RATE, nullable=True),
        sa.PrimaryKeyConstraint("payment_id", "invoice_id", name="pk_payment_items"),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name="fk_payment_items_payment_id_payments", ondelete="CASCADE"
        ),
        sa.CheckConstraint("amount > 0", name="ck_payment_items_amount_positive"),
        sa.CheckConstraint("amount_mxn > 0", name="ck_payment_items_amount_mxn_positive"),
    )
    op.create_index("ix_payment_items_invoice_id", "payment_items", ["invoice_id"])
    op.create_index("ix_payment_items_account_number", "payment_items", ["account_number"])

    op.create_table(
        "invoice_locks",
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("payment_id", sa.Uuid(), nullable=False),
        sa.Column("locked_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("invoice_id", name="pk_invoice_locks"),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name="fk_invoice_locks_payment_id_payments", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_invoice_locks_payment_id", "invoice_locks", ["payment_id"])

    op.create_table(
        "idempotency_keys",
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response_body", sa.Text(), nullable=False),
        sa.Column("payment_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("customer_id", "key", name="pk_idempotency_keys"),
    )


def downgrade() -> None:
    op.drop_table("idempotency_keys")
    op.drop_index("ix_invoice_locks_payment_id", table_name="invoice_locks")
    op.drop_table("invoice_locks")
    op.drop_index("ix_payment_items_account_number", table_name="payment_items")
    op.drop_index("ix_payment_items_invoice_id", table_name="payment_items")
    op.drop_table("payment_items")
    op.drop_index("ix_payments_status_created", table_name="payments")
    op.drop_index("ix_payments_customer_confirmed", table_name="payments")
    op.drop_index("ix_payments_customer_id", table_name="payments")
    op.drop_table("payments")
    op.drop_table("exchange_rates")
    op.drop_index("ix_payable_invoices_customer_id", table_name="payable_invoices")
    op.drop_table("payable_invoices")
