"""The gateway's settings, from environment variables with working local defaults."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from portal_shared.brand import DEFAULT_PRIMARY_COLOR
from portal_shared.config import env_bool, env_float, env_int, env_str
from portal_shared.service.config import var_dir
from portal_shared.web.body_limit import DEFAULT_BODY_LIMIT

from portal_gateway.routing import service_urls_from_env



def dev_secret_key(directory: Path) -> str:
    """A random key kept on disk so sessions survive restarts of a local run; never committed."""
    path = directory / "secret_key"
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f"secret_key.{os.getpid()}.tmp")
        temporary.write_text(secrets.token_urlsafe(48))
        temporary.chmod(0o600)
        try:
            # link() fails if another worker won the race: everyone then reads the same key.
            path.hardlink_to(temporary)
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    return path.read_text().strip()


class Config:
    def __init__(self) -> None:
        self.VAR_DIR = str(var_dir())
        self.SERVICE_URLS = service_urls_from_env()
        self.JWKS_URL = env_str("JWKS_URL", self.SERVICE_URLS["identity"] + "/.well-known/jwks.json")
        self.UPSTREAM_CONNECT_TIMEOUT = env_float("UPSTREAM_CONNECT_TIMEOUT", 1.0)
        self.UPSTREAM_READ_TIMEOUT = env_float("UPSTREAM_READ_TIMEOUT", 10.0)
        # Sized to what one worker serves at once (gevent worker_connections).
        self.UPSTREAM_POOL_MAXSIZE = env_int("UPSTREAM_POOL_MAXSIZE", env_int("WORKER_CONNECTIONS", 1000))
        self.READY_TIMEOUT = env_float("READY_TIMEOUT", 2.0)
        # The gateway's own pages and forms; proxied API calls are held to their route's limit
        # (portal_shared.web.body_limit, the table the services read too).
        self.MAX_CONTENT_LENGTH = DEFAULT_BODY_LIMIT
        self.ACCESS_LOG = env_bool("GATEWAY_ACCESS_LOG", True)
        # How many reverse proxies in front of the gateway append to X-Forwarded-For (an Ingress: 1).
        # The client's address is the entry that many hops back; 0 trusts no header at all, for a
        # gateway that browsers reach directly (deploy/run, the development compose stack).
        self.TRUSTED_PROXY_HOPS = env_int("TRUSTED_PROXY_HOPS", 0)
        # /metrics answers loopback scrapers only, unless the network in front keeps it private.
        self.METRICS_PUBLIC = env_bool("METRICS_PUBLIC", False)
        self.LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
        self.CONFIGURE_LOGGING = True
        # SECRET_KEY left None here: create_app derives a stored dev key only when none is given.
        self.SECRET_KEY = os.environ.get("SECRET_KEY") or None
        # Browser sessions live in Redis (portal_gateway.sessions); the cookie holds only their id.
        self.REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
        self.REDIS_TIMEOUT = env_float("REDIS_TIMEOUT", 2.0)
        self.SESSION_KEY_PREFIX = env_str("SESSION_KEY_PREFIX", "portal:gateway:session:")
        # The revoked accesses portal-gateway-revocations keeps there, and how old the workers'
        # copy of them may get: part of how soon a sign-out or a disabled user is refused here.
        self.REVOCATIONS_KEY = env_str("REVOCATIONS_KEY", "portal:gateway:revocations")
        self.REVOCATION_REFRESH_SECONDS = env_float("REVOCATION_REFRESH_SECONDS", 0.5)
        # Ended after this long without a request, and this long after sign-in whatever the activity.
        self.SESSION_IDLE_TIMEOUT_SECONDS = env_int("SESSION_IDLE_TIMEOUT_SECONDS", 30 * 60)
        self.SESSION_ABSOLUTE_TIMEOUT_SECONDS = env_int("SESSION_ABSOLUTE_TIMEOUT_SECONDS", 12 * 60 * 60)
        self.SESSION_COOKIE_NAME = "portal_session"
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
        self.WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
        self.BABEL_DEFAULT_LOCALE = "es"
        self.LANGUAGES = ("es", "en")
        # None: the package's compiled catalogs, or (in a checkout) catalogs compiled into VAR_DIR.
        self.TRANSLATIONS_DIR = os.environ.get("TRANSLATIONS_DIR") or None
        # The deployment's brand on every page (portal_gateway.brand checks it when the app starts):
        # left empty, the translated "Customer Portal", the portal's mark and its red.
        self.BRAND_NAME = env_str("BRAND_NAME", "")
        self.BRAND_LOGO_PATH = env_str("BRAND_LOGO_PATH", "")
        self.BRAND_PRIMARY_COLOR = env_str("BRAND_PRIMARY_COLOR", DEFAULT_PRIMARY_COLOR)
        # Empty: a shade darker than the primary colour.
        self.BRAND_ACCENT_COLOR = env_str("BRAND_ACCENT_COLOR", "")
