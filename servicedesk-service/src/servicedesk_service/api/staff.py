"""Staff: an agent's overview of one customer across the services, and the audit log of staff actions."""
from __future__ import annotations

import uuid

from flask import g
from flask_smorest import Blueprint
from marshmallow import RAISE

from portal_shared.auth import AGENT
from portal_shared.auth.flask import bearer_token, require_auth
from servicedesk_service.adapters.orm import AuditEntry
from servicedesk_service.adapters.peers import Credentials
from servicedesk_service.api import staff_schemas as schemas
from servicedesk_service.api.context import caller, context
from servicedesk_service.api.incidents import incident_view
from servicedesk_service.service_layer import audit, overview

blp = Blueprint("staff", __name__, url_prefix="/api/v1/staff", description="Customer overview and audit log (staff)")

SECURITY = [{"bearerAuth": []}]


def _audit_view(entry: AuditEntry) -> dict:
    return {
        "at": entry.at, "actor": {"user_id": entry.actor_id, "roles": entry.actor_roles}, "action": entry.action,
        "customer_id": entry.customer_id, "subject": {"type": entry.subject_type, "id": entry.subject_id},
        "detail": entry.detail,
    }


@blp.get("/customers/<uuid:customer_id>/overview")
@require_auth(AGENT)
@blp.response(200, schemas.CustomerOverviewOut)
@blp.alt_response(404, description="No such customer (problem+json).")
@blp.alt_response(503, description="identity-service down, and no copy of the customer here (problem+json).")
@blp.doc(security=SECURITY)
def customer_overview(customer_id: uuid.UUID):
    """The customer, its users, accounts, credit status, payments, devices and incidents with SLA.

    identity, billing and payment are asked with the agent's own token; a part whose service is
    down or slow is left out and named in `unavailable`. The viewing is kept in the audit log.
    """
    # require_auth has checked the token; the same one goes on, so each service judges the agent itself.
    credentials = Credentials(token=bearer_token() or "", correlation_id=g.get("correlation_id"))
    seen = overview.customer_overview(context(), customer_id, credentials=credentials, actor=caller())
    return {
        "customer": seen.customer, "users": seen.users, "accounts": seen.accounts,
        "credit_status": seen.credit_status, "payments": seen.payments, "devices": seen.devices,
        "incidents": [incident_view(incident) for incident in seen.incidents],
        "unavailable": seen.unavailable,
    }


@blp.get("/audit-log")
@require_auth(AGENT)
@blp.arguments(schemas.AuditQuery, location="query", unknown=RAISE, as_kwargs=True)
@blp.response(200, schemas.AuditLogOut)
@blp.alt_response(422, description="Malformed customer_id or limit (problem+json).")
@blp.doc(security=SECURITY)
def audit_log(customer_id=None, limit=100):
    """What staff did in servicedesk, newest first; one customer's with ?customer_id=."""
    return {"items": [_audit_view(entry) for entry in audit.entries(context(), customer_id=customer_id, limit=limit)]}
