"""Incident use cases: open, list, read, comment, change status. Opening and each status change
are announced through the outbox (identity mails the people concerned from those events).

An incident is answered with its SLA judged at the moment of the request, in the business hours
of the context's calendar.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal_shared.contracts import new_event
from portal_shared.db import transaction
from portal_shared.errors import INVALID, invalid
from servicedesk_service.adapters.orm import Device, DeviceAssignment, Incident, IncidentEvent, IncidentNumber
from servicedesk_service.config import SERVICE_NAME
from servicedesk_service.domain import audit as audited
from servicedesk_service.domain import incidents as rules
from servicedesk_service.domain.audit import Actor
from servicedesk_service.domain.calendar import BusinessCalendar
from servicedesk_service.domain.categories import INCIDENT_CATEGORIES, is_category
from servicedesk_service.domain.devices import RETIRED, DeviceScope
from servicedesk_service.service_layer import audit
from servicedesk_service.service_layer.context import ServicedeskContext
from servicedesk_service.service_layer.devices import get_device
from servicedesk_service.service_layer.errors import (
    DEVICE_OUT_OF_SERVICE, INCIDENT_MOVE_NOT_ALLOWED, INCIDENT_MOVE_OTHER_SIDE, INCIDENT_NOT_FOUND, UNKNOWN_CATEGORY,
)

OPENED = ("servicedesk.incident.opened", 2)
STATUS_CHANGED = ("servicedesk.incident.status_changed", 1)
COMMENT = "comment"
STATUS = "status"


@dataclass(frozen=True)
class SeenIncident:
    """An incident as it is answered: its SLA judged at one moment, and its history when asked for."""

    incident: Incident
    sla: dict[str, Any]
    history: list[IncidentEvent] | None = None


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
        raise INCIDENT_NOT_FOUND(f"No incident {incident_id}.")
    return incident


def read_incident(context: ServicedeskContext, scope: DeviceScope, incident_id: uuid.UUID) -> SeenIncident:
    with transaction(context.session_factory) as session:
        incident = get_incident(session, scope, incident_id)
        return seen(context, incident, context.clock(), session=session)


def seen(
    context: ServicedeskContext, incident: Incident, now: datetime, *, session: Session | None = None
) -> SeenIncident:
    """The incident's SLA at `now`; with a session, its history too."""
    return SeenIncident(incident, sla(context.calendar, incident, now),
                        None if session is None else history(session, incident.id))


def _required_text(data: dict[str, Any], field: str, errors: dict[str, list[str]], label: str) -> str:
    value = (data.get(field) or "").strip()
    if not value:
        errors.setdefault(field, []).append(f"Give the {label}.")
    return value


def _opening(data: dict[str, Any]) -> tuple[str, str, str, str]:
    """The category (one of the known keys), description and the contact's name and phone, each
    given; refused by field otherwise."""
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
    unknown_category = bool(category) and not is_category(category)
    if unknown_category:
        errors["category"] = [f"Unknown category {category!r}; choose one of: {', '.join(INCIDENT_CATEGORIES)}."]
    if errors:
        # Its own code when the category is all that is wrong, so the portal can say so in words.
        raise invalid(errors, error=UNKNOWN_CATEGORY if unknown_category and len(errors) == 1 else INVALID)
    return category, description, name, phone


def open_incident(
    context: ServicedeskContext, scope: DeviceScope, data: dict[str, Any], *,
    by: uuid.UUID | None, side: str, actor: Actor,
) -> SeenIncident:
    category, description, name, phone = _opening(data)
    with transaction(context.session_factory) as session:
        # The device is looked up within the caller's reach: another customer's, or one not assigned to
        # a device admin, is "not found" like an unknown one.
        device = get_device(session, scope, data["device_id"])
        if device.status == RETIRED or device.removed_at is not None:
            raise DEVICE_OUT_OF_SERVICE("The device is no longer in service; no incidents can be opened for it.",
                                        errors={"device_id": ["Retired or removed device."]})
        now = context.clock()
        incident = Incident(
            id=uuid.uuid4(), number=next_number(session, now.astimezone(context.calendar.zone).year),
            customer_id=device.customer_id, device_id=device.id,
            category=category, description=description,
            contact_name=name, contact_phone=phone, contact_email=data["contact"]["email"],
            status=rules.OPEN, opened_at=now,
            response_due_at=context.calendar.due_at(now, device.response_hours),
            opened_by=by,
        )
        session.add(incident)
        session.flush()
        session.add(IncidentEvent(incident_id=incident.id, kind=STATUS, from_status=None, to_status=rules.OPEN,
                                  author=by, side=side, at=now))
        session.flush()
        context.outbox.add_event(session, opened_event(incident, device))
        _audit(session, actor, audited.INCIDENT_OPENED, incident, now,
               {"device_id": device.id, "serial_number": device.serial_number, "category": category})
        return seen(context, incident, now, session=session)


def _audit(session: Session, actor: Actor, action: str, incident: Incident, now: datetime,
           detail: dict[str, Any]) -> None:
    audit.record(session, actor, action, customer_id=incident.customer_id, subject_type=audited.INCIDENT,
                 subject_id=incident.id, at=now, detail=detail)


