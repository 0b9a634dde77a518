"""Incidents: open, list, read with history and SLA, comment, change status; the categories they are opened under."""
from __future__ import annotations

import uuid

from flask_smorest import Blueprint
from marshmallow import RAISE

from portal_shared.auth.flask import current_principal, require_auth
from servicedesk_service.api import incident_schemas as schemas
from servicedesk_service.api.context import caller, caller_id, caller_scope, context
from servicedesk_service.domain.categories import INCIDENT_CATEGORIES
from servicedesk_service.domain.devices import DEVICE_ROLES
from servicedesk_service.domain.incidents import COMMENTING_ROLES, OPENING_ROLES, side_of
from servicedesk_service.service_layer import incidents
from servicedesk_service.service_layer.incidents import SeenIncident

blp = Blueprint("incidents", __name__, url_prefix="/api/v1", description="Incidents, their history and SLA")

SECURITY = [{"bearerAuth": []}]


def incident_view(seen: SeenIncident) -> dict:
    """An incident as the API shows it, with its SLA (and its history, when the use case read it)."""
    incident = seen.incident
    view = {
        "id": incident.id, "number": incident.number, "customer_id": incident.customer_id, "device_id": incident.device_id,
        "category": incident.category, "description": incident.description,
        "contact": {"name": incident.contact_name, "phone": incident.contact_phone, "email": incident.contact_email},
        "status": incident.status, "opened_at": incident.opened_at, "opened_by": incident.opened_by,
        "response_due_at": incident.response_due_at, "acknowledged_at": incident.acknowledged_at,
        "ended_at": incident.ended_at, "sla": seen.sla,
    }
    if seen.history is not None:
        view["history"] = seen.history
    return view


@blp.get("/incident-categories")
@require_auth()
@blp.response(200, schemas.CategoriesOut)
@blp.doc(security=SECURITY)
def categories():
    """The categories an incident is opened under, by the key sent as `category`; the portal shows a label for each."""
    return {"items": [{"key": key} for key in INCIDENT_CATEGORIES]}


@blp.post("/incidents")
@require_auth(*OPENING_ROLES)
@blp.arguments(schemas.IncidentIn)
@blp.response(201, schemas.IncidentDetailOut)
@blp.alt_response(404, description="No such device within reach (problem+json).")
@blp.alt_response(409, description="The device is retired or removed (problem+json).")
@blp.alt_response(422, description="Invalid or unknown fields, or a category not in /incident-categories, "
                                    "named (problem+json).")
@blp.doc(security=SECURITY)
def open_incident(body):
    """Open an incident against a device; its response is due within the contract's business hours."""
    return incident_view(incidents.open_incident(context(), caller_scope(), body, by=caller_id(),
                                                 side=side_of(current_principal()), actor=caller()))


@blp.get("/incidents")
@require_auth(*DEVICE_ROLES)
@blp.arguments(schemas.IncidentsQuery, location="query", unknown=RAISE, as_kwargs=True)
@blp.response(200, schemas.IncidentsOut)
@blp.doc(security=SECURITY)
def list_incidents(customer_id=None, device_id=None, status=None):
    """Scoped like devices: an admin's company, a device admin's assigned devices, staff all or one customer's."""
    found = incidents.list_incidents(context(), caller_scope(), customer_id=customer_id, device_id=device_id,
                                     status=status)
    return {"items": [incident_view(seen) for seen in found]}


@blp.get("/incidents/<uuid:incident_id>")
@require_auth(*DEVICE_ROLES)
@blp.response(200, schemas.IncidentDetailOut)
@blp.alt_response(404, description="No such incident within reach (problem+json).")
@blp.doc(security=SECURITY)
def get(incident_id: uuid.UUID):
    return incident_view(incidents.read_incident(context(), caller_scope(), incident_id))


@blp.post("/incidents/<uuid:incident_id>/comments")
@require_auth(*COMMENTING_ROLES)
@blp.arguments(schemas.CommentIn)
@blp.response(201, schemas.HistoryEntryOut)
@blp.alt_response(404, description="No such incident within reach (problem+json).")
@blp.doc(security=SECURITY)
def add_comment(body, incident_id: uuid.UUID):
    """Comment on an incident, from either side."""
    return incidents.comment(context(), caller_scope(), incident_id, body["text"], by=caller_id(),
                             side=side_of(current_principal()), actor=caller())


@blp.post("/incidents/<uuid:incident_id>/status")
@require_auth(*COMMENTING_ROLES)
@blp.arguments(schemas.StatusIn)
@blp.response(200, schemas.IncidentDetailOut)
@blp.alt_response(403, description="The move belongs to the other side (problem+json).")
@blp.alt_response(409, description="Not a transition from the current status (problem+json).")
@blp.doc(security=SECURITY)
def change_status(body, incident_id: uuid.UUID):
    """Agents acknowledge, start and resolve; the customer cancels an open incident or closes a resolved one."""
    return incident_view(incidents.change_status(context(), caller_scope(), incident_id, body["status"],
                                                 by=caller_id(), side=side_of(current_principal()), actor=caller()))
