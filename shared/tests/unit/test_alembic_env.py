"""run_migrations, the shared body of the services' Alembic env.py, online and offline (SQLite; no servers)."""
from __future__ import annotations

import io
import textwrap
from contextlib import redirect_stdout

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from portal_shared.db import make_engine
from portal_shared.db.migrate import alembic_config, upgrade_head

ENV_PY = '''
import os
import sqlalchemy as sa
from portal_shared.db.alembic_env import run_migrations

metadata = sa.MetaData()
sa.Table("notes", metadata, sa.Column("id", sa.Integer, primary_key=True), sa.Column("text", sa.String(20)))
run_migrations(metadata, default_url=lambda: os.environ["SAMPLE_DATABASE_URL"])
'''

VERSION = '''
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
# Given to batch mode so that offline (--sql) runs need not reflect the table.
NOTES = sa.Table(
    "notes", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True), sa.Column("text", sa.String(10))
)


def upgrade():
    op.create_table("notes", sa.Column("id", sa.Integer, primary_key=True), sa.Column("text", sa.String(10)))
    with op.batch_alter_table("notes", copy_from=NOTES) as batch:
        batch.alter_column("text", type_=sa.String(20))


def downgrade():
    op.drop_table("notes")
'''


@pytest.fixture
def migrations_dir(tmp_path):
    directory = tmp_path / "migrations"
    (directory / "versions").mkdir(parents=True)
    (directory / "env.py").write_text(textwrap.dedent(ENV_PY))
    (directory / "versions" / "0001_notes.py").write_text(textwrap.dedent(VERSION))
    return directory


def tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_online_on_sqlite_alters_in_batch_and_downgrades(migrations_dir, tmp_path):
    url = f"sqlite:///{tmp_path / 'notes.db'}"
    upgrade_head(migrations_dir, url)
    assert tables(url) == {"alembic_version", "notes"}
    command.downgrade(alembic_config(migrations_dir, url), "base")
    assert tables(url) == {"alembic_version"}


def test_without_a_configured_url_the_default_is_used(migrations_dir, tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'default.db'}"
    monkeypatch.setenv("SAMPLE_DATABASE_URL", url)
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    command.upgrade(config, "head")
    assert tables(url) == {"alembic_version", "notes"}


@pytest.mark.parametrize(
    ("url", "batch_copy"),
    [("sqlite:///unused.db", True), ("postgresql://nobody@127.0.0.1:1/none", False)],
)
def test_offline_renders_sql_without_connecting(migrations_dir, url, batch_copy):
    output = io.StringIO()
    with redirect_stdout(output):
        command.upgrade(alembic_config(migrations_dir, url), "head", sql=True)
    sql = output.getvalue()
    assert "CREATE TABLE notes" in sql
    # SQLite cannot ALTER a column's type: batch mode copies the table; PostgreSQL alters in place.
    assert ("_alembic_tmp_notes" in sql) is batch_copy
    assert ("ALTER COLUMN text TYPE VARCHAR(20)" in sql) is not batch_copy
