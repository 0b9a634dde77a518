"""payment.initiated / confirmed / failed v1, built from a payment and its items."""
from __future__ import annotations

from typing import Any

from payment_service.adapters import orm
from payment_service.config import SERVICE_NAME
from portal_shared.contracts import Event, new_event
from portal_shared.correlation import get_correlation_id


def payment_event(event_type: str, payment: orm.Payment, items: list[orm.PaymentItem], **extra: Any) -> Event:
    data = {
        "payment_id": payment.id,
        "customer_id": payment.customer_id,
        "bank": payment.bank,
        "reference": payment.reference,
        "total_mxn": payment.total,
        "items": [
            {
                "invoice_id": item.invoice_id,
                "currency": item.currency,
                "amount": item.amount,
                "amount_mxn": item.amount_mxn,
                "exchange_rate": item.exchange_rate,
            }
            for item in items
        ],
        **extra,
    }
    return new_event(event_type, 1, data, producer=SERVICE_NAME, correlation_id=get_correlation_id())
