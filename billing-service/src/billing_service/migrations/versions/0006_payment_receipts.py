"""Payment receipts (REP, complemento Pagos 2.0): one per confirmed payment, stamped through the
outbox's "stamp" channel.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

from portal_shared.db import MONEY, UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "payment_receipts",
        sa.Column("payment_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("reference", sa.String(64), nullable=False),
        sa.Column("bank", sa.String(32), nullable=False),
        sa.Column("bank_reference", sa.String(64), nullable=False),
        sa.Column("total_mxn", MONEY, nullable=False),
        sa.Column("confirmed_at", UTCDateTime(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("sealed_xml", sa.LargeBinary(), nullable=True),
        sa.Column("stamped_xml", sa.LargeBinary(), nullable=True),
        sa.Column("fiscal_folio", sa.Uuid(), nullable=True),
        sa.Column("stamped_at", UTCDateTime(), nullable=True),
        sa.Column("refusal_code", sa.String(64), nullable=True),
        sa.Column("refusal", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("status IN ('waiting', 'stamped', 'refused')", name="ck_payment_receipts_status"),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name="fk_payment_receipts_customer_id_customers"),
        sa.PrimaryKeyConstraint("payment_id", name="pk_payment_receipts"),
        sa.UniqueConstraint("fiscal_folio", name="uq_payment_receipts_fiscal_folio"),
    )
    op.create_index("ix_payment_receipts_customer_id_confirmed_at", "payment_receipts",
                    ["customer_id", "confirmed_at"])
    op.create_index("ix_payment_receipts_status_deadline", "payment_receipts", ["status", "deadline"])


def downgrade() -> None:
    op.drop_index("ix_payment_receipts_status_deadline", table_name="payment_receipts")
    op.drop_index("ix_payment_receipts_customer_id_confirmed_at", table_name="payment_receipts")
    op.drop_table("payment_receipts")
