"""The migrations carry the data they change (the models-versus-migrations check is in
test_schema_and_health.py)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from alembic import command

from portal_shared.db import UTCDateTime, make_engine
from portal_shared.db.migrate import alembic_config
from portal_shared.testing.servers import temporary_database

from identity_service.domain.links import USED, LinkFacts, why_unusable

# The two tables as revision 0003 left them, as much as the test writes.
USERS = sa.table("users", *(sa.column(name, kind) for name, kind in (
    ("id", sa.String()), ("username", sa.String()), ("email", sa.String()), ("email_verified", sa.Boolean()),
    ("name", sa.String()), ("status", sa.String()), ("created_at", UTCDateTime()), ("updated_at", UTCDateTime()))))
TOKENS = sa.table("one_time_tokens", *(sa.column(name, kind) for name, kind in (
    ("id", sa.String()), ("token_hash", sa.String()), ("purpose", sa.String()), ("user_id", sa.String()),
    ("email", sa.String()), ("created_at", UTCDateTime()), ("expires_at", UTCDateTime()),
    ("used_at", UTCDateTime()))))


def test_links_ended_before_reasons_were_recorded_keep_no_reason_and_count_as_used(service_under_test):
    """0004: links of old keep their state; one that ended has no reason and is taken as used."""
    with temporary_database(f"{service_under_test.extension_prefix}_0004") as url:
        config = alembic_config(service_under_test.migrations_dir, url)
        command.upgrade(config, "0003")
        engine = make_engine(url)
        now = datetime(2026, 12, 1, 17, 0, tzinfo=timezone.utc)
        try:
            with engine.begin() as connection:
                connection.execute(sa.insert(USERS).values(
                    id="u-1", username="bea@demo.mx", email="bea@demo.mx", email_verified=True, name="Bea",
                    status="active", created_at=now, updated_at=now))
                connection.execute(sa.insert(TOKENS), [
                    dict(id="t-ended", token_hash="a" * 64, purpose="reset_password", user_id="u-1",
                         email="bea@demo.mx", created_at=now, expires_at=now + timedelta(minutes=30),
                         used_at=now + timedelta(minutes=1)),
                    dict(id="t-open", token_hash="b" * 64, purpose="reset_password", user_id="u-1",
                         email="bea@demo.mx", created_at=now, expires_at=now + timedelta(minutes=30), used_at=None),
                ])
            command.upgrade(config, "0004")
            with engine.begin() as connection:
                rows = {row.id: row for row in connection.execute(
                    sa.text("SELECT id, used_at, expires_at, ended_reason FROM one_time_tokens"))}
            assert {key: (row.used_at is not None, row.ended_reason) for key, row in rows.items()} == {
                "t-ended": (True, None), "t-open": (False, None)}
            ended = rows["t-ended"]
            facts = LinkFacts(purpose="reset_password", ended_reason=ended.ended_reason, used=ended.used_at is not None,
                              expires_at=ended.expires_at, link_email="bea@demo.mx", user_status="active",
                              user_email="bea@demo.mx", user_email_verified=True)
            assert why_unusable(facts, now + timedelta(minutes=2)) == USED

            command.downgrade(config, "0003")
            with engine.begin() as connection:
                columns = {column["name"] for column in sa.inspect(connection).get_columns("one_time_tokens")}
                kept = connection.execute(sa.select(sa.func.count()).select_from(TOKENS)).scalar()
            assert "ended_reason" not in columns and kept == 2
        finally:
            engine.dispose()
