"""Starting a payment: checked, priced, the invoices locked, registered at the bank, payment.initiated queued.

Everything happens in one transaction, in this order:
1. the Idempotency-Key row (a concurrent request with the same key waits on it, then replays);
2. the payment and its invoice_locks rows (the primary key lets one payment per invoice in
   transit: a concurrent start for the same invoice waits, then fails with 409 — before it
   ever reaches the bank);
3. the bank registers the payment (its redirect URL is part of the answer);
4. payment.initiated in the outbox and the answer stored under the key.
If the bank cannot be reached nothing is kept, and the same key may be sent again.
"""
from __future__ import annotations

import hashlib
import json
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from payment_service.adapters import orm
from payment_service.adapters.banks import BankUnavailable, PaymentStart
from payment_service.domain import payments as rules
from payment_service.domain.lifecycle import PENDING
from payment_service.service_layer.context import PaymentContext
from payment_service.service_layer.errors import (
    AMOUNT_ABOVE_PENDING,
    BANK_UNAVAILABLE,
    IDEMPOTENCY_KEY_IN_USE,
    IDEMPOTENCY_KEY_REQUIRED,
    IDEMPOTENCY_KEY_REUSED,
    INVOICE_IN_TRANSIT,
    INVOICE_REPEATED,
    INVOICE_UNKNOWN,
    NO_EXCHANGE_RATE,
)
from payment_service.service_layer.events import payment_event
from payment_service.service_layer.views import payment_view
from portal_shared.db import transaction
from portal_shared.errors import INVALID, UseCaseError, invalid
from portal_shared.logging import log_fields
from portal_shared.mexico import mexico_today

log = logging.getLogger(__name__)
IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200
# The rules' reasons that are a situation of their own; an amount not above zero or with more
# than two decimals is plain validation of the field.
_REFUSALS = {
    rules.REPEATED: INVOICE_REPEATED,
    rules.ABOVE_PENDING: AMOUNT_ABOVE_PENDING,
    rules.NO_RATE: NO_EXCHANGE_RATE,
}


@dataclass(frozen=True)
class Answer:
    status_code: int
    body: dict
    replayed: bool = False


def request_hash(body: object) -> str:
    """The same JSON body, whatever its key order or spacing, hashes the same."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _stored_answer(session: Session, customer_id: uuid.UUID, key: str, hashed: str) -> Answer | None:
    row = session.get(orm.IdempotencyKey, (customer_id, key))
    if row is None:
        return None
    if row.request_hash != hashed:
        raise IDEMPOTENCY_KEY_REUSED(
            "This Idempotency-Key was already used with a different request body.",
            errors={IDEMPOTENCY_HEADER: ["Already used with a different request body."]},
        )
    return Answer(row.status_code, json.loads(row.response_body), replayed=True)


def _checked_key(key: str | None) -> str:
    """The Idempotency-Key header as sent, without surrounding spaces, or the refusal naming it."""
    key = (key or "").strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise invalid({IDEMPOTENCY_HEADER: [f"Required, 1 to {MAX_KEY_LENGTH} characters."]},
                      error=IDEMPOTENCY_KEY_REQUIRED)
    return key


def _refused(exc: rules.PaymentRefused) -> UseCaseError:
    """The rules' refusal as API clients are told it: items refused for one reason by its own
    code, items refused for several as plain validation naming them all."""
    codes = {_REFUSALS.get(reason, INVALID) for reason in exc.reasons}
    error = codes.pop() if len(codes) == 1 else INVALID
    return error(exc.detail, errors=exc.errors)


def current_rate(session: Session, now: datetime) -> Decimal | None:
    """billing's newest rate on or before today (Mexico City)."""
    return session.scalar(
        sa.select(orm.ExchangeRate.rate)
        .where(orm.ExchangeRate.rate_date <= mexico_today(now))
        .order_by(orm.ExchangeRate.rate_date.desc())
        .limit(1)
    )


def _in_transit_errors(session: Session, requested: list[rules.RequestedItem]) -> dict[str, list[str]]:
    locked = set(
        session.scalars(
            sa.select(orm.InvoiceLock.invoice_id).where(
                orm.InvoiceLock.invoice_id.in_([item.invoice_id for item in requested])
            )
        )
    )
    return {
        f"items.{n}.invoice_id": ["Another payment of this invoice is in transit."]
        for n, item in enumerate(requested)
        if item.invoice_id in locked
    }


def _load_invoices(session: Session, requested: list[rules.RequestedItem]) -> dict[uuid.UUID, rules.PayableInvoice]:
    rows = session.scalars(
        sa.select(orm.PayableInvoice).where(orm.PayableInvoice.invoice_id.in_({i.invoice_id for i in requested}))
    )
    return {
        row.invoice_id: rules.PayableInvoice(
            invoice_id=row.invoice_id,
            customer_id=row.customer_id,
            invoice_number=row.invoice_number,
            account_number=row.account_number,
            currency=row.currency,
            # A paid invoice has nothing left to pay, whatever its last amount said.
            pending_amount=row.pending_amount if row.status == "open" else Decimal("0"),
        )
        for row in rows
    }


