"""A bank's signed server-to-server notification: verified, matched to its payment, settled once."""
from __future__ import annotations

import logging
from collections.abc import Mapping

import sqlalchemy as sa

from payment_service.adapters import orm
from payment_service.adapters.banks import InvalidCallback, MalformedCallback
from payment_service.adapters.banks.base import APPROVED
from payment_service.service_layer.context import PaymentContext
from payment_service.service_layer.errors import Invalid, NotFound, Unauthorized
from payment_service.service_layer.settlement import confirm, fail
from portal_shared.db import transaction
from portal_shared.logging import log_fields

log = logging.getLogger(__name__)


def handle_callback(ctx: PaymentContext, bank: str, headers: Mapping[str, str], raw_body: bytes) -> dict:
    adapter = ctx.banks.get(bank)
    if adapter is None:
        raise NotFound("No such bank.")
    try:
        result = adapter.verify_callback(headers, raw_body)
    except InvalidCallback as exc:
        log.warning("bank notification refused", extra=log_fields({"bank": bank, "reason": str(exc)}))
        raise Unauthorized("The notification's signature is missing, wrong or stale.") from None
    except MalformedCallback as exc:
        raise Invalid(f"Unreadable notification: {exc}", {"body": [str(exc)]}) from None

    with transaction(ctx.session_factory) as session:
        payment = session.scalar(
            sa.select(orm.Payment).where(orm.Payment.bank == bank, orm.Payment.bank_payment_id == result.bank_payment_id)
        )
        if payment is None:
            raise NotFound("No payment with this bank_payment_id.")
        if result.reference != payment.reference or result.amount != payment.total:
            # Signed but about something else: refuse it rather than settle the wrong payment.
            log.error("bank notification does not match its payment", extra=log_fields({"payment_id": str(payment.id), "bank": bank}))
            raise Invalid(
                "The notification's reference or amount does not match the payment.",
                {"reference" if result.reference != payment.reference else "amount": ["Does not match the payment."]},
            )
        now = ctx.clock()
        if result.status == APPROVED:
            changed = confirm(
                session, ctx, payment.id, bank_reference=result.bank_reference or "", email=result.email, now=now
            )
        else:
            changed = fail(session, ctx, payment.id, reason="declined", now=now)
        status = session.scalar(sa.select(orm.Payment.status).where(orm.Payment.id == payment.id))
        return {"payment_id": str(payment.id), "status": status, "changed": changed}
