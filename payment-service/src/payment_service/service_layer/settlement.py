"""Settling a payment: pending → confirmed or pending → failed (declined, cancelled, expired), once;
and failed → confirmed, once, when the bank reports paid a payment the portal had given up on.

What an answer of the bank does is the lifecycle's decision (domain/lifecycle.py); carrying it
out is a conditional UPDATE (… WHERE status = 'pending', or 'failed' for a late confirmation):
of two answers racing (callback, repeated callback, a status check, reconciliation, a cancel)
exactly one changes the row; the others, and any repeat, change nothing and publish nothing.
"""
from __future__ import annotations

import logging
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from payment_service.adapters import orm
from payment_service.adapters.banks import BankStatus
from payment_service.domain.lifecycle import CONFIRMED, EXPIRED, FAILED, PENDING, settled_status
from payment_service.domain.receipt import ReceiptLine, receipt
from payment_service.service_layer.context import PaymentContext
from payment_service.service_layer.events import payment_event
from portal_shared.logging import log_fields

log = logging.getLogger(__name__)


def items_of(session: Session, payment_id: uuid.UUID) -> list[orm.PaymentItem]:
    return list(
        session.scalars(
            sa.select(orm.PaymentItem).where(orm.PaymentItem.payment_id == payment_id).order_by(orm.PaymentItem.position)
        )
    )


def _transition(session: Session, payment_id: uuid.UUID, from_status: str, **values) -> orm.Payment | None:
    """The payment after moving it out of `from_status`, or None when it was not in it (any more)."""
    changed = session.execute(
        sa.update(orm.Payment)
        .where(orm.Payment.id == payment_id, orm.Payment.status == from_status)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        return None
    # Out of pending the invoices are free again (a failed payment's were freed when it failed).
    session.execute(sa.delete(orm.InvoiceLock).where(orm.InvoiceLock.payment_id == payment_id))
    payment = session.get(orm.Payment, payment_id, populate_existing=True)
    return payment


def confirm(
    session: Session, ctx: PaymentContext, payment_id: uuid.UUID, *, bank_reference: str, email: str | None, now: datetime
) -> bool:
    """pending or failed → confirmed: payment.confirmed, the invoices released, the receipt queued.
    False if already confirmed."""
    paid = {"status": CONFIRMED, "confirmed_at": now, "bank_reference": bank_reference, "email": email}
    payment = _transition(session, payment_id, PENDING, **paid)
    late = payment is None
    if late:
        # Failed (declined, cancelled, expired) and yet paid at the bank: the money is the customer's
        # payment all the same. A confirmed payment has no failure reason; failed_at keeps when it failed.
        payment = _transition(session, payment_id, FAILED, **paid, failure_reason=None)
    if payment is None:
        return False
    items = items_of(session, payment_id)
    for item in items:
        # Until billing's next balance arrives, the paid amount must not be payable again.
        session.execute(
            sa.update(orm.PayableInvoice)
            .where(orm.PayableInvoice.invoice_id == item.invoice_id)
            .values(
                pending_amount=sa.case(
                    (orm.PayableInvoice.pending_amount > item.amount, orm.PayableInvoice.pending_amount - item.amount),
                    else_=0,
                )
            )
        )
    ctx.outbox.add_event(
        session, payment_event("payment.confirmed", payment, items, bank_reference=bank_reference, confirmed_at=now)
    )
    if email:
        mail = receipt(
            reference=payment.reference,
            bank=payment.bank,
            bank_reference=bank_reference,
            total=payment.total,
            confirmed_at=now,
            lines=[ReceiptLine(i.invoice_number, i.currency, i.amount, i.amount_mxn) for i in items],
            history_url=f"{ctx.portal_base_url}/payments",
        )
        ctx.outbox.add_mail(session, to=email, subject=mail.subject, text=mail.text)
    fields = {"payment_id": str(payment_id), "bank_reference": bank_reference}
    if late:
        # Worth a look: its invoices may have been paid again meanwhile (billing records the excess).
        log.warning("payment confirmed after it had failed", extra=log_fields(fields))
    else:
        log.info("payment confirmed", extra=log_fields(fields))
    return True


def fail(session: Session, ctx: PaymentContext, payment_id: uuid.UUID, *, reason: str, now: datetime) -> bool:
    """pending → failed: payment.failed and the invoices released. False if already settled."""
    payment = _transition(session, payment_id, PENDING, status=FAILED, failed_at=now, failure_reason=reason)
    if payment is None:
        return False
    items = items_of(session, payment_id)
    ctx.outbox.add_event(session, payment_event("payment.failed", payment, items, reason=reason, failed_at=now))
    log.info("payment failed", extra=log_fields({"payment_id": str(payment_id), "reason": reason}))
    return True


def apply_bank_answer(
    session: Session, ctx: PaymentContext, payment_id: uuid.UUID, answer: BankStatus, *, now: datetime
) -> bool:
    """Settle by what the bank says; False when it changes nothing (a pending answer, a confirmed
    payment, a failed one the bank does not report paid)."""
    status = session.scalar(sa.select(orm.Payment.status).where(orm.Payment.id == payment_id))
    if status is None:
        return False
    target = settled_status(status, answer.status, answer.bank_reference)
    if target == CONFIRMED:
        return confirm(session, ctx, payment_id, bank_reference=answer.bank_reference, email=answer.email, now=now)
    if target == FAILED:
        return fail(session, ctx, payment_id, reason=answer.status, now=now)
    return False


def expire(session: Session, ctx: PaymentContext, payment_id: uuid.UUID, *, now: datetime) -> bool:
    """A payment the bank still calls pending after the time allowed: failed, its invoices released."""
    status = session.scalar(sa.select(orm.Payment.status).where(orm.Payment.id == payment_id))
    if status is None or settled_status(status, EXPIRED, None) != FAILED:
        return False
    return fail(session, ctx, payment_id, reason=EXPIRED, now=now)
