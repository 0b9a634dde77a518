"""Devices: register, list, read, retire, remove from an account, assign, move; meter readings."""
from __future__ import annotations

import uuid

from flask_smorest import Blueprint
from marshmallow import RAISE

from portal_shared.auth import ADMIN, AGENT, DEVICE_ADMIN, OPERATOR, STOCK_DEVICE_ADMIN
from portal_shared.auth.flask import require_auth
from portal_shared.db import transaction
from servicedesk_service.api import schemas
from servicedesk_service.api.context import (
    caller, caller_id, caller_scope, now, problems, session_factory, time_zone,
)
from servicedesk_service.domain.devices import DEVICE_ROLES
from servicedesk_service.service_layer import devices, meters

blp = Blueprint("devices", __name__, url_prefix="/api/v1", description="Devices, locations and meter readings")

# Who may act on a device they reach (customers: their company's, or assigned to them).
CUSTOMER_DEVICE_ROLES = (ADMIN, DEVICE_ADMIN, STOCK_DEVICE_ADMIN)
SECURITY = [{"bearerAuth": []}]


@blp.post("/devices")
@require_auth(OPERATOR, AGENT)
@blp.arguments(schemas.DeviceIn)
@blp.response(201, schemas.DeviceOut)
@blp.alt_response(409, description="Serial number already registered (problem+json).")
@blp.alt_response(422, description="Invalid or unknown fields, named (problem+json).")
@blp.doc(security=SECURITY)
@problems
def create(body):
    """Register a device at a customer's account (staff)."""
    with transaction(session_factory()) as session:
        return devices.register_device(session, body, now=now(), by=caller_id(), actor=caller())


@blp.get("/devices")
@require_auth(*DEVICE_ROLES)
@blp.arguments(schemas.DevicesQuery, location="query", unknown=RAISE, as_kwargs=True)
@blp.response(200, schemas.DevicesOut)
@blp.doc(security=SECURITY)
@problems
def list_devices(customer_id=None):
    """An admin's: all of the company's; a device admin's: those assigned; staff: all, or one customer's."""
    with transaction(session_factory()) as session:
        return {"items": devices.list_devices(session, caller_scope(), customer_id=customer_id)}


@blp.get("/devices/<uuid:device_id>")
@require_auth(*DEVICE_ROLES)
@blp.response(200, schemas.DeviceOut)
@blp.alt_response(404, description="No such device within reach (problem+json).")
@blp.doc(security=SECURITY)
@problems
def get(device_id: uuid.UUID):
    with transaction(session_factory()) as session:
        return devices.get_device(session, caller_scope(), device_id)


@blp.patch("/devices/<uuid:device_id>")
@require_auth(*CUSTOMER_DEVICE_ROLES, AGENT)
@blp.arguments(schemas.LocationIn)
@blp.response(200, schemas.DeviceOut)
@blp.alt_response(404, description="No such device within reach (problem+json).")
@blp.doc(security=SECURITY)
@problems
def update_location(body, device_id: uuid.UUID):
    """Say where the device now is; the move is kept in its location history."""
    with transaction(session_factory()) as session:
        return devices.move(session, caller_scope(), device_id, body["location"], now=now(), by=caller_id(),
                            actor=caller())


@blp.get("/devices/<uuid:device_id>/locations")
@require_auth(*DEVICE_ROLES)
@blp.response(200, schemas.LocationsOut)
@blp.doc(security=SECURITY)
@problems
def location_history(device_id: uuid.UUID):
    """Where the device has been, newest first."""
    with transaction(session_factory()) as session:
        return {"items": devices.locations(session, caller_scope(), device_id)}


@blp.post("/devices/<uuid:device_id>/retirement")
@require_auth(OPERATOR, AGENT)
@blp.response(200, schemas.DeviceOut)
@blp.doc(security=SECURITY)
@problems
def retire(device_id: uuid.UUID):
    """Retire the device: it stays listed, takes no more readings."""
    with transaction(session_factory()) as session:
        return devices.retire_device(session, caller_scope(), device_id, now=now(), actor=caller())


@blp.post("/devices/<uuid:device_id>/removal")
@require_auth(AGENT)
@blp.response(200, schemas.DeviceOut)
@blp.doc(security=SECURITY)
@problems
def remove(device_id: uuid.UUID):
    """Remove the device from its customer's account; its history is kept."""
    with transaction(session_factory()) as session:
        return devices.remove_from_account(session, caller_scope(), device_id, now=now(), by=caller_id(),
                                           actor=caller())


@blp.put("/devices/<uuid:device_id>/assignees")
@require_auth(ADMIN)
@blp.arguments(schemas.AssigneesIn)
@blp.response(200, schemas.AssigneesOut)
@blp.alt_response(422, description="A user that is not a device admin of this company (problem+json).")
@blp.doc(security=SECURITY)
@problems
def put_assignees(body, device_id: uuid.UUID):
    """Replace the device admins in charge of the device."""
    with transaction(session_factory()) as session:
        user_ids = devices.assign(session, caller_scope(), device_id, body["user_ids"], now=now(), by=caller_id())
    return {"device_id": device_id, "user_ids": user_ids}


@blp.post("/devices/<uuid:device_id>/meter-readings")
@require_auth(*CUSTOMER_DEVICE_ROLES, AGENT, OPERATOR)
@blp.arguments(schemas.ReadingIn)
@blp.response(201, schemas.ReadingOut)
@blp.alt_response(409, description="The device already has a reading that day (problem+json).")
@blp.alt_response(422, description="Unknown counter, bad value, lower than the previous reading, or a read_on in "
                                    "the future, not after the latest reading, or from a customer (problem+json).")
@blp.doc(security=SECURITY)
@problems
def submit_reading(body, device_id: uuid.UUID):
    """Submit a meter reading of today, or (staff) of an earlier day; accepted readings are announced to billing."""
    with transaction(session_factory()) as session:
        return meters.submit_reading(
            session, caller_scope(), device_id, body["counter"], body["value"],
            now=now(), time_zone=time_zone(), by=caller_id(), actor=caller(), read_on=body.get("read_on"),
        )


@blp.get("/devices/<uuid:device_id>/meter-readings")
@require_auth(*DEVICE_ROLES)
@blp.response(200, schemas.ReadingsOut)
@blp.doc(security=SECURITY)
@problems
def reading_history(device_id: uuid.UUID):
    """The device's accepted readings, newest first."""
    with transaction(session_factory()) as session:
        return {"items": meters.readings(session, caller_scope(), device_id)}


@blp.post("/devices/<uuid:device_id>/counter-replacements")
@require_auth(AGENT)
@blp.arguments(schemas.ReplacementIn)
@blp.response(201, schemas.ReplacementOut)
@blp.doc(security=SECURITY)
@problems
def replace_counter(body, device_id: uuid.UUID):
    """Record a replaced or reset counter: its later readings start a new series."""
    with transaction(session_factory()) as session:
        return meters.replace_counter(
            session, caller_scope(), device_id, body["counter"], body["reason"], now=now(), by=caller_id(),
            actor=caller(),
        )
