"""servicedesk-service settings: portal_shared's ServiceConfig, read from the environment with local defaults."""
from __future__ import annotations

from portal_shared.service.config import ServiceConfig


class Config(ServiceConfig):
    SERVICE_NAME = "servicedesk-service"
    # Under VAR_DIR when DATABASE_URL is not set.
    DATABASE_FILE = "servicedesk.db"


SERVICE_NAME = Config.SERVICE_NAME
