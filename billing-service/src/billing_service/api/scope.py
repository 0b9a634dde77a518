"""Whose data a request may read: the token's customer, or for staff the customer they name."""
from __future__ import annotations

import uuid

from flask import current_app

from portal_shared.auth import Principal
from portal_shared.web import Problem


def customer_in_scope(principal: Principal, requested: uuid.UUID | None) -> uuid.UUID:
    if principal.is_staff:
        if requested is None:
            raise Problem.validation(
                {"customer_id": ["Staff must name the customer: ?customer_id=<id>."]}
            )
        return requested
    if principal.customer_id is None:
        raise Problem(403, "Forbidden", "This token belongs to no customer.")
    own = uuid.UUID(principal.customer_id)
    # Customer users never choose the company; naming another one is refused, not ignored,
    # so a wrong link does not quietly show the caller's own data as if it were the other's.
    if requested is not None and requested != own:
        raise Problem(403, "Forbidden", "You can only see your own company's data.")
    return own


def session_factory():
    return current_app.extensions["billing.session_factory"]


def not_found(exc) -> Problem:
    """A use case's NotFound as a 404 problem (naming the field when the use case did)."""
    return Problem(404, "Not found", str(exc), errors=getattr(exc, "errors", None))

