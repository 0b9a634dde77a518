"""Access-token verification against identity's published keys, and role checks."""
from portal_shared.auth.principal import Principal
from portal_shared.auth.roles import (
    ADMIN,
    AGENT,
    BILLING,
    CUSTOMER_ROLES,
    DEVICE_ADMIN,
    KNOWLEDGE_USER,
    OPERATOR,
    STAFF_ROLES,
    STOCK_ADMIN,
    STOCK_DEVICE_ADMIN,
)
from portal_shared.auth.tokens import (
    ACCESS,
    ACTIVATION,
    InvalidToken,
    JwksKeySource,
    KeysUnavailable,
    RevokedToken,
    StaticKeySource,
    TokenVerifier,
)
from portal_shared.auth.revocation import Revocation, RevocationList, revocation_from

__all__ = [
    "ACCESS",
    "ACTIVATION",
    "ADMIN",
    "AGENT",
    "BILLING",
    "CUSTOMER_ROLES",
    "DEVICE_ADMIN",
    "InvalidToken",
    "JwksKeySource",
    "KNOWLEDGE_USER",
    "KeysUnavailable",
    "OPERATOR",
    "Principal",
    "Revocation",
    "RevocationList",
    "RevokedToken",
    "STAFF_ROLES",
    "STOCK_ADMIN",
    "STOCK_DEVICE_ADMIN",
    "StaticKeySource",
    "TokenVerifier",
    "revocation_from",
]
