"""The migrations build exactly the schema the models describe, on PostgreSQL and on SQLite, and carry the
data they change."""
import uuid
from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa
from alembic import command

from portal_shared.db import UTCDateTime, make_engine
from portal_shared.db.migrate import alembic_config
from portal_shared.testing.checks import MigrationChecks
from portal_shared.testing.servers import temporary_database


class TestMigrations(MigrationChecks):
    """portal_shared's checks, on servicedesk-service's migrations and models."""


# The two tables as revision 0008 left them, as much as the test writes.
DEVICES = sa.table("devices", *(sa.column(name, kind) for name, kind in (
    ("id", sa.Uuid()), ("serial_number", sa.String()), ("model", sa.String()), ("customer_id", sa.Uuid()),
    ("account_number", sa.String()), ("install_address", sa.String()), ("location", sa.String()),
    ("response_hours", sa.Integer()), ("counters", sa.JSON()), ("status", sa.String()),
    ("created_at", sa.DateTime(timezone=True)))))
OLD_READINGS = sa.table("meter_readings", *(sa.column(name, kind) for name, kind in (
    ("id", sa.Uuid()), ("device_id", sa.Uuid()), ("counter", sa.String()), ("series", sa.Integer()),
    ("value", sa.BigInteger()), ("previous_value", sa.BigInteger()), ("read_on", sa.Date()),
    ("recorded_at", sa.DateTime(timezone=True)))))


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_one_counter_readings_become_device_readings_with_the_same_id(service_under_test, tmp_path, backend):
    """0009: each reading of old (one counter a day) is a device reading of its own, keeping its id, so the
    ids clients and billing hold still name it; and back again."""
    def migrate(url):
        config = alembic_config(service_under_test.migrations_dir, url)
        command.upgrade(config, "0008")
        engine = make_engine(url)
        device_id, reading_id = uuid.uuid4(), uuid.uuid4()
        now = datetime(2026, 3, 10, 17, 0, tzinfo=timezone.utc)
        with engine.begin() as connection:
            connection.execute(sa.insert(DEVICES).values(
                id=device_id, serial_number="SN-MIGRATED-1", model="iR C3226", customer_id=uuid.uuid4(),
                account_number="005300", install_address="Av. Reforma 222", location="Piso 3", response_hours=8,
                counters=["total", "black"], status="active", created_at=now))
            connection.execute(sa.insert(OLD_READINGS).values(
                id=reading_id, device_id=device_id, counter="total", series=1, value=1500, previous_value=None,
                read_on=date(2026, 3, 10), recorded_at=now))
        command.upgrade(config, "0009")
        day_readings = sa.table("device_readings", sa.column("id", sa.Uuid()), sa.column("device_id", sa.Uuid()),
                                sa.column("read_on", sa.Date()))
        counters = sa.table("meter_readings", sa.column("device_reading_id", sa.Uuid()),
                            sa.column("counter", sa.String()), sa.column("value", sa.BigInteger()))
        try:
            with engine.begin() as connection:
                day = connection.execute(sa.select(day_readings)).one()
                counter = connection.execute(sa.select(counters)).one()
            assert (day.id, day.device_id, day.read_on) == (reading_id, device_id, date(2026, 3, 10))
            assert (counter.device_reading_id, counter.counter, counter.value) == (reading_id, "total", 1500)
            command.downgrade(config, "0008")
            with engine.begin() as connection:
                kept = connection.execute(sa.select(OLD_READINGS.c.id, OLD_READINGS.c.value)).one()
                assert "device_readings" not in sa.inspect(connection).get_table_names()
            assert (kept.id, kept.value) == (reading_id, 1500)
        finally:
            engine.dispose()

    if backend == "sqlite":
        migrate(f"sqlite:///{tmp_path / 'migrated.db'}")
    else:
        with temporary_database(f"{service_under_test.extension_prefix}_0009") as url:
            migrate(url)


INCIDENTS = sa.table("incidents", *(sa.column(name, kind) for name, kind in (
    ("id", sa.Uuid()), ("customer_id", sa.Uuid()), ("device_id", sa.Uuid()), ("category", sa.String()),
    ("description", sa.String()), ("contact_name", sa.String()), ("contact_phone", sa.String()),
    ("contact_email", sa.String()), ("status", sa.String()), ("opened_at", UTCDateTime()),
    ("response_due_at", UTCDateTime()))))


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_incidents_of_old_are_numbered_in_the_order_they_were_opened(service_under_test, tmp_path, backend):
    """0010: incidents opened before numbers existed get them by year (Mexico City's) and opening order,
    and the next opening continues from there."""
    def migrate(url):
        config = alembic_config(service_under_test.migrations_dir, url)
        command.upgrade(config, "0009")
        engine = make_engine(url)
        device_id, customer_id = uuid.uuid4(), uuid.uuid4()
        # 31 Dec 2025 23:30 in Mexico City is 1 Jan 2026 in UTC: still a 2025 incident.
        opened = [datetime(2026, 2, 3, 16, 0, tzinfo=timezone.utc), datetime(2026, 1, 1, 5, 30, tzinfo=timezone.utc),
                  datetime(2026, 1, 2, 15, 0, tzinfo=timezone.utc)]
        ids = [uuid.uuid4() for _ in opened]
        with engine.begin() as connection:
            connection.execute(sa.insert(DEVICES).values(
                id=device_id, serial_number="SN-MIGRATED-2", model="iR C3226", customer_id=customer_id,
                account_number="005300", install_address="Av. Reforma 222", location="Piso 3", response_hours=8,
                counters=["total"], status="active", created_at=opened[1]))
            for incident_id, at in zip(ids, opened):
                connection.execute(sa.insert(INCIDENTS).values(
                    id=incident_id, customer_id=customer_id, device_id=device_id, category="paper_jam",
                    description="Atasco", contact_name="Ana", contact_phone="5555555555",
                    contact_email="ana@example.com", status="open", opened_at=at, response_due_at=at))
        command.upgrade(config, "0010")
        numbered = sa.table("incidents", sa.column("id", sa.Uuid()), sa.column("number", sa.String()))
        counters = sa.table("incident_numbers", sa.column("year", sa.Integer()), sa.column("last_number", sa.Integer()))
        try:
            with engine.begin() as connection:
                numbers = dict(connection.execute(sa.select(numbered.c.id, numbered.c.number)).all())
                last = dict(connection.execute(sa.select(counters.c.year, counters.c.last_number)).all())
            assert [numbers[incident_id] for incident_id in ids] == ["INC-2026-000002", "INC-2025-000001",
                                                                      "INC-2026-000001"]
            assert last == {2025: 1, 2026: 2}
            command.downgrade(config, "0009")
            with engine.begin() as connection:
                assert "incident_numbers" not in sa.inspect(connection).get_table_names()
                assert connection.execute(sa.select(sa.func.count()).select_from(INCIDENTS)).scalar() == 3
        finally:
            engine.dispose()

    if backend == "sqlite":
        migrate(f"sqlite:///{tmp_path / 'numbered.db'}")
    else:
        with temporary_database(f"{service_under_test.extension_prefix}_0010") as url:
            migrate(url)
