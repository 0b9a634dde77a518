"""Event handlers: each takes (session, event) and runs inside the consumer's transaction.

The consumer records the event in the inbox in that same transaction, so a redelivered
event never reaches these functions; they are also idempotent on their own (natural keys,
versions), because billing may announce the same thing again under a new event id.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from payment_service.adapters import orm
from payment_service.domain.accounts import PayableAccount, is_already_known
from portal_shared.contracts import Event
from portal_shared.db import utcnow


def account_opened(session: Session, event: Event) -> None:
    """billing.account.opened v1: remember the account as payable."""
    data = event.data
    announced = PayableAccount(
        account_id=data["account_id"], customer_id=data["customer_id"], account_number=data["account_number"]
    )
    row = session.scalar(
        sa.select(orm.PayableAccount).where(
            sa.or_(
                orm.PayableAccount.account_id == announced.account_id,
                orm.PayableAccount.account_number == announced.account_number,
            )
        )
    )
    known = None if row is None else PayableAccount(row.account_id, row.customer_id, row.account_number)
    if is_already_known(known, announced):
        return
    session.add(
        orm.PayableAccount(
            account_id=announced.account_id,
            customer_id=announced.customer_id,
            account_number=announced.account_number,
            opened_at=event.occurred_at,
        )
    )
    session.flush()


class InvoiceNotKnownYet(Exception):
    """A balance change of an invoice whose issue has not arrived: raised so the message is
    retried with back-off (billing publishes the issue first, so it is on its way)."""


def invoice_issued(session: Session, event: Event) -> None:
    """billing.invoice.issued v1: a new payable invoice. A repeat (even under a new event id) is harmless."""
    data = event.data
    if session.get(orm.PayableInvoice, data["invoice_id"]) is not None:
        return
    session.add(
        orm.PayableInvoice(
            invoice_id=data["invoice_id"],
            customer_id=data["customer_id"],
            invoice_number=data["invoice_number"],
            account_number=data["account_number"],
            currency=data["currency"],
            amount=data["amount"],
            pending_amount=data["pending_amount"],
            status="paid" if data["pending_amount"] == 0 else "open",
            issue_date=data["issue_date"],
            due_date=data["due_date"],
            version=0,
            updated_at=utcnow(),
        )
    )
    session.flush()


def invoice_balance_changed(session: Session, event: Event) -> None:
    """billing.invoice.balance_changed v1: keep the newest balance (highest version) only."""
    data = event.data
    invoice = session.get(orm.PayableInvoice, data["invoice_id"], with_for_update=True)
    if invoice is None:
        raise InvoiceNotKnownYet(f"balance of invoice {data['invoice_id']} changed before it was issued here")
    if data["version"] <= invoice.version:
        return
    invoice.pending_amount = data["pending_amount"]
    invoice.status = data["status"]
    invoice.version = data["version"]
    invoice.updated_at = utcnow()
    session.flush()


def exchange_rate_set(session: Session, event: Event) -> None:
    """billing.exchange_rate.set v1: the rate of a day, new or corrected."""
    data = event.data
    row = session.get(orm.ExchangeRate, data["date"], with_for_update=True)
    if row is None:
        session.add(orm.ExchangeRate(rate_date=data["date"], rate=data["rate"], recorded_at=utcnow()))
    else:
        row.rate = data["rate"]
        row.recorded_at = utcnow()
    session.flush()
