"""Alembic environment: the URL comes from payment-migrate (or DATABASE_URL when run by hand)."""
from payment_service.adapters.orm import Base
from payment_service.config import Config
from portal_shared.db.alembic_env import run_migrations

run_migrations(Base.metadata, default_url=lambda: Config().DATABASE_URL)
