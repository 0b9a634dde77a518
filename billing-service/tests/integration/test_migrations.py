"""The migrations build exactly the schema the models describe, on PostgreSQL and on SQLite."""
from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from billing_service.adapters.orm import Base
from billing_service.entrypoints.migrate import MIGRATIONS_DIR
from portal_shared.db import make_engine
from portal_shared.db.migrate import alembic_config, upgrade_head
from portal_shared.testing import temporary_database


def schema_differences(url: str) -> list:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            diffs = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()
    # Constraint names differ where shared's outbox and inbox table definitions let the database choose them.
    return [d for d in diffs if not (isinstance(d, tuple) and d[0] in {"add_constraint", "remove_constraint"})]


def test_postgresql_schema_matches_models_and_downgrades(database_url):
    assert schema_differences(database_url) == []
    with temporary_database("billing_down") as url:
        upgrade_head(MIGRATIONS_DIR, url)
        command.downgrade(alembic_config(MIGRATIONS_DIR, url), "base")
        engine = make_engine(url)
        try:
            assert set(sa.inspect(engine).get_table_names()) == {"alembic_version"}
        finally:
            engine.dispose()


def test_sqlite_default_database_migrates(tmp_path):
    url = f"sqlite:///{tmp_path / 'billing.db'}"
    upgrade_head(MIGRATIONS_DIR, url)
    assert schema_differences(url) == []
