"""Invoices, exchange rates, payment applications and statements.

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
        "invoices",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("invoice_number", sa.String(40), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("issue_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("pending_amount", MONEY, nullable=False),
        sa.Column("in_transit_amount", MONEY, nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("fiscal_folio", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_invoices"),
        sa.UniqueConstraint("invoice_number", name="uq_invoices_invoice_number"),
        sa.ForeignKeyConstraint(["account_id"], ["billing_accounts.id"], name="fk_invoices_account_id_billing_accounts"),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name="fk_invoices_customer_id_customers"),
        sa.CheckConstraint("currency IN ('MXN', 'USD')", name="ck_invoices_currency"),
        sa.CheckConstraint("amount > 0", name="ck_invoices_amount_positive"),
        sa.CheckConstraint("pending_amount >= 0 AND pending_amount <= amount", name="ck_invoices_pending_within_amount"),
        sa.CheckConstraint("in_transit_amount >= 0", name="ck_invoices_in_transit_not_negative"),
        sa.CheckConstraint(
            "(status = 'open' AND pending_amount > 0) OR (status = 'paid' AND pending_amount = 0)",
            name="ck_invoices_status_matches_pending",
        ),
        sa.CheckConstraint("due_date >= issue_date", name="ck_invoices_due_after_issue"),
        sa.CheckConstraint("version >= 1", name="ck_invoices_version_positive"),
    )
    op.create_index(
        "ix_invoices_customer_status_due", "invoices", ["customer_id", "status", "due_date", "invoice_number"]
    )
    op.create_index(
        "ix_invoices_account_status_due", "invoices", ["account_id", "status", "due_date", "invoice_number"]
    )
    op.create_index("ix_invoices_account_issue", "invoices", ["account_id", "issue_date"])

    op.create_table(
        "exchange_rates",
        sa.Column("rate_date", sa.Date(), nullable=False),
        sa.Column("rate", RATE, nullable=False),
        sa.Column("set_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("rate_date", name="pk_exchange_rates"),
        sa.CheckConstraint("rate > 0", name="ck_exchange_rates_rate_positive"),
    )

    op.create_table(
        "payment_applications",
        sa.Column("payment_id", sa.Uuid(), nullable=False),
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("amount_mxn", MONEY, nullable=False),
        sa.Column("exchange_rate", RATE, nullable=True),
        sa.Column("held_amount", MONEY, nullable=False),
        sa.Column("applied_amount", MONEY, nullable=True),
        sa.Column("excess_amount", MONEY, nullable=True),
        sa.Column("reference", sa.String(64), nullable=False),
        sa.Column("bank_reference", sa.String(64), nullable=True),
        sa.Column("applied_at", UTCDateTime(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("payment_id", "invoice_id", name="pk_payment_applications"),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoices.id"], name="fk_payment_applications_invoice_id_invoices"),
        sa.ForeignKeyConstraint(
            ["account_id"], ["billing_accounts.id"], name="fk_payment_applications_account_id_billing_accounts"
        ),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name="fk_payment_applications_customer_id_customers"),
        sa.CheckConstraint("state IN ('in_transit', 'applied', 'released')", name="ck_payment_applications_state"),
        sa.CheckConstraint("amount > 0", name="ck_payment_applications_amount_positive"),
        sa.CheckConstraint("held_amount >= 0", name="ck_payment_applications_held_not_negative"),
        sa.CheckConstraint(
            "state = 'in_transit' OR held_amount = 0", name="ck_payment_applications_held_only_in_transit"
        ),
        sa.CheckConstraint(
            "state <> 'applied' OR (applied_amount IS NOT NULL AND applied_at IS NOT NULL"
            " AND applied_amount >= 0 AND applied_amount <= amount)",
            name="ck_payment_applications_applied_has_amount",
        ),
    )
    op.create_index(
        "ix_payment_applications_account_state_applied",
        "payment_applications",
        ["account_id", "state", "applied_at"],
    )
    op.create_index("ix_payment_applications_invoice_id", "payment_applications", ["invoice_id"])

    op.create_table(
        "statements",
        sa.Column("id", sa.String(16), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("issued_at", UTCDateTime(), nullable=False),
        *(
            sa.Column(f"{figure}_{currency}", MONEY, nullable=False)
            for figure in ("opening", "invoiced", "paid", "closing")
            for currency in ("mxn", "usd")
        ),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_statements"),
        sa.ForeignKeyConstraint(["account_id"], ["billing_accounts.id"], name="fk_statements_account_id_billing_accounts"),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name="fk_statements_customer_id_customers"),
        sa.UniqueConstraint("account_id", "period", name="uq_statements_account_id_period"),
        sa.UniqueConstraint("period", "sequence", name="uq_statements_period_sequence"),
    )
    op.create_index("ix_statements_customer_period", "statements", ["customer_id", "period"])


def downgrade() -> None:
    op.drop_index("ix_statements_customer_period", table_name="statements")
    op.drop_table("statements")
    op.drop_index("ix_payment_applications_invoice_id", table_name="payment_applications")
    op.drop_index("ix_payment_applications_account_state_applied", table_name="payment_applications")
    op.drop_table("payment_applications")
    op.drop_table("exchange_rates")
    op.drop_index("ix_invoices_account_issue", table_name="invoices")
    op.drop_index("ix_invoices_account_status_due", table_name="invoices")
    op.drop_index("ix_invoices_customer_status_due", table_name="invoices")
    op.drop_table("invoices")
