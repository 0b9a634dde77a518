"""Asking the bank about a pending payment, when a person asks for it (the return page).

A write, so an explicit POST: reading a payment never changes it. The reconciler does the same
for payments nobody asks about.
"""
from __future__ import annotations

import logging
import uuid

from payment_service.adapters.banks import BankUnavailable
from payment_service.domain.lifecycle import PENDING
from payment_service.service_layer.context import PaymentContext
from payment_service.service_layer.queries import get_payment, scoped_payment
from payment_service.service_layer.settlement import apply_bank_answer
from portal_shared.db import transaction
from portal_shared.logging import log_fields

log = logging.getLogger(__name__)


def check_with_bank(ctx: PaymentContext, payment_id: uuid.UUID, *, customer_id: uuid.UUID | None) -> dict:
    """The payment after asking its bank, if it is still pending (short timeout): the return page
    learns the outcome from the bank, never from the URL the browser came back with. A bank that
    does not answer leaves it pending, for the reconciler. customer_id None: staff."""
    with transaction(ctx.session_factory) as session:
        payment = scoped_payment(session, payment_id, customer_id)
        bank, bank_payment_id, status = payment.bank, payment.bank_payment_id, payment.status
    if status == PENDING and bank_payment_id and bank in ctx.banks:
        # Asked outside any transaction: no database connection waits on the bank.
        try:
            answer = ctx.banks[bank].query_status(bank_payment_id)
        except BankUnavailable as exc:
            log.info("bank not answering; payment stays pending",
                     extra=log_fields({"payment_id": str(payment_id), "error": str(exc)}))
        else:
            with transaction(ctx.session_factory) as session:
                apply_bank_answer(session, ctx, payment_id, answer, now=ctx.clock())
    return get_payment(ctx, payment_id, customer_id=customer_id)
