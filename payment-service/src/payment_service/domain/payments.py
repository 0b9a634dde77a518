"""A payment request checked against payment's copy of the invoices, before anything is written.

Plain Python: the caller loads the invoices and the current rate, these rules decide.
"""
from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from decimal import Decimal

from payment_service.domain.pricing import priced_in_mxn

from portal_shared.mexico import is_whole_cents



@dataclass(frozen=True)
class RequestedItem:
    invoice_id: uuid.UUID
    amount: Decimal


@dataclass(frozen=True)
class PayableInvoice:
    invoice_id: uuid.UUID
    customer_id: uuid.UUID
    invoice_number: str
    account_number: str
    currency: str
    pending_amount: Decimal


@dataclass(frozen=True)
class PricedItem:
    invoice_id: uuid.UUID
    invoice_number: str
    account_number: str
    currency: str
    amount: Decimal
    amount_mxn: Decimal
    exchange_rate: Decimal | None


# Why the rules refuse an item; the service layer tells API clients by these.
REPEATED = "repeated"
NOT_POSITIVE = "not_positive"
ABOVE_PENDING = "above_pending"
NOT_CENTS = "not_cents"
NO_RATE = "no_rate"


class PaymentRefused(Exception):
    """A request the rules refuse; `errors` names each field as items.N.<field>, `reasons` are
    why (REPEATED, ABOVE_PENDING, ...), one or more."""

    def __init__(self, errors: dict[str, list[str]], detail: str, reasons: frozenset[str] = frozenset()):
        super().__init__(detail)
        self.errors = errors
        self.detail = detail
        self.reasons = reasons


class InvoiceNotFound(PaymentRefused):
    # Another customer's invoice is reported exactly like one that does not exist.
    pass


def price_items(
    customer_id: uuid.UUID,
    requested: list[RequestedItem],
    invoices: dict[uuid.UUID, PayableInvoice],
    rate: Decimal | None,
) -> list[PricedItem]:
    """The items priced in MXN, or PaymentRefused naming every offending item."""
    missing = {
        f"items.{n}.invoice_id": ["No such invoice."]
        for n, item in enumerate(requested)
        if item.invoice_id not in invoices or invoices[item.invoice_id].customer_id != customer_id
    }
    if missing:
        raise InvoiceNotFound(missing, "An invoice of the payment does not exist.")

    errors: dict[str, list[str]] = {}
    reasons: dict[str, str] = {}

    def refuse(field: str, reason: str, message: str) -> None:
        # One message a field: a later rule on the same field replaces the earlier one.
        errors[field], reasons[field] = [message], reason

    seen: set[uuid.UUID] = set()
    for n, item in enumerate(requested):
        invoice = invoices[item.invoice_id]
        if item.invoice_id in seen:
            refuse(f"items.{n}.invoice_id", REPEATED, "The invoice is already in this payment.")
        seen.add(item.invoice_id)
        if item.amount <= 0:
            refuse(f"items.{n}.amount", NOT_POSITIVE, "Must be greater than 0.")
        elif item.amount > invoice.pending_amount:
            # Checked before the cents: a huge amount (1e400) cannot even be rounded to cents.
            refuse(f"items.{n}.amount", ABOVE_PENDING,
                   f"Exceeds the pending amount {invoice.pending_amount} {invoice.currency}.")
        elif not is_whole_cents(item.amount):
            refuse(f"items.{n}.amount", NOT_CENTS, "At most two decimals.")
        if invoice.currency == "USD" and rate is None:
            refuse(f"items.{n}.invoice_id", NO_RATE, "No exchange rate is published to price this USD invoice.")
    if errors:
        raise PaymentRefused(errors, "Invalid payment items: " + ", ".join(sorted(errors)) + ".",
                             frozenset(reasons.values()))

    return [
        PricedItem(
            invoice_id=item.invoice_id,
            invoice_number=invoices[item.invoice_id].invoice_number,
            account_number=invoices[item.invoice_id].account_number,
            currency=invoices[item.invoice_id].currency,
            amount=item.amount,
            amount_mxn=priced_in_mxn(item.amount, invoices[item.invoice_id].currency, rate),
            exchange_rate=rate if invoices[item.invoice_id].currency == "USD" else None,
        )
        for item in requested
    ]


def new_reference() -> str:
    """The portal's payment reference the customer and the bank see: short, digits only
    (bank pages and phone calls), unique by a database constraint."""
    return "P" + "".join(str(secrets.randbelow(10)) for _ in range(11))
