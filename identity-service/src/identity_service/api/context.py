"""What a view needs from the app: the handlers' context and the caller."""
from __future__ import annotations

from flask import current_app, request

from portal_shared.auth.flask import current_principal
from portal_shared.errors import FORBIDDEN

from identity_service.service_layer.audit import Actor
from identity_service.service_layer.context import Context
from identity_service.service_layer.users import actor_for

EXTENSION = "identity"
# OpenAPI: the views that need an access token say so (the scheme is declared in Config).
BEARER = [{"bearerAuth": []}]


def identity() -> Context:
    return current_app.extensions[EXTENSION]


def acting(*roles: str) -> Actor:
    """The verified caller, re-read from the database; with roles, one of them is required (403).

    Views check the token's roles first (so a wrong role learns nothing from validation); this
    second check makes a role removed or a user disabled a minute ago count already.
    """
    actor = actor_for(identity(), current_principal().user_id)
    if roles and not actor.has_any(*roles):
        raise FORBIDDEN("Your role does not allow this.")
    return actor


def client_address() -> str:
    # ProxyFix has already replaced it with the gateway's X-Forwarded-For entry.
    return request.remote_addr or "unknown"
