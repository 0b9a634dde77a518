"""Every published event type and version, mapped to its schema."""
from __future__ import annotations

from marshmallow import Schema

from portal_shared.contracts import billing, identity

SCHEMAS: dict[tuple[str, int], type[Schema]] = {
    ("identity.customer.registered", 1): identity.CustomerRegisteredV1,
    ("identity.user.created", 1): identity.UserCreatedV1,
    ("identity.user.roles_changed", 1): identity.UserRolesChangedV1,
    ("billing.account.opened", 1): billing.AccountOpenedV1,
}


def schema_for(event_type: str, version: int) -> Schema:
    try:
        return SCHEMAS[(event_type, version)]()
    except KeyError:
        raise KeyError(f"no schema is published for {event_type} v{version}") from None
