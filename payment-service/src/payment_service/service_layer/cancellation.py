"""Cancelling a pending payment: the customer gave up at the bank, or pressed Back and never came
back, and wants the invoices free to pay again now rather than when the reconciler expires it.

The bank decides: it is asked to cancel, and its answer settles the payment as any other answer
does (domain/lifecycle.py). Cancelled, the invoices are released at once and payment.failed
(reason "cancelled") tells billing; paid meanwhile, the payment is confirmed and the refusal says
so. A payment already settled is left as it is.
"""
from __future__ import annotations

import logging
import uuid

from payment_service.adapters.banks import BankUnavailable
from payment_service.domain.lifecycle import CANCELLED, CONFIRMED, FAILED, PENDING
from payment_service.service_layer.context import PaymentContext
from payment_service.service_layer.errors import BANK_UNAVAILABLE, NOT_PENDING, PAID_AT_BANK
from payment_service.service_layer.queries import get_payment, scoped_payment
from payment_service.service_layer.settlement import apply_bank_answer
from portal_shared.db import transaction
from portal_shared.logging import log_fields

log = logging.getLogger(__name__)


def cancel_payment(ctx: PaymentContext, payment_id: uuid.UUID, *, customer_id: uuid.UUID) -> dict:
    """The payment after asking its bank to cancel it; cancelling a cancelled one again is its answer."""
    with transaction(ctx.session_factory) as session:
        payment = scoped_payment(session, payment_id, customer_id)
        bank, bank_payment_id = payment.bank, payment.bank_payment_id
        status, reason = payment.status, payment.failure_reason
    if status == FAILED and reason == CANCELLED:
        return get_payment(ctx, payment_id, customer_id=customer_id)
    if status != PENDING:
        raise NOT_PENDING(f"The payment is {status}; only a pending payment can be cancelled.")
    # Asked outside any transaction: no database connection waits on the bank.
    try:
        answer = ctx.banks[bank].cancel(bank_payment_id)
    except BankUnavailable as exc:
        log.info("bank not answering; payment not cancelled",
                 extra=log_fields({"payment_id": str(payment_id), "error": str(exc)}))
        raise BANK_UNAVAILABLE("The bank did not answer; the payment was not cancelled. Try again.") from None
    with transaction(ctx.session_factory) as session:
        apply_bank_answer(session, ctx, payment_id, answer, now=ctx.clock())
    settled = get_payment(ctx, payment_id, customer_id=customer_id)
    if settled["status"] == CONFIRMED:
        raise PAID_AT_BANK("The bank had already paid this payment; it is confirmed, not cancelled.",
                           payment_status=CONFIRMED)
    log.info("payment cancelled", extra=log_fields({"payment_id": str(payment_id), "status": settled["status"]}))
    return settled
