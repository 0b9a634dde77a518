"""payment.initiated / confirmed / failed v1: what each does to the invoices it names.

Each (payment, invoice) pair is a row of payment_applications moved by domain.payments'
state machine, so an event counts at most once per pair whatever the order or duplication
(the inbox already drops redeliveries of the same event id; this also covers a payment
announced twice under new ids, or confirmed before its initiation arrives).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from billing_service.adapters.orm import Invoice, PaymentApplication
from billing_service.config import SERVICE_NAME
from billing_service.domain.money import ZERO
from billing_service.domain.payments import APPLIED, CONFIRMED, FAILED, INITIATED, Balance, next_step
from billing_service.service_layer import receipts
from billing_service.service_layer.context import BillingContext
from portal_shared.contracts import Event, new_event
from portal_shared.logging import log_fields
from portal_shared.mexico import to_cents

log = logging.getLogger(__name__)


class PaymentDoesNotMatch(Exception):
    """A payment event naming an invoice of another customer or currency: retried, then dead-lettered
    for a person to look at, never applied to the wrong balance."""


def balance_changed_event(invoice: Invoice, payment_id, correlation_id: str | None) -> Event:
    return new_event(
        "billing.invoice.balance_changed",
        1,
        {
            "invoice_id": invoice.id,
            "customer_id": invoice.customer_id,
            "currency": invoice.currency,
            "pending_amount": invoice.pending_amount,
            "in_transit_amount": invoice.in_transit_amount,
            "status": invoice.status,
            "version": invoice.version,
            "payment_id": payment_id,
        },
        producer=SERVICE_NAME,
        correlation_id=correlation_id,
    )


@dataclass(frozen=True)
class AppliedNow:
    """An invoice a confirmation applied money to, as it stood just before: what its REP states."""

    invoice: Invoice
    pair: PaymentApplication
    balance_before: Decimal
    earlier_payments: int


def _earlier_payments(session: Session, invoice_id, payment_id) -> int:
    # Read between the pair's changes: nothing of this payment must be flushed half-made.
    with session.no_autoflush:
        return session.scalar(
            sa.select(sa.func.count()).select_from(PaymentApplication).where(
                PaymentApplication.invoice_id == invoice_id,
                PaymentApplication.state == APPLIED,
                PaymentApplication.payment_id != payment_id,
            )
        )


def _apply(ctx: BillingContext, session: Session, event: Event, kind: str,
           applied_now: list[AppliedNow] | None = None) -> list[Invoice]:
    data = event.data
    payment_id = data["payment_id"]
    changed: list[Invoice] = []
    # Invoices locked in one order: two payments' events never wait on each other in a cycle.
    for item in sorted(data["items"], key=lambda i: str(i["invoice_id"])):
        invoice = session.get(Invoice, item["invoice_id"], with_for_update=True)
        if invoice is None:
            # payment-service only learns of invoices from billing: retry, then dead-letter.
            raise PaymentDoesNotMatch(f"payment {payment_id} names unknown invoice {item['invoice_id']}")
        if invoice.customer_id != data["customer_id"] or invoice.currency != item["currency"]:
            raise PaymentDoesNotMatch(
                f"payment {payment_id} names invoice {invoice.invoice_number} of another customer or currency"
            )
        pair = session.get(PaymentApplication, (payment_id, invoice.id))
        step = next_step(
            kind,
            pair.state if pair else None,
            pair.held_amount if pair else ZERO,
            Balance(invoice.amount, invoice.pending_amount, invoice.in_transit_amount),
            item["amount"],
        )
        if step is None:
            continue
        now = ctx.clock()
        if pair is None:
            pair = PaymentApplication(
                payment_id=payment_id,
                invoice_id=invoice.id,
                account_id=invoice.account_id,
                customer_id=invoice.customer_id,
                currency=invoice.currency,
                amount=to_cents(item["amount"]),
                amount_mxn=to_cents(item["amount_mxn"]),
                exchange_rate=item.get("exchange_rate"),
                reference=data["reference"],
            )
            session.add(pair)
        pair.state = step.state
        pair.held_amount = step.held
        pair.updated_at = now
        if step.state == APPLIED:
            if applied_now is not None:
                # Read under the invoice's lock, before the balance moves: the REP's ImpSaldoAnt
                # and NumParcialidad.
                applied_now.append(AppliedNow(invoice, pair, invoice.pending_amount,
                                              _earlier_payments(session, invoice.id, payment_id)))
            pair.applied_amount = step.applied
            pair.excess_amount = step.excess
            pair.bank_reference = data["bank_reference"]
            pair.applied_at = data["confirmed_at"]
            if step.excess > ZERO:
                # Paid beyond what was pending (e.g. a payment confirmed after it failed, its invoice
                # paid again meanwhile): kept as the pair's excess, for a person to refund or credit.
                log.warning("payment exceeds the invoice's pending amount", extra=log_fields({
                    "payment_id": str(payment_id), "invoice_id": str(invoice.id), "excess": str(step.excess)}))
        if step.balance == Balance(invoice.amount, invoice.pending_amount, invoice.in_transit_amount):
            # e.g. a failure announced before its initiation: the pair is closed, the balance unchanged.
            continue
        invoice.pending_amount = step.balance.pending
        invoice.in_transit_amount = step.balance.in_transit
        invoice.status = step.balance.status
        invoice.version += 1
        invoice.updated_at = now
        changed.append(invoice)
    # Rows before announcements: a CHECK violation must stop the outbox write too.
    session.flush()
    ctx.publish(session, [balance_changed_event(invoice, payment_id, event.correlation_id) for invoice in changed])
    return changed


def payment_initiated(ctx: BillingContext, session: Session, event: Event) -> list[Invoice]:
    """The items' amounts go in transit."""
    return _apply(ctx, session, event, INITIATED)


def payment_confirmed(ctx: BillingContext, session: Session, event: Event) -> list[Invoice]:
    """The items' amounts leave transit and reduce what is pending; an invoice at zero is paid.
    The payment's REP is prepared in the same transaction, to be stamped through the outbox."""
    applied_now: list[AppliedNow] = []
    changed = _apply(ctx, session, event, CONFIRMED, applied_now)
    if applied_now:
        receipts.prepare_receipt(ctx, session, event, applied_now)
    return changed


def payment_failed(ctx: BillingContext, session: Session, event: Event) -> list[Invoice]:
    """The items' amounts held in transit are released."""
    return _apply(ctx, session, event, FAILED)
