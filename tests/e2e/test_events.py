"""Events between services over RabbitMQ: outbox to consumers, idempotency, dead letters, broker outage."""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from stack import Api, Stack, wait_until


def billing_accounts(stack: Stack, customer_id: str) -> int:
    return stack.scalar("billing", "SELECT count(*) FROM billing_accounts WHERE customer_id = :c", c=customer_id)


def test_customer_registered_reaches_billing_servicedesk_and_payment(stack: Stack, api: Api, activated_admin):
    customer, _email, _password, tokens = activated_admin()
    customer_id = customer["id"]

    accounts = wait_until(
        lambda: (r := api.get("/api/v1/accounts", token=tokens["access_token"])).status_code == 200
        and len(r.json()["items"]) == 2 and r.json()["items"],
        what="billing accounts through the gateway",
    )
    assert sorted(a["account_number"] for a in accounts) == sorted(customer["account_numbers"])
    wait_until(lambda: stack.scalar("servicedesk", "SELECT count(*) FROM customers WHERE id = :c", c=customer_id) == 1,
               what="servicedesk customer directory")
    # billing.account.opened, published by billing's own outbox, reaches payment: a second hop.
    wait_until(lambda: stack.scalar("payment", "SELECT count(*) FROM payable_accounts WHERE customer_id = :c",
                                    c=customer_id) == 2, what="payment's copy of the accounts")


def test_same_event_delivered_twice_has_one_effect(stack: Stack, register_customer):
    customer = register_customer()
    wait_until(lambda: billing_accounts(stack, customer["id"]) == 2, what="first delivery applied")
    with stack.db("identity").connect() as connection:
        row = connection.execute(
            sa.text(
                "SELECT topic, payload FROM outbox WHERE channel = 'events' AND topic LIKE 'identity.customer.registered.%' "
                "AND payload LIKE :rfc"),
            {"rfc": f"%{customer['rfc']}%"},
        ).one()
    message = json.loads(row.payload)

    stack.publish_raw(row.topic, row.payload.encode(), message_id=message["id"])
    stack.publish_raw(row.topic, row.payload.encode(), message_id=message["id"])
    # A later customer's event is applied only after the duplicates ahead of it were handled.
    marker = register_customer()
    wait_until(lambda: billing_accounts(stack, marker["id"]) == 2, what="marker event applied")

    assert billing_accounts(stack, customer["id"]) == 2
    assert stack.scalar("billing", "SELECT count(*) FROM inbox WHERE event_id = :e", e=message["id"]) == 1
    opened = stack.scalar(
        "billing", "SELECT count(*) FROM outbox WHERE topic LIKE 'billing.account.opened.%' AND payload LIKE :c",
        c=f"%{customer['id']}%")
    assert opened == 2


def test_poison_message_goes_to_dead_letter_queue_and_consumption_goes_on(stack: Stack, register_customer):
    dlq = f"{stack.queue_prefix}billing-service.dlq"
    before = stack.queue_depth(dlq)
    poison = {"id": "not-a-uuid", "type": "identity.customer.registered", "version": 1, "data": {"rfc": 7}}
    stack.publish_raw("identity.customer.registered.v1", json.dumps(poison).encode())
    wait_until(lambda: stack.queue_depth(dlq) == before + 1, what="poison message in billing's dead-letter queue")

    after = register_customer()
    wait_until(lambda: billing_accounts(stack, after["id"]) == 2, what="consumption after the poison message")


@pytest.mark.needs_processes("cuts the broker off through the suite's TCP proxy")
def test_broker_unreachable_sign_up_and_sign_in_keep_working_and_outbox_drains(stack: Stack, api: Api, register_customer):
    stack.broker_proxy.cut()
    try:
        customers = [register_customer() for _ in range(3)]
        for customer in customers:
            first = api.login(customer["rfc"], customer["rfc"])
            assert first["must_change_password"] is True
        unsent = stack.scalar("identity", "SELECT count(*) FROM outbox WHERE channel = 'events' AND sent_at IS NULL")
        assert unsent >= 3
        assert all(billing_accounts(stack, c["id"]) == 0 for c in customers)
    finally:
        stack.broker_proxy.restore()

    wait_until(lambda: stack.scalar("identity", "SELECT count(*) FROM outbox WHERE channel = 'events' AND sent_at IS NULL") == 0,
               timeout=60, what="identity's outbox drained after the broker came back")
    for customer in customers:
        wait_until(lambda c=customer: billing_accounts(stack, c["id"]) == 2, timeout=60,
                   what=f"billing accounts of {customer['rfc']} after the outage")
