"""billing-service settings: portal_shared's ServiceConfig, read from the environment with local defaults."""
from __future__ import annotations

from portal_shared.config import env_int
from portal_shared.service.config import ServiceConfig


class Config(ServiceConfig):
    SERVICE_NAME = "billing-service"
    # Under VAR_DIR when DATABASE_URL is not set.
    DATABASE_FILE = "billing.db"

    def __init__(self) -> None:
        super().__init__()
        # Credit status turns from "overdue" to "blocked" after this many days past due.
        self.CREDIT_BLOCK_DAYS = env_int("CREDIT_BLOCK_DAYS", 60)


SERVICE_NAME = Config.SERVICE_NAME
