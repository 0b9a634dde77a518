"""What every view needs: the service's context (built once, in create_app) and the caller."""
from __future__ import annotations

import uuid

from flask import current_app

from portal_shared.auth.flask import current_principal
from servicedesk_service.domain.audit import Actor, actor_of
from servicedesk_service.domain.devices import DeviceScope, scope_for
from servicedesk_service.service_layer.context import ServicedeskContext

EXTENSION = "servicedesk.context"


def context() -> ServicedeskContext:
    return current_app.extensions[EXTENSION]


def caller() -> Actor:
    """The caller as the audit log names them."""
    return actor_of(current_principal())


def caller_id() -> uuid.UUID | None:
    """The caller's user id; None when the token's subject is not a user id."""
    return caller().user_id


def caller_scope() -> DeviceScope:
    return scope_for(current_principal())
