"""Event handlers: each takes (context, session, event) and runs inside the consumer's transaction.

The consumer records the event in the inbox in that same transaction, so a redelivered
event never reaches these functions; they are also idempotent on their own (natural keys),
because identity may publish the same facts again under a new event id.
"""
from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Session

from billing_service.adapters.orm import BillingAccount, Customer
from billing_service.config import SERVICE_NAME
from billing_service.domain.accounts import accounts_to_open, normalize_account_number
from billing_service.service_layer.context import BillingContext
from portal_shared.contracts import Event, new_event
from portal_shared.revocations import revoked_access_handler


def access_revoked(ctx: BillingContext, session: Session, event: Event) -> None:
    # The revocation list every service keeps: nothing of billing's context in it.
    revoked_access_handler()(session, event)


def customer_registered(ctx: BillingContext, session: Session, event: Event) -> list[BillingAccount]:
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
    now = ctx.clock()
    for number in accounts_to_open(customer_id, requested, holders):
        account = BillingAccount(id=uuid.uuid4(), customer_id=customer_id, account_number=number, opened_at=now)
        session.add(account)
        opened.append(account)
    # Rows before their announcements: a constraint failure must stop the outbox write too.
    session.flush()
    ctx.publish(session, [
        new_event(
            "billing.account.opened",
            1,
            {"account_id": account.id, "customer_id": customer_id, "account_number": account.account_number},
            producer=SERVICE_NAME,
            correlation_id=event.correlation_id,
        )
        for account in opened
    ])
    return opened
