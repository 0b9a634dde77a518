"""Reconciliation: payments left pending (a lost notification, a customer who never came back)
are settled by asking the bank, and expire when the bank has no answer for too long."""
from __future__ import annotations

import logging
from collections import Counter
from datetime import timedelta

import sqlalchemy as sa

from payment_service.adapters import orm
from payment_service.adapters.banks import BankUnavailable
from payment_service.domain.lifecycle import PENDING
from payment_service.domain.lifecycle import STILL_PENDING as BANK_PENDING
from payment_service.service_layer.context import PaymentContext
from payment_service.service_layer.settlement import apply_bank_answer, expire
from portal_shared.db import transaction
from portal_shared.logging import log_fields

log = logging.getLogger(__name__)
BATCH = 200


def _due(ctx: PaymentContext, now, after: tuple | None) -> list:
    """The next batch of pending payments old enough to ask about, after (created_at, id) `after`."""
    query = (
        sa.select(orm.Payment.id, orm.Payment.bank, orm.Payment.bank_payment_id, orm.Payment.created_at)
        .where(
            orm.Payment.status == PENDING,
            orm.Payment.created_at <= now - timedelta(seconds=ctx.reconcile_after_seconds),
        )
        .order_by(orm.Payment.created_at, orm.Payment.id)
        .limit(BATCH)
    )
    if after is not None:
        query = query.where(sa.tuple_(orm.Payment.created_at, orm.Payment.id) > sa.tuple_(*after))
    with transaction(ctx.session_factory) as session:
        return session.execute(query).all()


def run_once(ctx: PaymentContext) -> Counter:
    """One pass over every payment pending longer than reconcile_after_seconds; counts what happened
    (confirmed, failed, expired, pending, unreachable). The bank is asked outside any transaction."""
    now = ctx.clock()
    outcome: Counter = Counter()
    after = None
    while batch := _due(ctx, now, after):
        after = (batch[-1].created_at, batch[-1].id)
        for row in batch:
            _reconcile_one(ctx, row, now, outcome)
    if outcome:
        log.info("reconciliation pass", extra=log_fields(dict(outcome)))
    return outcome


def _reconcile_one(ctx: PaymentContext, row, now, outcome: Counter) -> None:
    payment_id, bank, bank_payment_id, created_at = row
    adapter = ctx.banks.get(bank)
    try:
        if adapter is None or not bank_payment_id:
            raise BankUnavailable(f"no adapter or bank id for {bank}")
        answer = adapter.query_status(bank_payment_id)
    except BankUnavailable as exc:
        # Unknown is not "no": a payment the bank may have approved is never expired blind.
        log.warning("bank not answering during reconciliation", extra=log_fields({"payment_id": str(payment_id), "error": str(exc)}))
        outcome["unreachable"] += 1
        return
    with transaction(ctx.session_factory) as session:
        if answer.status != BANK_PENDING:
            changed = apply_bank_answer(session, ctx, payment_id, answer, now=ctx.clock())
            outcome["confirmed" if answer.status == "approved" else "failed"] += int(changed)
        elif (now - created_at).total_seconds() >= ctx.expire_seconds:
            outcome["expired"] += int(expire(session, ctx, payment_id, now=ctx.clock()))
        else:
            outcome["pending"] += 1
