"""Alembic environment: the URL comes from billing-migrate (or DATABASE_URL when run by hand)."""
from billing_service.adapters.orm import Base
from billing_service.config import Config
from portal_shared.db.alembic_env import run_migrations

run_migrations(Base.metadata, default_url=lambda: Config().DATABASE_URL)
