"""Every event billing-service consumes, by type and version, and the handler that applies it.

The consumer entrypoint binds its queue to exactly these; a new subscription is one line here.
Billing's handlers take the process's context first: handlers_for(ctx) hands it to each of them.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import partial

from sqlalchemy.orm import Session

from billing_service.service_layer import handlers, payments, usage
from billing_service.service_layer.context import BillingContext
from portal_shared.contracts import Event

Handler = Callable[[Session, Event], object]
# What billing's handlers take: the context, then what every consumer hands a handler.
ContextHandler = Callable[[BillingContext, Session, Event], object]

HANDLERS: dict[tuple[str, int], ContextHandler] = {
    ("identity.access.revoked", 1): handlers.access_revoked,
    ("identity.customer.registered", 1): handlers.customer_registered,
    ("payment.initiated", 1): payments.payment_initiated,
    ("payment.confirmed", 1): payments.payment_confirmed,
    ("payment.failed", 1): payments.payment_failed,
    ("servicedesk.meter_reading.accepted", 1): usage.meter_reading_accepted,
    ("servicedesk.meter_reading.accepted", 2): usage.meter_reading_accepted_v2,
}


def handlers_for(ctx: BillingContext) -> dict[tuple[str, int], Handler]:
    return {key: partial(handler, ctx) for key, handler in HANDLERS.items()}
