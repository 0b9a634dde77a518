"""Incident use cases: open (announced through the outbox), list, read, comment, change status."""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal_shared.contracts import new_event
from portal_shared.outbox import Outbox
from servicedesk_service.adapters.orm import OUTBOX, DeviceAssignment, Incident, IncidentEvent
from servicedesk_service.config import SERVICE_NAME
from servicedesk_service.domain import audit as audited
from servicedesk_service.domain import incidents as rules
from servicedesk_service.domain.audit import Actor
from servicedesk_service.domain.calendar import BusinessCalendar
from servicedesk_service.domain.devices import RETIRED, DeviceScope
from servicedesk_service.service_layer import audit
from servicedesk_service.service_layer.devices import get_device
from servicedesk_service.service_layer.errors import Conflict, Forbidden, Invalid, NotFound

OPENED = ("servicedesk.incident.opened", 1)
COMMENT = "comment"
STATUS = "status"


def scoped_incidents(scope: DeviceScope) -> sa.Select:
    """Incidents a scope reaches: staff all; an admin the company's; a device admin those of assigned devices."""
    query = sa.select(Incident)
    if scope.is_staff:
        return query
    query = query.where(Incident.customer_id == scope.customer_id)
    if scope.assigned_to is not None:
        query = query.where(
            sa.exists().where(
                DeviceAssignment.device_id == Incident.device_id, DeviceAssignment.user_id == scope.assigned_to
            )
        )
    return query


def get_incident(session: Session, scope: DeviceScope, incident_id: uuid.UUID, *, for_update: bool = False) -> Incident:
    query = scoped_incidents(scope).where(Incident.id == incident_id)
    if for_update:
        query = query.with_for_update(of=Incident)
    incident = session.scalars(query).one_or_none()
    if incident is None:
        raise NotFound(f"No incident {incident_id}.")
    return incident


def _required_text(data: dict[str, Any], field: str, errors: dict[str, list[str]], label: str) -> str:
    value = (data.get(field) or "").strip()
    if not value:
        errors.setdefault(field, []).append(f"Give the {label}.")
    return value


def open_incident(
    session: Session, scope: DeviceScope, data: dict[str, Any], *,
    calendar: BusinessCalendar, now: datetime, by: uuid.UUID | None, side: str, actor: Actor,
) -> Incident:
    errors: dict[str, list[str]] = {}
    category = _required_text(data, "category", errors, "category")
    description = _required_text(data, "description", errors, "description")
    contact = data["contact"]
    name = (contact.get("name") or "").strip()
    phone = (contact.get("phone") or "").strip()
    if not name:
        errors["contact.name"] = ["Give the contact's name."]
    if not phone:
        errors["contact.phone"] = ["Give the contact's phone."]
    if errors:
        raise Invalid(errors)
    # The device is looked up within the caller's reach: another customer's, or one not assigned to
    # a device admin, is "not found" like an unknown one.
    device = get_device(session, scope, data["device_id"])
    if device.status == RETIRED or device.removed_at is not None:
        raise Conflict("The device is no longer in service; no incidents can be opened for it.",
                       {"device_id": ["Retired or removed device."]})
    incident = Incident(
        id=uuid.uuid4(), customer_id=device.customer_id, device_id=device.id,
        category=category, description=description,
        contact_name=name, contact_phone=phone, contact_email=contact["email"],
        status=rules.OPEN, opened_at=now,
        response_due_at=calendar.due_at(now, device.response_hours),
        opened_by=by,
    )
    session.add(incident)
    session.flush()
    session.add(IncidentEvent(incident_id=incident.id, kind=STATUS, from_status=None, to_status=rules.OPEN,
                              author=by, side=side, at=now))
    session.flush()
    Outbox(OUTBOX).add_event(session, opened_event(incident))
    _audit(session, actor, audited.INCIDENT_OPENED, incident, now,
           {"device_id": device.id, "serial_number": device.serial_number, "category": category})
    return incident


def _audit(session: Session, actor: Actor, action: str, incident: Incident, now: datetime,
           detail: dict[str, Any]) -> None:
    audit.record(session, actor, action, customer_id=incident.customer_id, subject_type=audited.INCIDENT,
                 subject_id=incident.id, at=now, detail=detail)


def opened_event(incident: Incident):
    return new_event(
        *OPENED,
        {
            "incident_id": incident.id,
            "customer_id": incident.customer_id,
            "device_id": incident.device_id,
            "category": incident.category,
            "opened_at": incident.opened_at,
            "response_due_at": incident.response_due_at,
        },
        producer=SERVICE_NAME,
    )


def list_incidents(
    session: Session, scope: DeviceScope, *, customer_id: uuid.UUID | None = None,
    device_id: uuid.UUID | None = None, status: str | None = None,
) -> list[Incident]:
    query = scoped_incidents(scope)
    if scope.is_staff and customer_id is not None:
        query = query.where(Incident.customer_id == customer_id)
    if device_id is not None:
        query = query.where(Incident.device_id == device_id)
    if status is not None:
        query = query.where(Incident.status == status)
    return list(session.scalars(query.order_by(Incident.opened_at.desc(), Incident.id)))


def history(session: Session, incident_id: uuid.UUID) -> list[IncidentEvent]:
    return list(
        session.scalars(
            sa.select(IncidentEvent).where(IncidentEvent.incident_id == incident_id).order_by(IncidentEvent.id)
        )
    )


def comment(
    session: Session, scope: DeviceScope, incident_id: uuid.UUID, text: str,
    *, now: datetime, by: uuid.UUID | None, side: str, actor: Actor,
) -> IncidentEvent:
    incident = get_incident(session, scope, incident_id)
    text = text.strip()
    if not text:
        raise Invalid({"text": ["Write the comment."]})
    event = IncidentEvent(incident_id=incident.id, kind=COMMENT, text=text, author=by, side=side, at=now)
    session.add(event)
    session.flush()
    _audit(session, actor, audited.INCIDENT_COMMENTED, incident, now, {"text": text})
    return event


def change_status(
    session: Session, scope: DeviceScope, incident_id: uuid.UUID, target: str,
    *, now: datetime, by: uuid.UUID | None, side: str, actor: Actor,
) -> Incident:
    # Locked so two simultaneous moves are judged one after the other.
    incident = get_incident(session, scope, incident_id, for_update=True)
    try:
        rules.check_transition(incident.status, target, side)
    except rules.TransitionRefused as refused:
        if refused.forbidden:
            raise Forbidden(refused.message) from None
        raise Conflict(refused.message, {"status": [refused.message]}) from None
    session.add(IncidentEvent(incident_id=incident.id, kind=STATUS, from_status=incident.status, to_status=target,
                              author=by, side=side, at=now))
    _audit(session, actor, audited.INCIDENT_STATUS_CHANGED, incident, now, {"from": incident.status, "to": target})
    incident.status = target
    if target == rules.ACKNOWLEDGED and incident.acknowledged_at is None:
        incident.acknowledged_at = now
    if target in (rules.CLOSED, rules.CANCELLED):
        incident.ended_at = now
    session.flush()
    return incident


def sla(calendar: BusinessCalendar, incident: Incident, now: datetime) -> dict[str, Any]:
    result = rules.sla_of(
        calendar, opened_at=incident.opened_at, response_due_at=incident.response_due_at,
        acknowledged_at=incident.acknowledged_at, ended_at=incident.ended_at, now=now,
    )
    return {"response_due_at": result.response_due_at, "status": str(result.status), "responded_at": result.responded_at}
