"""Every event billing-service consumes, by type and version, and the handler that applies it.

The consumer entrypoint binds its queue to exactly these; a new subscription is one line here.
"""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from billing_service.service_layer import handlers, payments, usage
from portal_shared.contracts import Event
from portal_shared.revocations import revoked_access_handler

HANDLERS: dict[tuple[str, int], Callable[[Session, Event], object]] = {
    ("identity.access.revoked", 1): revoked_access_handler(),
    ("identity.customer.registered", 1): handlers.customer_registered,
    ("payment.initiated", 1): payments.payment_initiated,
    ("payment.confirmed", 1): payments.payment_confirmed,
    ("payment.failed", 1): payments.payment_failed,
    ("servicedesk.meter_reading.accepted", 1): usage.meter_reading_accepted,
}
