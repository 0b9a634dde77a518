"""Payments as the API shows them: JSON-ready dicts (money as 2-place strings, rates with 4)."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from payment_service.adapters import orm
from portal_shared.mexico import CENT, RATE_UNIT


def money(value: Decimal) -> str:
    return str(value.quantize(CENT))


def rate(value: Decimal | None) -> str | None:
    return None if value is None else str(value.quantize(RATE_UNIT))


def instant(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def item_view(item: orm.PaymentItem) -> dict:
    return {
        "invoice_id": str(item.invoice_id),
        "invoice_number": item.invoice_number,
        "account_number": item.account_number,
        "currency": item.currency,
        "amount": money(item.amount),
        "amount_mxn": money(item.amount_mxn),
        "exchange_rate": rate(item.exchange_rate),
    }


def payment_view(payment: orm.Payment, items: list[orm.PaymentItem]) -> dict:
    return {
        "id": str(payment.id),
        "reference": payment.reference,
        "status": payment.status,
        "bank": payment.bank,
        "bank_reference": payment.bank_reference,
        "total": money(payment.total),
        "currency": payment.currency,
        "redirect_url": payment.redirect_url,
        "items": [item_view(item) for item in items],
        "created_at": instant(payment.created_at),
        "confirmed_at": instant(payment.confirmed_at),
        "failure_reason": payment.failure_reason,
    }


def history_view(payment: orm.Payment, items: list[orm.PaymentItem]) -> dict:
    return {
        "id": str(payment.id),
        "paid_at": instant(payment.confirmed_at),
        "reference": payment.reference,
        "bank": payment.bank,
        "bank_reference": payment.bank_reference,
        "total": money(payment.total),
        "currency": payment.currency,
        "invoices": [
            {
                "invoice_id": str(item.invoice_id),
                "invoice_number": item.invoice_number,
                "account_number": item.account_number,
                "amount": money(item.amount),
                "currency": item.currency,
            }
            for item in items
        ],
    }
