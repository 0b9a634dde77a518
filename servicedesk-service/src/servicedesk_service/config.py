"""servicedesk-service settings, read from environment variables with working local defaults."""
from __future__ import annotations

from pathlib import Path

from portal_shared.config import env_str

SERVICE_NAME = "servicedesk-service"
DATABASE_FILE = "servicedesk.db"


def default_database_url() -> str:
    # An absolute path: web, relay and consumer may start from different directories.
    var_dir = Path(env_str("VAR_DIR", str(Path.cwd() / "var"))).resolve()
    return f"sqlite:///{var_dir / DATABASE_FILE}"


class Config:
    """Read when instantiated (never at import), so tests and processes see their own environment.

    Flask takes the upper-case attributes; the relay, consumer and migrate entrypoints read
    the same object.
    """

    def __init__(self) -> None:
        self.DATABASE_URL = env_str("DATABASE_URL", "") or default_database_url()
        self.AMQP_URL = env_str("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")
        self.JWKS_URL = env_str("JWKS_URL", "http://127.0.0.1:8001/.well-known/jwks.json")
        self.LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
        self.MAX_CONTENT_LENGTH = 1024 * 1024
        self.API_TITLE = SERVICE_NAME
        self.API_VERSION = "v1"
        self.OPENAPI_VERSION = "3.0.3"
        self.OPENAPI_URL_PREFIX = "/"
        self.OPENAPI_JSON_PATH = "openapi.json"
