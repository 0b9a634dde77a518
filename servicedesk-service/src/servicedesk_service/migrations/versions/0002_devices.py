"""Devices, their assignments, locations, counter replacements and meter readings.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

from portal_shared.db import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _device_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["device_id"], ["devices.id"], name=f"fk_{table}_device_id_devices", ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "devices",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("serial_number", sa.String(64), nullable=False),
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("account_number", sa.String(32), nullable=False),
        sa.Column("install_address", sa.String(500), nullable=False),
        sa.Column("location", sa.String(500), nullable=False),
        sa.Column("response_hours", sa.Integer(), nullable=False),
        sa.Column("counters", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("retired_at", UTCDateTime(), nullable=True),
        sa.Column("removed_at", UTCDateTime(), nullable=True),
        sa.Column("removed_by", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_devices"),
        sa.UniqueConstraint("serial_number", name="uq_devices_serial_number"),
    )
    op.create_index("ix_devices_customer_id", "devices", ["customer_id"])
    op.create_table(
        "device_assignments",
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("assigned_at", UTCDateTime(), nullable=False),
        sa.Column("assigned_by", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("device_id", "user_id", name="pk_device_assignments"),
        _device_fk("device_assignments"),
    )
    op.create_index("ix_device_assignments_user_id", "device_assignments", ["user_id"])
    op.create_table(
        "device_locations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("location", sa.String(500), nullable=False),
        sa.Column("moved_at", UTCDateTime(), nullable=False),
        sa.Column("moved_by", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_device_locations"),
        _device_fk("device_locations"),
    )
    op.create_index("ix_device_locations_device_id", "device_locations", ["device_id"])
    op.create_table(
        "counter_replacements",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("counter", sa.String(50), nullable=False),
        sa.Column("series", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("replaced_at", UTCDateTime(), nullable=False),
        sa.Column("replaced_by", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_counter_replacements"),
        sa.UniqueConstraint("device_id", "counter", "series", name="uq_counter_replacements_device_id"),
        _device_fk("counter_replacements"),
    )
    op.create_table(
        "meter_readings",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("counter", sa.String(50), nullable=False),
        sa.Column("series", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("previous_value", sa.BigInteger(), nullable=True),
        sa.Column("read_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_meter_readings"),
        sa.UniqueConstraint("device_id", "read_on", name="uq_meter_readings_device_id"),
        _device_fk("meter_readings"),
    )


def downgrade() -> None:
    op.drop_table("meter_readings")
    op.drop_table("counter_replacements")
    op.drop_index("ix_device_locations_device_id", table_name="device_locations")
    op.drop_table("device_locations")
    op.drop_index("ix_device_assignments_user_id", table_name="device_assignments")
    op.drop_table("device_assignments")
    op.drop_index("ix_devices_customer_id", table_name="devices")
    op.drop_table("devices")
