"""The routing table: which service answers which public path.

One line per path prefix (docs/api.md, "Gateway route prefixes"). A prefix is the first path
segment after /api/v1/, so a request is routed with one dictionary look-up; "users" covers
/api/v1/users and /api/v1/users/…, but not /api/v1/usersfoo.
"""
from __future__ import annotations

from dataclasses import dataclass

from portal_shared.config import env_str

API_ROOT = "/api/v1/"
JWKS_PATH = "/.well-known/jwks.json"


@dataclass(frozen=True)
class Service:
    key: str  # as in /api/v1/openapi/{key}.json
    name: str  # as named in error messages and logs
    url_env: str
    default_url: str


IDENTITY = Service("identity", "identity-service", "IDENTITY_URL", "http://127.0.0.1:8001")
BILLING = Service("billing", "billing-service", "BILLING_URL", "http://127.0.0.1:8002")
PAYMENT = Service("payment", "payment-service", "PAYMENT_URL", "http://127.0.0.1:8003")
SERVICEDESK = Service("servicedesk", "servicedesk-service", "SERVICEDESK_URL", "http://127.0.0.1:8004")
SERVICES: tuple[Service, ...] = (IDENTITY, BILLING, PAYMENT, SERVICEDESK)

# /api/v1/<prefix>… -> service
PREFIXES: dict[str, Service] = {
    "auth": IDENTITY,
    "me": IDENTITY,
    "users": IDENTITY,
    "audit-log": IDENTITY,
    "customers": IDENTITY,
    "accounts": BILLING,
    "statements": BILLING,
    "invoices": BILLING,
    "balances": BILLING,
    "exchange-rates": BILLING,
    "credit-status": BILLING,
    "payment-receipts": BILLING,
    "payments": PAYMENT,
    "devices": SERVICEDESK,
    "incidents": SERVICEDESK,
    "incident-categories": SERVICEDESK,
    "stock-locations": SERVICEDESK,
    "toner-orders": SERVICEDESK,
    "knowledge": SERVICEDESK,
    "staff": SERVICEDESK,
}

# Paths outside /api/v1/ that are proxied as they are.
EXACT: dict[str, Service] = {JWKS_PATH: IDENTITY}


def service_urls_from_env() -> dict[str, str]:
    """Service key -> base URL (no trailing slash), from IDENTITY_URL, BILLING_URL, …"""
    return {s.key: env_str(s.url_env, s.default_url).rstrip("/") for s in SERVICES}


def api_prefix(path: str) -> str | None:
    """The first segment after /api/v1/, or None for a path outside the API."""
    if not path.startswith(API_ROOT):
        return None
    return path[len(API_ROOT):].split("/", 1)[0]


def resolve(path: str) -> Service | None:
    """The service that owns a path, or None when no route exists."""
    prefix = api_prefix(path)
    if prefix is None:
        return EXACT.get(path)
    return PREFIXES.get(prefix)


def service_by_key(key: str) -> Service | None:
    for service in SERVICES:
        if service.key == key:
            return service
    return None
