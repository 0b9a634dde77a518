"""Whose data a request may read: the token's customer, or for staff the customer they name."""
from __future__ import annotations

import uuid

from portal_shared.auth import Principal
from portal_shared.errors import FORBIDDEN, invalid


def customer_in_scope(principal: Principal, requested: uuid.UUID | None) -> uuid.UUID:
    if principal.is_staff:
        if requested is None:
            raise invalid({"customer_id": ["Staff must name the customer: ?customer_id=<id>."]})
        return requested
    if principal.customer_id is None:
        raise FORBIDDEN("This token belongs to no customer.")
    own = uuid.UUID(principal.customer_id)
    # Customer users never choose the company; naming another one is refused, not ignored,
    # so a wrong link does not quietly show the caller's own data as if it were the other's.
    if requested is not None and requested != own:
        raise FORBIDDEN("You can only see your own company's data.")
    return own
