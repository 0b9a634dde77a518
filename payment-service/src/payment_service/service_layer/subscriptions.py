"""Every event payment-service consumes, by type and version, and the handler that applies it.

The consumer entrypoint binds its queue to exactly these; a new subscription is one line here.
"""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from payment_service.service_layer import handlers
from portal_shared.contracts import Event
from portal_shared.revocations import revoked_access_handler

HANDLERS: dict[tuple[str, int], Callable[[Session, Event], object]] = {
    ("identity.access.revoked", 1): revoked_access_handler(),
    ("billing.account.opened", 1): handlers.account_opened,
    ("billing.invoice.issued", 1): handlers.invoice_issued,
    ("billing.invoice.balance_changed", 1): handlers.invoice_balance_changed,
    ("billing.exchange_rate.set", 1): handlers.exchange_rate_set,
}
