"""Why a mailed link ended (used, superseded by a newer one, revoked), so its holder is told.
Links ended before keep NULL: the reason is unknown, and they are taken as used.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("one_time_tokens", sa.Column("ended_reason", sa.String(16), nullable=True))


def downgrade() -> None:
    op.drop_column("one_time_tokens", "ended_reason")
