"""identity consumes events (to mail people about statements and incidents): the inbox that
applies each event once.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""
from alembic import op

from portal_shared.inbox import create_inbox_table

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_inbox_table(op)


def downgrade() -> None:
    op.drop_table("inbox")
