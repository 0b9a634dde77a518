"""Customer directory, billing accounts, outbox and inbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

from portal_shared.db import UTCDateTime
from portal_shared.inbox import create_inbox_table
from portal_shared.outbox import create_outbox_table

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("rfc", sa.String(13), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("system_account_number", sa.String(32), nullable=False),
        sa.Column("registered_at", UTCDateTime(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_customers"),
        sa.UniqueConstraint("rfc", name="uq_customers_rfc"),
    )
    op.create_table(
        "billing_accounts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("account_number", sa.String(32), nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_billing_accounts"),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name="fk_billing_accounts_customer_id_customers"
        ),
        sa.UniqueConstraint("account_number", name="uq_billing_accounts_account_number"),
    )
    op.create_index("ix_billing_accounts_customer_id", "billing_accounts", ["customer_id"])
    create_outbox_table(op)
    create_inbox_table(op)


def downgrade() -> None:
    op.drop_table("inbox")
    op.drop_index("ix_outbox_unsent", table_name="outbox")
    op.drop_table("outbox")
    op.drop_index("ix_billing_accounts_customer_id", table_name="billing_accounts")
    op.drop_table("billing_accounts")
    op.drop_table("customers")
