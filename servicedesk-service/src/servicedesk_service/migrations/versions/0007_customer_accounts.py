"""The account numbers of each customer, as identity registered them: a device is registered only
under an account of its own customer.

Customers registered before this revision have no accounts here until identity announces them
again; their devices cannot be registered meanwhile (refused, naming the account), never misfiled.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customer_accounts",
        sa.Column("account_number", sa.String(32), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name="fk_customer_accounts_customer_id_customers"),
        sa.PrimaryKeyConstraint("account_number", name="pk_customer_accounts"),
    )
    op.create_index("ix_customer_accounts_customer_id", "customer_accounts", ["customer_id"])


def downgrade() -> None:
    op.drop_index("ix_customer_accounts_customer_id", table_name="customer_accounts")
    op.drop_table("customer_accounts")
