"""payment-migrate: bring the database to the newest schema; its own step, before web, relay and consumer."""
from __future__ import annotations

from pathlib import Path

from payment_service.config import Config
from portal_shared.service.entrypoints import migrate_main

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def main() -> None:
    migrate_main(Config(), MIGRATIONS_DIR)


if __name__ == "__main__":
    main()
