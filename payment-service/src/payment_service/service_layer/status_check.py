"""Asking the bank about a payment not yet confirmed, when a person asks for it (the return page).

A write, so an explicit POST: reading a payment never changes it. The reconciler does the same
for pending payments nobody asks about. A failed one is asked about too: a customer who paid at
the bank after the payment was cancelled or expired comes back to the return page, and the bank's
approval then confirms it (domain/lifecycle.py).
"""
from __future__ import annotations

import logging
import uuid

from payment_service.adapters.banks import BankUnavailable
from payment_service.domain.lifecycle import FINAL_STATUSES
from payment_service.service_layer.context import PaymentContext
from payment_service.service_layer.queries import get_payment, scoped_payment
from payment_service.service_layer.settlement import apply_bank_answer
from portal_shared.db import transaction
from portal_shared.logging import log_fields

log = logging.getLogger(__name__)


def check_with_bank(ctx: PaymentContext, payment_id: uuid.UUID, *, customer_id: uuid.UUID | None) -> dict:
    """The payment after asking its bank, unless it is confirmed (short timeout): the return page
    learns the outcome from the bank, never from the URL the browser came back with. A bank that
    does not answer leaves it as it is (a pending one for the reconciler). customer_id None: staff."""
    with transaction(ctx.session_factory) as session:
        payment = scoped_payment(session, payment_id, customer_id)
        bank, bank_payment_id, status = payment.bank, payment.bank_payment_id, payment.status
    if status not in FINAL_STATUSES and bank_payment_id and bank in ctx.banks:
        # Asked outside any transaction: no database connection waits on the bank.
        try:
            answer = ctx.banks[bank].query_status(bank_payment_id)
        except BankUnavailable as exc:
            log.info("bank not answering; payment stays as it is",
                     extra=log_fields({"payment_id": str(payment_id), "error": str(exc)}))
        else:
            with transaction(ctx.session_factory) as session:
                apply_bank_answer(session, ctx, payment_id, answer, now=ctx.clock())
    return get_payment(ctx, payment_id, customer_id=customer_id)