def next_number(session: Session, year: int) -> str:
    """The year's next incident number, taken in the caller's transaction: the year's row stays
    locked until it commits, so concurrent openings are numbered one after the other."""
    taken = session.execute(
        sa.update(IncidentNumber).where(IncidentNumber.year == year)
        .values(last_number=IncidentNumber.last_number + 1)
        .returning(IncidentNumber.last_number)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if taken is None:
        # The year's first incident, unless another opening is creating the row at this moment.
        try:
            with session.begin_nested():
                session.add(IncidentNumber(year=year, last_number=1))
            taken = 1
        except IntegrityError:
            return next_number(session, year)
    return rules.incident_number(year, taken)


def _concerned(incident: Incident, device: Device) -> dict[str, Any]:
    """What every incident event says: the incident, its device, and the people it concerns."""
    return {
        "incident_id": incident.id,
        "number": incident.number,
        "customer_id": incident.customer_id,
        "device_id": incident.device_id,
        "serial_number": device.serial_number,
        "opened_by": incident.opened_by,
        "device_admin_ids": device.assignees,
    }


def opened_event(incident: Incident, device: Device):
    return new_event(
        *OPENED,
        {
            **_concerned(incident, device),
            "model": device.model,
            "category": incident.category,
            "description": incident.description,
            "opened_at": incident.opened_at,
            "response_due_at": incident.response_due_at,
        },
        producer=SERVICE_NAME,
    )


def status_changed_event(incident: Incident, device: Device, *, from_status: str, side: str,
                         by: uuid.UUID | None, at: datetime):
    return new_event(
        *STATUS_CHANGED,
        {
            **_concerned(incident, device),
            "from_status": from_status,
            "to_status": incident.status,
            "side": side,
            "changed_at": at,
            "changed_by": by,
        },
        producer=SERVICE_NAME,
    )


def incidents_in_reach(
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


def list_incidents(
    context: ServicedeskContext, scope: DeviceScope, *, customer_id: uuid.UUID | None = None,
    device_id: uuid.UUID | None = None, status: str | None = None,
) -> list[SeenIncident]:
    with transaction(context.session_factory) as session:
        found = incidents_in_reach(session, scope, customer_id=customer_id, device_id=device_id, status=status)
    now = context.clock()
    return [seen(context, incident, now) for incident in found]


def history(session: Session, incident_id: uuid.UUID) -> list[IncidentEvent]:
    return list(
        session.scalars(
            sa.select(IncidentEvent).where(IncidentEvent.incident_id == incident_id).order_by(IncidentEvent.id)
        )
    )


def comment(
    context: ServicedeskContext, scope: DeviceScope, incident_id: uuid.UUID, text: str,
    *, by: uuid.UUID | None, side: str, actor: Actor,
) -> IncidentEvent:
    with transaction(context.session_factory) as session:
        incident = get_incident(session, scope, incident_id)
        text = text.strip()
        if not text:
            raise invalid({"text": ["Write the comment."]})
        now = context.clock()
        event = IncidentEvent(incident_id=incident.id, kind=COMMENT, text=text, author=by, side=side, at=now)
        session.add(event)
        session.flush()
        _audit(session, actor, audited.INCIDENT_COMMENTED, incident, now, {"text": text})
        return event


def _check_transition(current: str, target: str, side: str) -> None:
    try:
        rules.check_transition(current, target, side)
    except rules.TransitionRefused as refused:
        if refused.forbidden:
            raise INCIDENT_MOVE_OTHER_SIDE(refused.message) from None
        raise INCIDENT_MOVE_NOT_ALLOWED(refused.message, errors={"status": [refused.message]}) from None


def change_status(
    context: ServicedeskContext, scope: DeviceScope, incident_id: uuid.UUID, target: str,
    *, by: uuid.UUID | None, side: str, actor: Actor,
) -> SeenIncident:
    with transaction(context.session_factory) as session:
        # Locked so two simultaneous moves are judged one after the other.
        incident = get_incident(session, scope, incident_id, for_update=True)
        _check_transition(incident.status, target, side)
        now = context.clock()
        session.add(IncidentEvent(incident_id=incident.id, kind=STATUS, from_status=incident.status,
                                  to_status=target, author=by, side=side, at=now))
        _audit(session, actor, audited.INCIDENT_STATUS_CHANGED, incident, now,
               {"from": incident.status, "to": target})
        from_status, incident.status = incident.status, target
        if target == rules.ACKNOWLEDGED and incident.acknowledged_at is None:
            incident.acknowledged_at = now
        if target in (rules.CLOSED, rules.CANCELLED):
            incident.ended_at = now
        session.flush()
        device = session.get(Device, incident.device_id)
        context.outbox.add_event(session, status_changed_event(incident, device, from_status=from_status, side=side,
                                                               by=by, at=now))
        return seen(context, incident, now, session=session)


def sla(calendar: BusinessCalendar, incident: Incident, now: datetime) -> dict[str, Any]:
    result = rules.sla_of(
        calendar, opened_at=incident.opened_at, response_due_at=incident.response_due_at,
        acknowledged_at=incident.acknowledged_at, ended_at=incident.ended_at, now=now,
    )
    return {"response_due_at": result.response_due_at, "status": str(result.status), "responded_at": result.responded_at}
