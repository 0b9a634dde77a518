"""Alembic environment: the URL comes from servicedesk-migrate (or DATABASE_URL when run by hand)."""
from portal_shared.db.alembic_env import run_migrations
from servicedesk_service.adapters.orm import Base
from servicedesk_service.config import Config

run_migrations(Base.metadata, default_url=lambda: Config().DATABASE_URL)
