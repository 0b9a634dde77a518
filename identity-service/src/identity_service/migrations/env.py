"""Alembic environment for identity's database (URL from the Alembic config or DATABASE_URL)."""
from portal_shared.db.alembic_env import run_migrations

from identity_service.adapters.orm import Base
from identity_service.config import Config

run_migrations(Base.metadata, default_url=lambda: Config().DATABASE_URL)
