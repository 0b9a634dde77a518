"""Incidents get the number people quote, INC-<year>-<six digits>, counted per year in the service
calendar's time zone; incidents already open are numbered in the order they were opened.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""
import os
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

from portal_shared.db import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "incident_numbers",
        sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("last_number", sa.Integer, nullable=False),
    )
    with op.batch_alter_table("incidents") as batch:
        batch.add_column(sa.Column("number", sa.String(20), nullable=True))
    # The zone the running service counts years in (its SERVICE_CALENDAR_ZONE, as config.py reads it).
    zone = ZoneInfo(os.environ.get("SERVICE_CALENDAR_ZONE", "America/Mexico_City"))
    bind = op.get_bind()
    incidents = sa.table("incidents", sa.column("id", sa.Uuid), sa.column("opened_at", UTCDateTime()),
                         sa.column("number", sa.String))
    counters = sa.table("incident_numbers", sa.column("year", sa.Integer), sa.column("last_number", sa.Integer))
    last: dict[int, int] = {}
    rows = bind.execute(sa.select(incidents.c.id, incidents.c.opened_at)
                        .order_by(incidents.c.opened_at, incidents.c.id)).all()
    for incident_id, opened_at in rows:
        year = opened_at.astimezone(zone).year
        last[year] = last.get(year, 0) + 1
        bind.execute(sa.update(incidents).where(incidents.c.id == incident_id)
                     .values(number=f"INC-{year}-{last[year]:06d}"))
    if last:
        bind.execute(sa.insert(counters), [{"year": year, "last_number": n} for year, n in last.items()])
    with op.batch_alter_table("incidents") as batch:
        batch.alter_column("number", existing_type=sa.String(20), nullable=False)
        batch.create_unique_constraint("uq_incidents_number", ["number"])


def downgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.drop_constraint("uq_incidents_number", type_="unique")
        batch.drop_column("number")
    op.drop_table("incident_numbers")
