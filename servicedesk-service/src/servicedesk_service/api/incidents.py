"""Incidents: open, list, read with history and SLA, comment, change status."""
from __future__ import annotations

import uuid

from flask_smorest import Blueprint
from marshmallow import RAISE

from portal_shared.auth.flask import current_principal, require_auth
from portal_shared.db import transaction
from servicedesk_service.adapters.orm import Incident
from servicedesk_service.api import incident_schemas as schemas
from servicedesk_service.api.context import calendar, caller, caller_id, caller_scope, now, problems, session_factory
from servicedesk_service.domain.devices import DEVICE_ROLES
from servicedesk_service.domain.incidents import COMMENTING_ROLES, OPENING_ROLES, side_of
from servicedesk_service.service_layer import incidents

blp = Blueprint("incidents", __name__, url_prefix="/api/v1", description="Incidents, their history and SLA")

SECURITY = [{"bearerAuth": []}]


def incident_view(incident: Incident, moment, *, with_history: bool = False, session=None) -> dict:
    """An incident as the API shows it, its SLA judged at `moment`."""
    view = {
        "id": incident.id, "customer_id": incident.customer_id, "device_id": incident.device_id,
        "category": incident.category, "description": incident.description,
        "contact": {"name": incident.contact_name, "phone": incident.contact_phone, "email": incident.contact_email},
        "status": incident.status, "opened_at": incident.opened_at, "opened_by": incident.opened_by,
        "response_due_at": incident.response_due_at, "acknowledged_at": incident.acknowledged_at,
        "ended_at": incident.ended_at, "sla": incidents.sla(calendar(), incident, moment),
    }
    if with_history:
        view["history"] = incidents.history(session, incident.id)
    return view


@blp.post("/incidents")
@require_auth(*OPENING_ROLES)
@blp.arguments(schemas.IncidentIn)
@blp.response(201, schemas.IncidentDetailOut)
@blp.alt_response(404, description="No such device within reach (problem+json).")
@blp.alt_response(409, description="The device is retired or removed (problem+json).")
@blp.alt_response(422, description="Invalid or unknown fields, named (problem+json).")
@blp.doc(security=SECURITY)
@problems
def open_incident(body):
    """Open an incident against a device; its response is due within the contract's business hours."""
    moment = now()
    with transaction(session_factory()) as session:
        incident = incidents.open_incident(
            session, caller_scope(), body, calendar=calendar(), now=moment, by=caller_id(),
            side=side_of(current_principal()), actor=caller(),
        )
        return incident_view(incident, moment, with_history=True, session=session)


@blp.get("/incidents")
@require_auth(*DEVICE_ROLES)
@blp.arguments(schemas.IncidentsQuery, location="query", unknown=RAISE, as_kwargs=True)
@blp.response(200, schemas.IncidentsOut)
@blp.doc(security=SECURITY)
@problems
def list_incidents(customer_id=None, device_id=None, status=None):
    """Scoped like devices: an admin's company, a device admin's assigned devices, staff all or one customer's."""
    moment = now()
    with transaction(session_factory()) as session:
        found = incidents.list_incidents(session, caller_scope(), customer_id=customer_id, device_id=device_id,
                                         status=status)
        return {"items": [incident_view(incident, moment) for incident in found]}


@blp.get("/incidents/<uuid:incident_id>")
@require_auth(*DEVICE_ROLES)
@blp.response(200, schemas.IncidentDetailOut)
@blp.alt_response(404, description="No such incident within reach (problem+json).")
@blp.doc(security=SECURITY)
@problems
def get(incident_id: uuid.UUID):
    moment = now()
    with transaction(session_factory()) as session:
        incident = incidents.get_incident(session, caller_scope(), incident_id)
        return incident_view(incident, moment, with_history=True, session=session)


@blp.post("/incidents/<uuid:incident_id>/comments")
@require_auth(*COMMENTING_ROLES)
@blp.arguments(schemas.CommentIn)
@blp.response(201, schemas.HistoryEntryOut)
@blp.alt_response(404, description="No such incident within reach (problem+json).")
@blp.doc(security=SECURITY)
@problems
def add_comment(body, incident_id: uuid.UUID):
    """Comment on an incident, from either side."""
    with transaction(session_factory()) as session:
        return incidents.comment(session, caller_scope(), incident_id, body["text"], now=now(), by=caller_id(),
                                 side=side_of(current_principal()), actor=caller())


@blp.post("/incidents/<uuid:incident_id>/status")
@require_auth(*COMMENTING_ROLES)
@blp.arguments(schemas.StatusIn)
@blp.response(200, schemas.IncidentDetailOut)
@blp.alt_response(403, description="The move belongs to the other side (problem+json).")
@blp.alt_response(409, description="Not a transition from the current status (problem+json).")
@blp.doc(security=SECURITY)
@problems
def change_status(body, incident_id: uuid.UUID):
    """Agents acknowledge, start and resolve; the customer cancels an open incident or closes a resolved one."""
    moment = now()
    with transaction(session_factory()) as session:
        incident = incidents.change_status(session, caller_scope(), incident_id, body["status"], now=moment,
                                           by=caller_id(), side=side_of(current_principal()), actor=caller())
        return incident_view(incident, moment, with_history=True, session=session)
