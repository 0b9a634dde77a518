"""billing.account.opened v1 → payment's copy of the payable account, once."""
from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from payment_service.adapters.orm import INBOX, PayableAccount
from payment_service.domain.accounts import ConflictingAccount
from portal_shared.db import transaction


def payable(session_factory, **where) -> list[tuple]:
    with transaction(session_factory) as session:
        query = sa.select(PayableAccount.account_id, PayableAccount.customer_id, PayableAccount.account_number)
        for column, value in where.items():
            query = query.where(getattr(PayableAccount, column) == value)
        return list(session.execute(query).tuples())


def inbox_rows(session_factory, event) -> int:
    with transaction(session_factory) as session:
        return session.scalar(sa.select(sa.func.count()).select_from(INBOX).where(INBOX.c.event_id == str(event.id)))


def test_announcement_creates_the_payable_account(announcement, deliver, session_factory):
    event = announcement()

    assert deliver(event) is True

    data = event.data
    assert payable(session_factory, account_id=data["account_id"]) == [
        (data["account_id"], data["customer_id"], data["account_number"])
    ]
    with transaction(session_factory) as session:
        row = session.get(PayableAccount, data["account_id"])
        assert row.opened_at == event.occurred_at
    assert inbox_rows(session_factory, event) == 1


def test_redelivery_through_the_inbox_changes_nothing(announcement, deliver, session_factory):
    event = announcement()
    deliver(event)
    before = payable(session_factory, customer_id=event.data["customer_id"])

    assert deliver(event) is False

    assert payable(session_factory, customer_id=event.data["customer_id"]) == before
    assert inbox_rows(session_factory, event) == 1


def test_same_account_under_a_new_event_id_is_harmless(announcement, deliver, session_factory):
    first = announcement()
    deliver(first)
    again = announcement(**first.data)

    assert deliver(again) is True

    assert len(payable(session_factory, account_id=first.data["account_id"])) == 1


def test_several_accounts_of_one_customer(announcement, deliver, session_factory):
    customer = uuid.uuid4()
    events = [announcement(customer_id=customer) for _ in range(3)]
    for event in events:
        deliver(event)
    assert {row[2] for row in payable(session_factory, customer_id=customer)} == {
        e.data["account_number"] for e in events
    }


@pytest.mark.parametrize("changed", ["customer_id", "account_id"])
def test_contradicting_announcement_is_refused_and_nothing_is_written(announcement, deliver, session_factory, changed):
    first = announcement()
    deliver(first)
    contradiction = announcement(**{**first.data, changed: uuid.uuid4()})

    with pytest.raises(ConflictingAccount):
        deliver(contradiction)

    assert payable(session_factory, account_number=first.data["account_number"]) == [
        (first.data["account_id"], first.data["customer_id"], first.data["account_number"])
    ]
    assert inbox_rows(session_factory, contradiction) == 0
