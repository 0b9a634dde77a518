"""Devices: register, list, read, retire, remove from an account, assign, move; meter readings."""
from __future__ import annotations

import uuid

from flask_smorest import Blueprint
from marshmallow import RAISE

from portal_shared.auth import ADMIN, AGENT, DEVICE_ADMIN, OPERATOR, STOCK_DEVICE_ADMIN
from portal_shared.auth.flask import require_auth
from servicedesk_service.api import schemas
from servicedesk_service.api.context import caller, caller_id, caller_scope, context
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
def create(body):
    """Register a device at a customer's account (staff)."""
    return devices.register_device(context(), body, by=caller_id(), actor=caller())


@blp.get("/devices")
@require_auth(*DEVICE_ROLES)
@blp.arguments(schemas.DevicesQuery, location="query", unknown=RAISE, as_kwargs=True)
@blp.response(200, schemas.DevicesOut)
@blp.doc(security=SECURITY)
def list_devices(customer_id=None):
    """An admin's: all of the company's; a device admin's: those assigned; staff: all, or one customer's."""
    return {"items": devices.list_devices(context(), caller_scope(), customer_id=customer_id)}


@blp.get("/devices/<uuid:device_id>")
@require_auth(*DEVICE_ROLES)
@blp.response(200, schemas.DeviceOut)
@blp.alt_response(404, description="No such device within reach (problem+json).")
@blp.doc(security=SECURITY)
def get(device_id: uuid.UUID):
    return devices.read_device(context(), caller_scope(), device_id)


@blp.patch("/devices/<uuid:device_id>")
@require_auth(*CUSTOMER_DEVICE_ROLES, AGENT)
@blp.arguments(schemas.LocationIn)
@blp.response(200, schemas.DeviceOut)
@blp.alt_response(404, description="No such device within reach (problem+json).")
@blp.doc(security=SECURITY)
def update_location(body, device_id: uuid.UUID):
    """Say where the device now is; the move is kept in its location history."""
    return devices.move(context(), caller_scope(), device_id, body["location"], by=caller_id(), actor=caller())


@blp.get("/devices/<uuid:device_id>/locations")
@require_auth(*DEVICE_ROLES)
@blp.response(200, schemas.LocationsOut)
@blp.doc(security=SECURITY)
def location_history(device_id: uuid.UUID):
    """Where the device has been, newest first."""
    return {"items": devices.locations(context(), caller_scope(), device_id)}


@blp.post("/devices/<uuid:device_id>/retirement")
@require_auth(OPERATOR, AGENT)
@blp.response(200, schemas.DeviceOut)
@blp.doc(security=SECURITY)
def retire(device_id: uuid.UUID):
    """Retire the device: it stays listed, takes no more readings."""
    return devices.retire_device(context(), caller_scope(), device_id, actor=caller())


@blp.post("/devices/<uuid:device_id>/removal")
@require_auth(AGENT)
@blp.response(200, schemas.DeviceOut)
@blp.doc(security=SECURITY)
def remove(device_id: uuid.UUID):
    """Remove the device from its customer's account; its history is kept."""
    return devices.remove_from_account(context(), caller_scope(), device_id, by=caller_id(), actor=caller())


@blp.put("/devices/<uuid:device_id>/assignees")
@require_auth(ADMIN)
@blp.arguments(schemas.AssigneesIn)
@blp.response(200, schemas.AssigneesOut)
@blp.alt_response(422, description="A user that is not a device admin of this company (problem+json).")
@blp.doc(security=SECURITY)
def put_assignees(body, device_id: uuid.UUID):
    """Replace the device admins in charge of the device."""
    user_ids = devices.assign(context(), caller_scope(), device_id, body["user_ids"], by=caller_id())
    return {"device_id": device_id, "user_ids": user_ids}


@blp.post("/devices/<uuid:device_id>/meter-readings")
@require_auth(*CUSTOMER_DEVICE_ROLES, AGENT, OPERATOR)
@blp.arguments(schemas.ReadingIn)
@blp.response(201, schemas.ReadingOut)
@blp.alt_response(409, description="The device already has a reading that day, or is retired (problem+json).")
@blp.alt_response(422, description="A counter of the device missing or an unknown one, a bad value, a counter lower "
                                    "than its previous reading (each named), or a read_on in the future, not after "
                                    "the device's latest reading, or from a customer (problem+json).")
@blp.doc(security=SECURITY)
def submit_reading(body, device_id: uuid.UUID):
    """Submit the device's meter reading of today, every counter at once, or (staff) of an earlier day;
    accepted readings are announced to billing."""
    return meters.submit_reading(
        context(), caller_scope(), device_id, body["counters"],
        by=caller_id(), actor=caller(), read_on=body.get("read_on"),
    )


@blp.get("/devices/<uuid:device_id>/meter-readings")
@require_auth(*DEVICE_ROLES)
@blp.response(200, schemas.ReadingsOut)
@blp.doc(security=SECURITY)
def reading_history(device_id: uuid.UUID):
    """The device's accepted readings, newest day first, each with every counter."""
    return {"items": meters.readings(context(), caller_scope(), device_id)}


@blp.post("/devices/<uuid:device_id>/counter-replacements")
@require_auth(AGENT)
@blp.arguments(schemas.ReplacementIn)
@blp.response(201, schemas.ReplacementOut)
@blp.doc(security=SECURITY)
def replace_counter(body, device_id: uuid.UUID):
    """Record a replaced or reset counter: its later readings start a new series."""
    return meters.replace_counter(context(), caller_scope(), device_id, body["counter"], body["reason"],
                                  by=caller_id(), actor=caller())
