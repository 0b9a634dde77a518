"""Settings every service reads, from environment variables with working local defaults."""
from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from portal_shared.config import env_float, env_str
from portal_shared.web.body_limit import DEFAULT_BODY_LIMIT

DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/%2F"
DEFAULT_JWKS_URL = "http://127.0.0.1:8001/.well-known/jwks.json"
# Requests carry JSON forms, never files: a larger body is refused (413) before it is read; the
# few routes that take more are in portal_shared.web.body_limit's table, which the gateway reads too.
MAX_CONTENT_LENGTH = DEFAULT_BODY_LIMIT


def var_dir() -> Path:
    """Where local state lives: VAR_DIR, or ./var of the directory the process started in."""
    return Path(env_str("VAR_DIR", str(Path.cwd() / "var"))).resolve()


def default_database_url(database_file: str) -> str:
    # An absolute path: web, relay and consumer may start from different directories.
    return f"sqlite:///{var_dir() / database_file}"


class ServiceConfig:
    """Read when instantiated (never at import), so tests and processes see their own environment.

    A service subclasses it naming SERVICE_NAME and DATABASE_FILE. Flask takes the upper-case
    attributes; the relay, consumer and migrate console scripts read the same object.
    """

    SERVICE_NAME: ClassVar[str]
    DATABASE_FILE: ClassVar[str]

    def __init__(self) -> None:
        self.DATABASE_URL = env_str("DATABASE_URL", "") or default_database_url(self.DATABASE_FILE)
        self.AMQP_URL = env_str("AMQP_URL", DEFAULT_AMQP_URL)
        # Where the keys that verify access tokens are published (identity's JWKS endpoint).
        self.JWKS_URL = env_str("JWKS_URL", DEFAULT_JWKS_URL)
        self.LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
        # How old the copy of the revoked accesses (the access_revocations table) may get before a
        # request reads it again: part of how soon a sign-out or a disabled user is refused here.
        self.REVOCATION_REFRESH_SECONDS = env_float("REVOCATION_REFRESH_SECONDS", 1.0)
        self.MAX_CONTENT_LENGTH = MAX_CONTENT_LENGTH
        self.API_TITLE = self.SERVICE_NAME
        self.API_VERSION = "v1"
        self.OPENAPI_VERSION = "3.0.3"
        self.OPENAPI_URL_PREFIX = "/"
        self.OPENAPI_JSON_PATH = "openapi.json"
        bearer = {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
        self.API_SPEC_OPTIONS = {"components": {"securitySchemes": {"bearerAuth": bearer}}}

    def as_dict(self) -> dict[str, Any]:
        return {name: value for name, value in vars(self).items() if name.isupper()}
