"""The body of every service's Alembic env.py: the service names its metadata and default URL.

    from portal_shared.db.alembic_env import run_migrations
    run_migrations(Base.metadata, default_url=lambda: Config().DATABASE_URL)

The URL is the Alembic config's sqlalchemy.url (set by the migrate console script and the
tests), else default_url() (DATABASE_URL or the local SQLite file when run by hand).
"""
from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic import context

from portal_shared.db.engine import ensure_sqlite_directory, make_engine, normalize_url


def run_migrations(target_metadata: sa.MetaData, *, default_url: Callable[[], str]) -> None:
    url = context.config.get_main_option("sqlalchemy.url") or default_url()
    if context.is_offline_mode():
        _run_offline(normalize_url(url), target_metadata)
    else:
        _run_online(url, target_metadata)


def _run_offline(url: str, target_metadata: sa.MetaData) -> None:
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=url.startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_online(url: str, target_metadata: sa.MetaData) -> None:
    # Run by hand, the default SQLite file's folder under VAR_DIR may not exist yet.
    ensure_sqlite_directory(url)
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                # SQLite cannot ALTER most things in place; batch mode copies the table instead.
                render_as_batch=connection.dialect.name == "sqlite",
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()
