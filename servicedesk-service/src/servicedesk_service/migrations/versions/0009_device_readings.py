"""One reading a device a day, holding every counter of the device: `device_readings` is the day's
reading, `meter_readings` keeps one row per counter of it.

Each existing (one-counter) reading becomes a device reading of its own, with the same id, so the
ids clients and billing already hold keep naming the same reading.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

from portal_shared.db import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "device_readings",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("read_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_device_readings"),
        sa.UniqueConstraint("device_id", "read_on", name="uq_device_readings_device_id"),
        sa.ForeignKeyConstraint(["device_id"], ["devices.id"], name="fk_device_readings_device_id_devices",
                                ondelete="CASCADE"),
    )
    op.execute(
        "INSERT INTO device_readings (id, device_id, read_on, recorded_at, recorded_by) "
        "SELECT id, device_id, read_on, recorded_at, recorded_by FROM meter_readings"
    )
    with op.batch_alter_table("meter_readings") as batch:
        batch.add_column(sa.Column("device_reading_id", sa.Uuid(), nullable=True))
    op.execute("UPDATE meter_readings SET device_reading_id = id")
    with op.batch_alter_table("meter_readings") as batch:
        batch.alter_column("device_reading_id", existing_type=sa.Uuid(), nullable=False)
        batch.drop_constraint("uq_meter_readings_device_id", type_="unique")
        batch.create_unique_constraint("uq_meter_readings_device_reading_id", ["device_reading_id", "counter"])
        batch.create_foreign_key("fk_meter_readings_device_reading_id_device_readings", "device_readings",
                                 ["device_reading_id"], ["id"], ondelete="CASCADE")
        batch.create_index("ix_meter_readings_device_id", ["device_id"])


def downgrade() -> None:
    # The old table holds one counter a day: a reading of several counters has no place in it, and
    # dropping all but one would lose readings billing has already been told of.
    several = op.get_bind().scalar(sa.text(
        "SELECT count(*) FROM (SELECT device_reading_id FROM meter_readings "
        "GROUP BY device_reading_id HAVING count(*) > 1) AS several"
    ))
    if several:
        raise RuntimeError(f"{several} reading(s) hold more than one counter; the one-counter schema cannot keep them")
    with op.batch_alter_table("meter_readings") as batch:
        batch.drop_index("ix_meter_readings_device_id")
        batch.drop_constraint("fk_meter_readings_device_reading_id_device_readings", type_="foreignkey")
        batch.drop_constraint("uq_meter_readings_device_reading_id", type_="unique")
        batch.create_unique_constraint("uq_meter_readings_device_id", ["device_id", "read_on"])
        batch.drop_column("device_reading_id")
    op.drop_table("device_readings")
