"""The audit of the vendor's staff acting on a customer's data: who, and the actions kept. No database.

A customer's own users act on their own company's data; that is their business, not the
vendor's, so only staff actions are kept.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from portal_shared.auth import Principal

DEVICE_REGISTERED = "device.registered"
DEVICE_RETIRED = "device.retired"
DEVICE_REMOVED = "device.removed"
DEVICE_MOVED = "device.location_changed"
COUNTER_REPLACED = "device.counter_replaced"
READING_SUBMITTED = "device.meter_reading_submitted"
INCIDENT_OPENED = "incident.opened"
INCIDENT_STATUS_CHANGED = "incident.status_changed"
INCIDENT_COMMENTED = "incident.commented"
TONER_ORDER_STATUS_CHANGED = "toner_order.status_changed"
OVERVIEW_VIEWED = "customer.overview_viewed"

DEVICE = "device"
INCIDENT = "incident"
TONER_ORDER = "toner_order"
CUSTOMER = "customer"


@dataclass(frozen=True)
class Actor:
    """Who acts, as the verified token says."""

    user_id: uuid.UUID | None
    roles: tuple[str, ...]
    is_staff: bool

    @property
    def audited(self) -> bool:
        return self.is_staff


def actor_of(principal: Principal) -> Actor:
    try:
        user_id: uuid.UUID | None = uuid.UUID(str(principal.user_id))
    except ValueError:
        user_id = None
    return Actor(user_id=user_id, roles=tuple(sorted(principal.roles)), is_staff=principal.is_staff)
