"""billing-migrate: bring the database to the newest schema; its own step, before web, relay and consumer."""
from __future__ import annotations

import logging
from pathlib import Path

from billing_service.config import SERVICE_NAME, Config
from portal_shared.db.migrate import upgrade_head
from portal_shared.logging import configure_logging

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
log = logging.getLogger(__name__)


def ensure_sqlite_directory(database_url: str) -> None:
    """SQLite creates the file but not its folder; the default lives under VAR_DIR."""
    prefix = "sqlite:///"
    if database_url.startswith(prefix) and ":memory:" not in database_url:
        Path(database_url[len(prefix):]).parent.mkdir(parents=True, exist_ok=True)


def main() -> None:
    config = Config()
    configure_logging(SERVICE_NAME, config.LOG_LEVEL)
    ensure_sqlite_directory(config.DATABASE_URL)
    upgrade_head(MIGRATIONS_DIR, config.DATABASE_URL)
    log.info("database at head")


if __name__ == "__main__":
    main()
