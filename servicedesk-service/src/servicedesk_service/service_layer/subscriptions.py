"""Every event servicedesk-service consumes, by type and version, and the handler that applies it.

The consumer entrypoint binds its queue to exactly these; a new subscription is one line here.
"""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from portal_shared.contracts import Event
from portal_shared.revocations import revoked_access_handler
from servicedesk_service.service_layer import handlers

HANDLERS: dict[tuple[str, int], Callable[[Session, Event], object]] = {
    ("identity.access.revoked", 1): revoked_access_handler(),
    ("identity.customer.registered", 1): handlers.customer_registered,
    ("identity.user.created", 1): handlers.user_created,
    ("identity.user.roles_changed", 1): handlers.user_roles_changed,
}
