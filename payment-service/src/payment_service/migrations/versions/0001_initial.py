"""Payable accounts, outbox and inbox.

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
        "payable_accounts",
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("account_number", sa.String(32), nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("account_id", name="pk_payable_accounts"),
        sa.UniqueConstraint("account_number", name="uq_payable_accounts_account_number"),
    )
    op.create_index("ix_payable_accounts_customer_id", "payable_accounts", ["customer_id"])
    create_outbox_table(op)
    create_inbox_table(op)


def downgrade() -> None:
    op.drop_table("inbox")
    op.drop_index("ix_outbox_unsent", table_name="outbox")
    op.drop_table("outbox")
    op.drop_index("ix_payable_accounts_customer_id", table_name="payable_accounts")
    op.drop_table("payable_accounts")
