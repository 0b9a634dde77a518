"""User states, one-time token purposes and who may hold which role."""
from __future__ import annotations

from portal_shared.auth.roles import CUSTOMER_ROLES, STAFF_ROLES

from identity_service.domain.rfc import looks_like_rfc, normalize_rfc

PENDING_ACTIVATION = "pending_activation"
ACTIVE = "active"
DISABLED = "disabled"
USER_STATUSES = (PENDING_ACTIVATION, ACTIVE, DISABLED)

# One table of single-use tokens serves every link identity mails out.
PURPOSE_RESET_PASSWORD = "reset_password"
PURPOSE_VERIFY_EMAIL = "verify_email"
PURPOSE_INVITATION = "invitation"
PURPOSE_ACTIVATION = "activation"
PURPOSES = (PURPOSE_RESET_PASSWORD, PURPOSE_VERIFY_EMAIL, PURPOSE_INVITATION, PURPOSE_ACTIVATION)


def normalize_username(value: str) -> str:
    """RFC user names are upper case, every other user name (an e-mail) lower case."""
    stripped = value.strip()
    if looks_like_rfc(stripped):
        return normalize_rfc(stripped)
    return stripped.lower()


def normalize_email(value: str) -> str:
    return value.strip().lower()


def disallowed_roles(roles: set[str] | frozenset[str], *, is_customer_user: bool) -> set[str]:
    """The roles in `roles` a user of that kind may not hold (empty when all are fine)."""
    allowed = CUSTOMER_ROLES if is_customer_user else STAFF_ROLES
    return set(roles) - set(allowed)
