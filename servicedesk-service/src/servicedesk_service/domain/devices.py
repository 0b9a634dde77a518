"""Devices and who may see them: plain rules, no database."""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from portal_shared.auth import ADMIN, AGENT, DEVICE_ADMIN, OPERATOR, STOCK_DEVICE_ADMIN, Principal

ACTIVE = "active"
RETIRED = "retired"

# Roles that work with devices at all; anyone else (billing, stock_admin, knowledge_user) gets 403.
DEVICE_ROLES = (ADMIN, DEVICE_ADMIN, STOCK_DEVICE_ADMIN, AGENT, OPERATOR)
# Customer roles whose holders see only the devices assigned to them.
ASSIGNABLE_ROLES = frozenset({DEVICE_ADMIN, STOCK_DEVICE_ADMIN})


@dataclass(frozen=True)
class DeviceScope:
    """Which devices a principal reaches: all (staff), a customer's, or a customer's assigned to one user."""

    customer_id: uuid.UUID | None
    assigned_to: uuid.UUID | None

    @property
    def is_staff(self) -> bool:
        return self.customer_id is None


# Staff reach every customer's devices.
STAFF_SCOPE = DeviceScope(customer_id=None, assigned_to=None)


def scope_for(principal: Principal) -> DeviceScope:
    if principal.is_staff:
        return STAFF_SCOPE
    customer_id = uuid.UUID(str(principal.customer_id))
    if principal.has_any(ADMIN):
        return DeviceScope(customer_id=customer_id, assigned_to=None)
    return DeviceScope(customer_id=customer_id, assigned_to=uuid.UUID(str(principal.user_id)))


def normalize_counters(counters: list[str]) -> list[str]:
    """Each counter name once, lower case, in the order given."""
    seen: list[str] = []
    for name in counters:
        name = name.strip().lower()
        if name and name not in seen:
            seen.append(name)
    return seen
