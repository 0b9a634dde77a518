"""Reading payments: one payment and the history. Reading never changes a payment: asking the
bank is the status check's (settlement.check_with_bank) or the reconciler's."""
from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from payment_service.adapters import orm
from payment_service.domain.lifecycle import CONFIRMED, PENDING
from payment_service.service_layer.context import PaymentContext
from payment_service.service_layer.errors import NOT_FOUND
from payment_service.service_layer.settlement import items_of
from payment_service.service_layer.views import history_view, payment_view
from portal_shared.db import transaction
from portal_shared.mexico import MEXICO_CITY


def scoped_payment(session: Session, payment_id: uuid.UUID, customer_id: uuid.UUID | None) -> orm.Payment:
    payment = session.get(orm.Payment, payment_id)
    # Another customer's payment is reported exactly like one that does not exist.
    if payment is None or (customer_id is not None and payment.customer_id != customer_id):
        raise NOT_FOUND("No such payment.")
    return payment


def get_payment(ctx: PaymentContext, payment_id: uuid.UUID, *, customer_id: uuid.UUID | None) -> dict:
    """The payment as payment-service knows it. customer_id None: staff, who may read any customer's."""
    with transaction(ctx.session_factory) as session:
        payment = scoped_payment(session, payment_id, customer_id)
        return payment_view(payment, items_of(session, payment_id))


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=MEXICO_CITY)


def history(
    ctx: PaymentContext,
    *,
    customer_id: uuid.UUID,
    account: str | None,
    date_from: date | None,
    date_to: date | None,
    page: int,
    page_size: int,
) -> dict:
    """Settled payments newest first; dates are days in Mexico City, both ends included."""
    conditions = [orm.Payment.customer_id == customer_id, orm.Payment.status == CONFIRMED]
    if account:
        conditions.append(
            sa.exists().where(orm.PaymentItem.payment_id == orm.Payment.id, orm.PaymentItem.account_number == account)
        )
    if date_from:
        conditions.append(orm.Payment.confirmed_at >= _day_start(date_from))
    if date_to:
        conditions.append(orm.Payment.confirmed_at < _day_start(date_to + timedelta(days=1)))
    with transaction(ctx.session_factory) as session:
        total = session.scalar(sa.select(sa.func.count()).select_from(orm.Payment).where(*conditions))
        payments = list(
            session.scalars(
                sa.select(orm.Payment)
                .where(*conditions)
                .order_by(orm.Payment.confirmed_at.desc(), orm.Payment.id)
                .offset((page - 1) * page_size)
                .limit(page_size)
            )
        )
        items_by_payment: dict[uuid.UUID, list[orm.PaymentItem]] = defaultdict(list)
        if payments:
            for item in session.scalars(
                sa.select(orm.PaymentItem)
                .where(orm.PaymentItem.payment_id.in_([p.id for p in payments]))
                .order_by(orm.PaymentItem.payment_id, orm.PaymentItem.position)
            ):
                items_by_payment[item.payment_id].append(item)
        return {
            "items": [history_view(p, items_by_payment[p.id]) for p in payments],
            "page": page,
            "page_size": page_size,
            "total": total,
        }


def in_transit(ctx: PaymentContext, *, customer_id: uuid.UUID) -> dict:
    """The customer's payments still waiting for their bank, oldest first: what keeps invoices in
    transit, where, since when, and what can be cancelled."""
    with transaction(ctx.session_factory) as session:
        payments = list(session.scalars(
            sa.select(orm.Payment)
            .where(orm.Payment.customer_id == customer_id, orm.Payment.status == PENDING)
            .order_by(orm.Payment.created_at, orm.Payment.id)
        ))
        return {"items": [payment_view(payment, items_of(session, payment.id)) for payment in payments]}
