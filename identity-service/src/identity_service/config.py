"""identity-service settings: environment variables with defaults that work on a fresh checkout."""
from __future__ import annotations

from typing import Any

from portal_shared.config import env_int, env_str
from portal_shared.db import utcnow
from portal_shared.service.config import ServiceConfig, var_dir

SERVICE_NAME = "identity-service"
# Access tokens are short-lived because services trust them without asking identity again.
MAX_ACCESS_TOKEN_TTL_SECONDS = 900


class Config(ServiceConfig):
    """Read when the app (or a CLI) starts, never at import: tests change the environment.

    ServiceConfig reads what every service reads (DATABASE_URL, AMQP_URL, LOG_LEVEL, the body
    limit, OpenAPI); identity adds its tokens, throttling and hashing settings.
    """

    SERVICE_NAME = SERVICE_NAME
    DATABASE_FILE = "identity.db"

    def __init__(self) -> None:
        super().__init__()
        self.PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
        # The zone the times in mails are written in: the vendor's, as its customers read them.
        self.MAIL_TIME_ZONE = env_str("MAIL_TIME_ZONE", "America/Mexico_City")
        self.JWT_PRIVATE_KEY_PATH = env_str("JWT_PRIVATE_KEY_PATH", str(var_dir() / "identity" / "jwt-private.pem"))

        self.ACCESS_TOKEN_TTL_SECONDS = env_int("ACCESS_TOKEN_TTL_SECONDS", 600)
        self.ACTIVATION_TOKEN_TTL_SECONDS = env_int("ACTIVATION_TOKEN_TTL_SECONDS", 900)
        self.REFRESH_TOKEN_TTL_SECONDS = env_int("REFRESH_TOKEN_TTL_SECONDS", 30 * 24 * 3600)
        # A rotated refresh token presented again this soon gets the same successor (another tab);
        # later it counts as stolen and revokes its family.
        self.REFRESH_REUSE_GRACE_SECONDS = env_int("REFRESH_REUSE_GRACE_SECONDS", 10)
        self.RESET_TOKEN_TTL_SECONDS = env_int("RESET_TOKEN_TTL_SECONDS", 30 * 60)
        self.VERIFY_EMAIL_TOKEN_TTL_SECONDS = env_int("VERIFY_EMAIL_TOKEN_TTL_SECONDS", 2 * 24 * 3600)
        self.INVITATION_TOKEN_TTL_SECONDS = env_int("INVITATION_TOKEN_TTL_SECONDS", 7 * 24 * 3600)

        self.LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5)
        self.LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", 900)
        self.LOGIN_LOCKOUT_SECONDS = env_int("LOGIN_LOCKOUT_SECONDS", 900)
        # One office behind one NAT address shares the per-address counter: it can be set higher.
        self.LOGIN_ADDRESS_MAX_FAILURES = env_int("LOGIN_ADDRESS_MAX_FAILURES", self.LOGIN_MAX_FAILURES)
        # The first sign-in uses a password anybody can read off an invoice (the RFC): throttle it harder.
        self.FIRST_LOGIN_MAX_FAILURES = env_int("FIRST_LOGIN_MAX_FAILURES", 3)
        self.FIRST_LOGIN_FAILURE_WINDOW_SECONDS = env_int("FIRST_LOGIN_FAILURE_WINDOW_SECONDS", 3600)
        self.FIRST_LOGIN_LOCKOUT_SECONDS = env_int("FIRST_LOGIN_LOCKOUT_SECONDS", 3600)
        self.FIRST_LOGIN_ADDRESS_MAX_FAILURES = env_int("FIRST_LOGIN_ADDRESS_MAX_FAILURES", self.FIRST_LOGIN_MAX_FAILURES)

        # Reset links mailed to one address per window; more requests get the same answer, no mail.
        self.RECOVER_MAX_MAILS = env_int("RECOVER_MAX_MAILS", 5)
        self.RECOVER_WINDOW_SECONDS = env_int("RECOVER_WINDOW_SECONDS", 3600)
        # Mails telling an address's owner that a company tried to invite it, per window; more
        # invitations of it get the same answer, no mail.
        self.INVITE_NOTICE_MAX_MAILS = env_int("INVITE_NOTICE_MAX_MAILS", 3)
        self.INVITE_NOTICE_WINDOW_SECONDS = env_int("INVITE_NOTICE_WINDOW_SECONDS", 24 * 3600)

        # argon2-cffi's defaults (RFC 9106 low-memory profile); tests lower them.
        self.ARGON2_TIME_COST = env_int("ARGON2_TIME_COST", 3)
        self.ARGON2_MEMORY_COST = env_int("ARGON2_MEMORY_COST", 65536)
        self.ARGON2_PARALLELISM = env_int("ARGON2_PARALLELISM", 4)

        # Who may tell identity the client's address (X-Forwarded-For): the gateway, by address,
        # network or host name, comma-separated. Per-address throttling counts that address; a
        # request from anyone else counts its own peer address, whatever header it sends.
        self.TRUSTED_PROXIES = env_str("TRUSTED_PROXIES", "127.0.0.1,::1")
        self.CLOCK = utcnow


def load_config(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    values = Config().as_dict()
    values.update(overrides or {})
    ttl = int(values["ACCESS_TOKEN_TTL_SECONDS"])
    if not 0 < ttl <= MAX_ACCESS_TOKEN_TTL_SECONDS:
        raise RuntimeError(f"ACCESS_TOKEN_TTL_SECONDS must be between 1 and {MAX_ACCESS_TOKEN_TTL_SECONDS}, got {ttl}")
    return values

