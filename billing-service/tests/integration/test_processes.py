"""billing-consumer and billing-relay as real processes on RabbitMQ and PostgreSQL.

identity.customer.registered goes in through the broker; billing.account.opened comes out
through the outbox and the relay. The exchange and queues are this test's own.
"""
from __future__ import annotations

import sqlalchemy as sa

from billing_service.adapters.orm import BillingAccount
from portal_shared.db import transaction
from portal_shared.testing.service import poll_until


def test_registration_through_the_broker_opens_accounts_and_announces_them(
    broker, processes, registration, session_factory
):
    announcements = broker.listen("billing.account.opened.v1")
    processes.start("billing-consumer")
    processes.start("billing-relay")
    broker.wait_for_consumer()

    event = registration()
    broker.publish(event)

    def accounts():
        with transaction(session_factory) as session:
            return set(session.scalars(
                sa.select(BillingAccount.account_number).where(BillingAccount.customer_id == event.data["customer_id"])
            ))

    assert poll_until(accounts, what="billing accounts opened by the consumer") == set(event.data["account_numbers"])

    # The relay drains every unsent outbox row, including those earlier tests left in this database.
    mine = str(event.data["customer_id"])
    received = []

    def collect():
        received.extend(m for m in broker.take(announcements) if m["data"]["customer_id"] == mine)
        return len(received) == len(event.data["account_numbers"])

    poll_until(collect, what="billing.account.opened published by the relay")
    assert {m["data"]["account_number"] for m in received} == set(event.data["account_numbers"])
    assert {m["producer"] for m in received} == {"billing-service"}


def test_payment_events_through_the_broker_settle_invoices_and_announce_balances(
    broker, processes, new_customer, row, import_invoices, payment, session_factory
):
    import uuid

    from billing_service.adapters.orm import Invoice

    customer = new_customer()
    (invoice,) = import_invoices([row(customer["account_numbers"][0], amount="500.00")], customer["customer_id"])
    changes = broker.listen("billing.invoice.balance_changed.v1")
    processes.start("billing-consumer")
    processes.start("billing-relay")
    broker.wait_for_consumer()

    payment_id = uuid.uuid4()
    items = [{"invoice_id": invoice["id"], "currency": "MXN", "amount": "500.00"}]
    confirmed = payment("confirmed", payment_id=payment_id, customer_id=customer["customer_id"], items=items)
    # Out of order and twice: the confirmation first, the initiation after, the confirmation again.
    broker.publish(confirmed)
    broker.publish(payment("initiated", payment_id=payment_id, customer_id=customer["customer_id"], items=items))
    broker.publish(confirmed)

    def settled():
        with transaction(session_factory) as session:
            found = session.get(Invoice, uuid.UUID(invoice["id"]))
            return (found.status, str(found.pending_amount), str(found.in_transit_amount)) == ("paid", "0.00", "0.00")

    poll_until(settled, what="the invoice paid by the consumer")
    received = []

    def announced():
        received.extend(m for m in broker.take(changes) if m["data"]["invoice_id"] == invoice["id"])
        return received

    poll_until(announced, what="billing.invoice.balance_changed published by the relay")
    assert [(m["data"]["status"], m["data"]["version"]) for m in received] == [("paid", 2)]
