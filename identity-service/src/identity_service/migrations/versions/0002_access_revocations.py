"""Access revoked by identity (sign-out, password change, a disabled user, changed roles): the
tokens it covers are refused here until they expire.

Revision ID: 0002
Revises: 0001_initial
Create Date: 2026-12-06
"""
from alembic import op

from portal_shared.revocations import create_revocations_table, drop_revocations_table

revision = "0002"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_revocations_table(op)


def downgrade() -> None:
    drop_revocations_table(op)
