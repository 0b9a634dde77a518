"""servicedesk-service settings: portal_shared's ServiceConfig, read from the environment with local defaults."""
from __future__ import annotations

from datetime import datetime, timezone

from portal_shared.config import env_str
from portal_shared.service.config import ServiceConfig


def system_clock() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(timezone.utc)


class Config(ServiceConfig):
    SERVICE_NAME = "servicedesk-service"
    # Under VAR_DIR when DATABASE_URL is not set.
    DATABASE_FILE = "servicedesk.db"

    def __init__(self) -> None:
        super().__init__()
        # What "now" is for the rules that depend on it (one reading per calendar day); tests
        # pass their own callable to place a reading at a chosen local time.
        self.CLOCK = system_clock
        # Identity does not publish a customer's time zone yet, so every customer's calendar day
        # is counted in this one.
        self.CUSTOMER_TIME_ZONE = env_str("CUSTOMER_TIME_ZONE", "America/Mexico_City")


SERVICE_NAME = Config.SERVICE_NAME
