"""identity.customer.registered v1 → customer row, billing accounts and billing.account.opened v1 in the outbox."""
from __future__ import annotations

import json
import uuid
from dataclasses import replace

import pytest
import sqlalchemy as sa

from billing_service.adapters.orm import INBOX, OUTBOX, BillingAccount, Customer
from billing_service.domain.accounts import AccountNumberTaken
from billing_service.service_layer import handlers
from portal_shared.contracts import parse_event
from portal_shared.db import transaction


def accounts_of(session_factory, customer_id):
    with transaction(session_factory) as session:
        return {
            a.account_number: a.id
            for a in session.scalars(sa.select(BillingAccount).where(BillingAccount.customer_id == customer_id))
        }


def announcements_for(session_factory, customer_id) -> list[dict]:
    """billing.account.opened messages in the outbox for one customer, parsed as a consumer would."""
    with transaction(session_factory) as session:
        rows = session.execute(
            sa.select(OUTBOX.c.topic, OUTBOX.c.payload, OUTBOX.c.sent_at).order_by(OUTBOX.c.seq)
        ).all()
    found = []
    for topic, payload, sent_at in rows:
        message = json.loads(payload)
        if message["data"].get("customer_id") == str(customer_id):
            assert topic == "billing.account.opened.v1"
            assert sent_at is None
            found.append(message)
    return found


def test_registration_creates_customer_accounts_and_announcements(registration, deliver, session_factory):
    event = registration(account_numbers=[f"00{uuid.uuid4().int % 10**6:06d}", f"01{uuid.uuid4().int % 10**6:06d}"])
    data = event.data

    assert deliver(event) is True

    with transaction(session_factory) as session:
        customer = session.get(Customer, data["customer_id"])
        assert (customer.rfc, customer.name, customer.system_account_number) == (
            data["rfc"], data["name"], data["system_account_number"],
        )
    accounts = accounts_of(session_factory, data["customer_id"])
    assert set(accounts) == set(data["account_numbers"])

    messages = announcements_for(session_factory, data["customer_id"])
    assert len(messages) == 2
    for message in messages:
        opened = parse_event(message)
        assert (opened.type, opened.version, opened.producer) == ("billing.account.opened", 1, "billing-service")
        assert opened.correlation_id == event.correlation_id
        assert accounts[opened.data["account_number"]] == opened.data["account_id"]


def test_redelivery_through_the_inbox_changes_nothing(registration, deliver, session_factory):
    event = registration()
    assert deliver(event) is True
    accounts = accounts_of(session_factory, event.data["customer_id"])
    messages = announcements_for(session_factory, event.data["customer_id"])

    assert deliver(event) is False

    assert accounts_of(session_factory, event.data["customer_id"]) == accounts
    assert announcements_for(session_factory, event.data["customer_id"]) == messages
    with transaction(session_factory) as session:
        assert session.scalar(
            sa.select(sa.func.count()).select_from(INBOX).where(INBOX.c.event_id == str(event.id))
        ) == 1


def test_same_facts_under_a_new_event_id_open_only_new_accounts(registration, deliver, session_factory):
    first = registration()
    deliver(first)
    added = uuid.uuid4().hex[:12]
    again = registration(
        customer_id=first.data["customer_id"], account_numbers=[*first.data["account_numbers"], added]
    )

    assert deliver(again) is True

    accounts = accounts_of(session_factory, first.data["customer_id"])
    assert set(accounts) == {*first.data["account_numbers"], added}
    announced = [m["data"]["account_number"] for m in announcements_for(session_factory, first.data["customer_id"])]
    assert sorted(announced) == sorted([*first.data["account_numbers"], added])


def test_account_number_of_another_customer_is_refused_and_nothing_is_written(
    registration, deliver, session_factory
):
    taken = uuid.uuid4().hex[:12]
    deliver(registration(account_numbers=[taken]))
    intruder = registration(account_numbers=[uuid.uuid4().hex[:12], taken])

    with pytest.raises(AccountNumberTaken):
        deliver(intruder)

    with transaction(session_factory) as session:
        assert session.get(Customer, intruder.data["customer_id"]) is None
        assert session.scalar(
            sa.select(sa.func.count()).select_from(INBOX).where(INBOX.c.event_id == str(intruder.id))
        ) == 0
    assert announcements_for(session_factory, intruder.data["customer_id"]) == []


def test_handler_publishes_through_what_it_is_given(registration, session_factory, context):
    """The outbox is only what the processes build: the handler announces through its context's publisher."""
    event = registration()
    published = []
    recording = replace(context, publish=lambda _s, events: published.extend(events))
    with transaction(session_factory) as session:
        opened = handlers.customer_registered(recording, session, event)
    assert sorted(e.data["account_number"] for e in published) == sorted(a.account_number for a in opened)
    assert announcements_for(session_factory, event.data["customer_id"]) == []
