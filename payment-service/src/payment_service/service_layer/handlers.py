"""Event handlers: each takes (session, event) and runs inside the consumer's transaction.

The consumer records the event in the inbox in that same transaction, so a redelivered
event never reaches these functions; they are also idempotent on their own (natural keys),
because billing may announce the same account again under a new event id.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from payment_service.adapters import orm
from payment_service.domain.accounts import PayableAccount, is_already_known
from portal_shared.contracts import Event


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
