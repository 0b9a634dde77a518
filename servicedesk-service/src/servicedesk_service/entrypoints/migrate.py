"""servicedesk-migrate: bring the database to the newest schema; its own step, before web, relay and consumer."""
from __future__ import annotations

from pathlib import Path

from portal_shared.service.entrypoints import migrate_main
from servicedesk_service.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def main() -> None:
    migrate_main(Config(), MIGRATIONS_DIR)


if __name__ == "__main__":
    main()