def start_payment(
    ctx: PaymentContext,
    *,
    customer_id: uuid.UUID,
    idempotency_key: str | None,
    hashed_body: str,
    bank: str,
    requested: list[rules.RequestedItem],
) -> Answer:
    idempotency_key = _checked_key(idempotency_key)
    with transaction(ctx.session_factory) as session:
        stored = _stored_answer(session, customer_id, idempotency_key, hashed_body)
    if stored is not None:
        return stored
    if bank not in ctx.banks:
        raise invalid({"bank": [f"Must be one of: {', '.join(sorted(ctx.banks))}."]}, "Unknown bank.")

    session = ctx.session_factory()
    try:
        answer = _start_in(session, ctx, customer_id, idempotency_key, hashed_body, bank, requested)
        session.commit()
        return answer
    except _KeyTaken:
        session.rollback()
        # The request that took the key has committed meanwhile: answer as it did.
        with transaction(ctx.session_factory) as again:
            stored = _stored_answer(again, customer_id, idempotency_key, hashed_body)
        if stored is None:
            raise IDEMPOTENCY_KEY_IN_USE("A request with this Idempotency-Key is still being processed.") from None
        return stored
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


class _KeyTaken(Exception):
    pass


def _start_in(
    session: Session,
    ctx: PaymentContext,
    customer_id: uuid.UUID,
    key: str,
    hashed: str,
    bank: str,
    requested: list[rules.RequestedItem],
) -> Answer:
    now = ctx.clock()
    payment_id = uuid.uuid4()
    session.add(
        orm.IdempotencyKey(
            customer_id=customer_id, key=key, request_hash=hashed, status_code=0, response_body="", created_at=now
        )
    )
    try:
        session.flush()
    except IntegrityError:
        raise _KeyTaken() from None

    invoices = _load_invoices(session, requested)
    needs_rate = any(inv.currency == "USD" for inv in invoices.values())
    rate = current_rate(session, now) if needs_rate else None
    try:
        priced = rules.price_items(customer_id, requested, invoices, rate)
    except rules.InvoiceNotFound as exc:
        raise INVOICE_UNKNOWN(exc.detail, errors=exc.errors) from None
    except rules.PaymentRefused as exc:
        raise _refused(exc) from None
    in_transit = _in_transit_errors(session, requested)
    if in_transit:
        raise INVOICE_IN_TRANSIT("An invoice of the payment already has a payment in transit.", errors=in_transit)

    payment = orm.Payment(
        id=payment_id,
        customer_id=customer_id,
        reference=rules.new_reference(),
        bank=bank,
        status=PENDING,
        total=sum((item.amount_mxn for item in priced), Decimal("0")),
        currency="MXN",
        created_at=now,
    )
    items = [
        orm.PaymentItem(
            payment_id=payment_id,
            invoice_id=item.invoice_id,
            position=n,
            invoice_number=item.invoice_number,
            account_number=item.account_number,
            currency=item.currency,
            amount=item.amount,
            amount_mxn=item.amount_mxn,
            exchange_rate=item.exchange_rate,
        )
        for n, item in enumerate(priced)
    ]
    session.add(payment)
    session.add_all(items)
    session.flush()
    session.add_all(orm.InvoiceLock(invoice_id=i.invoice_id, payment_id=payment_id, locked_at=now) for i in priced)
    try:
        session.flush()
    except IntegrityError:
        # Another payment locked one of these invoices between the check above and this insert.
        raise INVOICE_IN_TRANSIT(
            "An invoice of the payment already has a payment in transit.",
            errors={f"items.{n}.invoice_id": ["Another payment of this invoice may be in transit."] for n in range(len(requested))},
        ) from None

    try:
        started = ctx.banks[bank].start(
            PaymentStart(
                payment_id=payment_id,
                reference=payment.reference,
                amount=payment.total,
                concept=f"Pago de facturas {payment.reference}",
                return_url=ctx.return_url(payment_id),
                notify_url=ctx.notify_url(bank),
            )
        )
    except BankUnavailable as exc:
        log.warning("bank unavailable at payment start", extra=log_fields({"bank": bank, "error": str(exc)}))
        raise BANK_UNAVAILABLE(f"{bank} cannot be reached right now; nothing was charged. Try again in a moment.") from exc
    payment.bank_payment_id = started.bank_payment_id
    payment.redirect_url = started.redirect_url
    session.flush()

    ctx.outbox.add_event(session, payment_event("payment.initiated", payment, items, initiated_at=now))
    body = payment_view(payment, items)
    session.execute(
        sa.update(orm.IdempotencyKey)
        .where(orm.IdempotencyKey.customer_id == customer_id, orm.IdempotencyKey.key == key)
        .values(status_code=201, response_body=json.dumps(body), payment_id=payment_id)
    )
    log.info("payment started", extra=log_fields({"payment_id": str(payment_id), "bank": bank, "total": str(payment.total)}))
    return Answer(201, body)
