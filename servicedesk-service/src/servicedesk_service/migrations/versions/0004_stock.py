"""Stock for e-Maintenance: stock locations and their toner levels, the device's stock location,
the toner levels devices report, and toner orders.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

from portal_shared.db import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stock_locations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("shipping_address", sa.String(500), nullable=False),
        sa.Column("shipping_instructions", sa.String(2000), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_stock_locations"),
    )
    op.create_index("ix_stock_locations_customer_id", "stock_locations", ["customer_id"])
    op.create_table(
        "stock_levels",
        sa.Column("stock_location_id", sa.Uuid(), nullable=False),
        sa.Column("toner_item", sa.String(100), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("reorder_point", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("stock_location_id", "toner_item", name="pk_stock_levels"),
        sa.ForeignKeyConstraint(["stock_location_id"], ["stock_locations.id"],
                                name="fk_stock_levels_stock_location_id_stock_locations", ondelete="CASCADE"),
        sa.CheckConstraint("quantity >= 0", name="ck_stock_levels_quantity_not_negative"),
        sa.CheckConstraint("reorder_point >= 0", name="ck_stock_levels_reorder_point_not_negative"),
    )
    with op.batch_alter_table("devices") as batch:
        batch.add_column(sa.Column("stock_location_id", sa.Uuid(), nullable=True))
        batch.create_foreign_key("fk_devices_stock_location_id_stock_locations", "stock_locations",
                                 ["stock_location_id"], ["id"], ondelete="SET NULL")
        batch.create_index("ix_devices_stock_location_id", ["stock_location_id"])
    op.create_table(
        "toner_levels",
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("toner_item", sa.String(100), nullable=False),
        sa.Column("percent", sa.Integer(), nullable=False),
        sa.Column("reported_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("device_id", "toner_item", name="pk_toner_levels"),
        sa.ForeignKeyConstraint(["device_id"], ["devices.id"], name="fk_toner_levels_device_id_devices",
                                ondelete="CASCADE"),
        sa.CheckConstraint("percent >= 0 AND percent <= 100", name="ck_toner_levels_percent_range"),
    )
    op.create_table(
        "toner_orders",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("stock_location_id", sa.Uuid(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=True),
        sa.Column("toner_item", sa.String(100), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("shipped_at", UTCDateTime(), nullable=True),
        sa.Column("cancelled_at", UTCDateTime(), nullable=True),
        sa.Column("status_changed_by", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_toner_orders"),
        sa.ForeignKeyConstraint(["stock_location_id"], ["stock_locations.id"],
                                name="fk_toner_orders_stock_location_id_stock_locations", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["device_id"], ["devices.id"], name="fk_toner_orders_device_id_devices",
                                ondelete="SET NULL"),
        sa.CheckConstraint("quantity > 0", name="ck_toner_orders_quantity_positive"),
        sa.CheckConstraint("status IN ('open', 'shipped', 'cancelled')", name="ck_toner_orders_status"),
    )
    op.create_index("ix_toner_orders_customer_id", "toner_orders", ["customer_id"])
    op.create_index(
        "uq_toner_orders_open",
        "toner_orders",
        ["stock_location_id", "toner_item"],
        unique=True,
        postgresql_where=sa.text("status = 'open'"),
        sqlite_where=sa.text("status = 'open'"),
    )


def downgrade() -> None:
    op.drop_index("uq_toner_orders_open", table_name="toner_orders")
    op.drop_index("ix_toner_orders_customer_id", table_name="toner_orders")
    op.drop_table("toner_orders")
    op.drop_table("toner_levels")
    with op.batch_alter_table("devices") as batch:
        batch.drop_index("ix_devices_stock_location_id")
        batch.drop_constraint("fk_devices_stock_location_id_stock_locations", type_="foreignkey")
        batch.drop_column("stock_location_id")
    op.drop_table("stock_levels")
    op.drop_index("ix_stock_locations_customer_id", table_name="stock_locations")
    op.drop_table("stock_locations")
