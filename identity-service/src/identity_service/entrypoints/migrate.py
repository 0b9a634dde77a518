"""identity-migrate: bring the database at DATABASE_URL to the newest schema."""
from __future__ import annotations

from pathlib import Path

from portal_shared.db.migrate import upgrade_head

from identity_service.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def migrate(database_url: str) -> None:
    if database_url.startswith("sqlite:///"):
        Path(database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    upgrade_head(MIGRATIONS_DIR, database_url)


def main() -> None:
    config = Config()
    migrate(config.DATABASE_URL)
    print(f"identity database at head: {config.DATABASE_URL.split('@')[-1]}")


if __name__ == "__main__":
    main()
