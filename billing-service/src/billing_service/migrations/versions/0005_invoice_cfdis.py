"""Invoices' CFDI 4.0, stamped, as the operator imported them.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

from portal_shared.db import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "invoice_cfdis",
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("fiscal_folio", sa.Uuid(), nullable=False),
        sa.Column("xml", sa.LargeBinary(), nullable=False),
        sa.Column("imported_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoices.id"], name="fk_invoice_cfdis_invoice_id_invoices"),
        sa.PrimaryKeyConstraint("invoice_id", name="pk_invoice_cfdis"),
        sa.UniqueConstraint("fiscal_folio", name="uq_invoice_cfdis_fiscal_folio"),
    )


def downgrade() -> None:
    op.drop_table("invoice_cfdis")
