"""Event handlers: each takes (session, event) and runs inside the consumer's transaction.

The consumer records the event in the inbox in that same transaction, so a redelivered
event never reaches these functions; they are also idempotent on their own (natural keys),
because identity may publish the same facts again under a new event id.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from billing_service.adapters.orm import OUTBOX, BillingAccount, Customer
from billing_service.config import SERVICE_NAME
from billing_service.domain.accounts import accounts_to_open, normalize_account_number
from portal_shared.contracts import Event, new_event
from portal_shared.db import utcnow
from portal_shared.outbox import Outbox

Publish = Callable[[Session, Event], None]

_outbox = Outbox(OUTBOX)


def customer_registered(
    session: Session, event: Event, *, publish: Publish = _outbox.add_event
) -> list[BillingAccount]:
    """identity.customer.registered v1: the customer directory row and one account per number.

    billing.account.opened v1 goes into the outbox for each account opened here, in the
    same transaction, so the announcement exists exactly when the account does.
    """
    data = event.data
    customer_id: uuid.UUID = data["customer_id"]
    customer = session.get(Customer, customer_id)
    if customer is None:
        customer = Customer(
            id=customer_id,
            rfc=data["rfc"].strip().upper(),
            name=data["name"],
            system_account_number=data["system_account_number"],
            registered_at=event.occurred_at,
        )
        session.add(customer)

    requested = [normalize_account_number(number) for number in data["account_numbers"]]
    holders = {
        number: holder
        for number, holder in session.execute(
            sa.select(BillingAccount.account_number, BillingAccount.customer_id).where(
                BillingAccount.account_number.in_(requested)
            )
        )
    }
    opened: list[BillingAccount] = []
    for number in accounts_to_open(customer_id, requested, holders):
        account = BillingAccount(id=uuid.uuid4(), customer_id=customer_id, account_number=number, opened_at=utcnow())
        session.add(account)
        opened.append(account)
    # Rows before their announcements: a constraint failure must stop the outbox write too.
    session.flush()
    for account in opened:
        publish(
            session,
            new_event(
                "billing.account.opened",
                1,
                {"account_id": account.id, "customer_id": customer_id, "account_number": account.account_number},
                producer=SERVICE_NAME,
                correlation_id=event.correlation_id,
            ),
        )
    return opened
