"""Meter usage from servicedesk's accepted readings, and the usage each statement states.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

from portal_shared.db import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meter_usage",
        sa.Column("reading_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("account_number", sa.String(32), nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("serial_number", sa.String(64), nullable=False),
        sa.Column("counter", sa.String(50), nullable=False),
        sa.Column("series", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("previous_value", sa.BigInteger(), nullable=True),
        sa.Column("usage", sa.BigInteger(), nullable=False),
        sa.Column("read_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("reading_id", name="pk_meter_usage"),
    )
    op.create_index("ix_meter_usage_account_period", "meter_usage", ["account_number", "period"])
    with op.batch_alter_table("statements") as batch:
        batch.add_column(sa.Column("meter_usage", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("statements") as batch:
        batch.drop_column("meter_usage")
    op.drop_index("ix_meter_usage_account_period", table_name="meter_usage")
    op.drop_table("meter_usage")
