"""A bank's signed server-to-server notification: verified, matched to its payment, confirmed with
the bank's own status API, settled once.

A signature proves only that someone holds the shared secret: a leaked or default secret would
otherwise confirm payments the bank never saw. So a notification is a cue to ask the bank; the
payment is settled by what the bank answers, and a notification the bank does not bear out
changes nothing and is logged and counted (bank_notifications_unconfirmed_total).

A payment that failed (declined, cancelled, expired) is still worth asking about when the bank
notifies an approval: the customer may have paid after all, and the bank's confirmation of it
confirms the payment late (domain/lifecycle.py). One the bank does not bear out leaves it failed,
answered as any notification about a failed payment is."""
from __future__ import annotations

import logging
from collections.abc import Mapping

import sqlalchemy as sa

from payment_service.adapters import orm
from prometheus_client import Counter

from payment_service.adapters.banks import InvalidCallback, MalformedCallback
from payment_service.adapters.banks.base import BankUnavailable
from payment_service.domain.lifecycle import APPROVED, FAILED, FINAL_STATUSES
from payment_service.service_layer.context import PaymentContext
from payment_service.service_layer.errors import (
    BANK_UNAVAILABLE,
    BANK_UNKNOWN,
    INVALID_SIGNATURE,
    NOT_CONFIRMED_BY_BANK,
    NOT_FOUND,
    NOTIFICATION_MISMATCH,
    NOTIFICATION_UNREADABLE,
)
from payment_service.service_layer.settlement import apply_bank_answer
from portal_shared.db import transaction
from portal_shared.logging import log_fields

log = logging.getLogger(__name__)
# Registered once per process; under gunicorn its values are summed across workers with the rest.
UNCONFIRMED = Counter(
    "bank_notifications_unconfirmed_total",
    "Correctly signed bank notifications that the bank's status API did not confirm (nothing changed).",
    ("bank",),
)


def handle_callback(ctx: PaymentContext, bank: str, headers: Mapping[str, str], raw_body: bytes) -> dict:
    adapter = ctx.banks.get(bank)
    if adapter is None:
        raise BANK_UNKNOWN("No such bank.")
    try:
        result = adapter.verify_callback(headers, raw_body)
    except InvalidCallback as exc:
        log.warning("bank notification refused", extra=log_fields({"bank": bank, "reason": str(exc)}))
        raise INVALID_SIGNATURE("The notification's signature is missing, wrong or stale.") from None
    except MalformedCallback as exc:
        raise NOTIFICATION_UNREADABLE(f"Unreadable notification: {exc}", errors={"body": [str(exc)]}) from None

    with transaction(ctx.session_factory) as session:
        payment = session.scalar(
            sa.select(orm.Payment).where(orm.Payment.bank == bank, orm.Payment.bank_payment_id == result.bank_payment_id)
        )
        if payment is None:
            raise NOT_FOUND("No payment with this bank_payment_id.")
        if result.reference != payment.reference or result.amount != payment.total:
            # Signed but about something else: refuse it rather than settle the wrong payment.
            log.error("bank notification does not match its payment", extra=log_fields({"payment_id": str(payment.id), "bank": bank}))
            raise NOTIFICATION_MISMATCH(
                "The notification's reference or amount does not match the payment.",
                errors={"reference" if result.reference != payment.reference else "amount": ["Does not match the payment."]},
            )
        payment_id, status = payment.id, payment.status
    unchanged = {"payment_id": str(payment_id), "status": status, "changed": False}
    if status in FINAL_STATUSES or (status == FAILED and result.status != APPROVED):
        # Settled already (a repeated notification), or a failure told again: nothing to ask or change.
        return unchanged

    # Asked outside any transaction: no database connection waits on the bank.
    try:
        answer = adapter.query_status(result.bank_payment_id)
    except BankUnavailable:
        raise BANK_UNAVAILABLE("The bank could not be asked to confirm the notification; send it again later.") from None
    disagrees = answer.status != result.status or (answer.status == APPROVED and not answer.bank_reference)
    if disagrees or (result.bank_reference and answer.bank_reference != result.bank_reference):
        UNCONFIRMED.labels(bank=bank).inc()
        log.warning("bank notification not confirmed by the bank", extra=log_fields({
            "payment_id": str(payment_id), "bank": bank, "notified": result.status, "bank_says": answer.status}))
        if status == FAILED:
            # Already failed by the bank's own word (or the reconciler's clock): it stays as it is.
            return unchanged
        raise NOT_CONFIRMED_BY_BANK(f"The bank reports this payment as {answer.status}, not {result.status}; nothing changed.")

    with transaction(ctx.session_factory) as session:
        changed = apply_bank_answer(session, ctx, payment_id, answer, now=ctx.clock())
        status = session.scalar(sa.select(orm.Payment.status).where(orm.Payment.id == payment_id))
        return {"payment_id": str(payment_id), "status": status, "changed": changed}
