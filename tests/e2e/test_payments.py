"""Paying invoices end to end over real HTTP: gateway, billing, payment, the bank simulators,
RabbitMQ and PostgreSQL, every process real."""
from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from urllib.parse import urlparse

import pytest
import requests

from stack import BANK_SECRETS, Api, Stack, wait_until


def start_payment(api: Api, token: str, bank: str, items: list[dict], key: str | None = None) -> requests.Response:
    return api.post("/api/v1/payments", {"bank": bank, "items": items}, token=token,
                    headers={"Idempotency-Key": key or uuid.uuid4().hex})


def invoice(api: Api, token: str, invoice_id: str) -> dict:
    response = api.get(f"/api/v1/invoices/{invoice_id}", token=token)
    assert response.status_code == 200, response.text
    return response.json()


def amounts(api: Api, token: str, invoice_id: str) -> tuple[Decimal, Decimal, str]:
    found = invoice(api, token, invoice_id)
    return Decimal(found["pending_amount"]), Decimal(found["in_transit_amount"]), found["status"]


def payment(api: Api, token: str, payment_id: str) -> dict:
    response = api.get(f"/api/v1/payments/{payment_id}", token=token)
    assert response.status_code == 200, response.text
    return response.json()


def bank_payment_id(stack: Stack, payment_id: str) -> str:
    return stack.scalar("payment", "SELECT bank_payment_id FROM payments WHERE id = CAST(:p AS uuid)", p=payment_id)


def answer_at_bank(redirect_url: str, bank: str, outcome: str) -> requests.Response:
    """What the customer does on the bank's page, posted as its form would post it."""
    fields = {"outcome": outcome, "email": "tesoreria@example.com"}
    fields.update({"client_number": "12345678", "nip": "1234"} if bank == "citibanamex" else {"phone": "5512345678"})
    return requests.post(redirect_url, data=fields, allow_redirects=False, timeout=15)


def signed_callback(stack: Stack, bank: str, body: dict, *, timestamp: int | None = None, secret: str | None = None):
    raw = json.dumps(body).encode()
    stamp = str(timestamp if timestamp is not None else int(time.time()))
    signature = hmac.new((secret or BANK_SECRETS[bank]).encode(), stamp.encode() + b"." + raw, hashlib.sha256).hexdigest()
    return requests.post(f"{stack.gateway_url}/api/v1/payments/callbacks/{bank}", data=raw, timeout=10,
                         headers={"Content-Type": "application/json", "X-Bank-Timestamp": stamp, "X-Bank-Signature": signature})


def outbox_count(stack: Stack, topic: str, payment_id: str) -> int:
    return stack.scalar("payment", "SELECT count(*) FROM outbox WHERE topic LIKE :t AND payload LIKE :p",
                        t=f"{topic}.%", p=f"%{payment_id}%")


def test_fifty_concurrent_starts_for_one_invoice_accept_exactly_one(stack: Stack, api: Api, billing_customer):
    customer = billing_customer([("MXN", "1500.00")])
    target = customer.invoices[0]

    def attempt(_):
        return start_payment(api, customer.token, "bbva", [{"invoice_id": target["id"], "amount": "1500.00"}]).status_code

    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(attempt, range(50)))
    assert statuses.count(201) == 1, statuses
    assert set(statuses) <= {201, 409}, statuses
    wait_until(lambda: amounts(api, customer.token, target["id"])[1] == Decimal("1500.00"),
               what="billing shows the one payment in transit")


def test_same_callback_three_times_settles_once_and_forgeries_change_nothing(stack: Stack, api: Api, billing_customer):
    customer = billing_customer([("MXN", "1000.00")])
    target = customer.invoices[0]
    started = start_payment(api, customer.token, "citibanamex", [{"invoice_id": target["id"], "amount": "400.00"}])
    assert started.status_code == 201, started.text
    paid = started.json()
    body = {"bank_payment_id": bank_payment_id(stack, paid["id"]), "reference": paid["reference"], "status": "approved",
            "bank_reference": "BC-Banamex 063197", "email": "tesoreria@example.com", "amount": paid["total"]}

    forged = signed_callback(stack, "citibanamex", body, secret="not-the-bank")
    stale = signed_callback(stack, "citibanamex", body, timestamp=int(time.time()) - 3600)
    unsigned = requests.post(f"{stack.gateway_url}/api/v1/payments/callbacks/citibanamex", json=body, timeout=10)
    assert [forged.status_code, stale.status_code, unsigned.status_code] == [401, 401, 401]
    # Correctly signed (a leaked secret would do), but the simulator reports the payment pending:
    # the bank's own status API is asked, and nothing changes.
    unconfirmed = signed_callback(stack, "citibanamex", body)
    assert unconfirmed.status_code == 409, unconfirmed.text
    assert stack.scalar("payment", "SELECT status FROM payments WHERE id = CAST(:p AS uuid)", p=paid["id"]) == "pending"
    assert outbox_count(stack, "payment.confirmed", paid["id"]) == 0

    # The customer approves at the bank (its own notification lost); the bank then signs the
    # notification with its reference, and the same one arrives three times.
    answer_at_bank(paid["redirect_url"], "citibanamex", "approve_without_notice")
    at_the_bank = requests.get(f"{stack.bank_urls['citibanamex']}/api/payments/{body['bank_payment_id']}", timeout=10).json()
    body["bank_reference"] = at_the_bank["bank_reference"]
    answers = [signed_callback(stack, "citibanamex", body).status_code for _ in range(3)]
    assert all(code == 200 for code in answers), answers
    wait_until(lambda: amounts(api, customer.token, target["id"]) == (Decimal("600.00"), Decimal("0.00"), "open"),
               what="billing applied the payment once")
    assert payment(api, customer.token, paid["id"])["bank_reference"] == at_the_bank["bank_reference"]
    assert outbox_count(stack, "payment.confirmed", paid["id"]) == 1
    receipts = stack.wait_for_mail("tesoreria@example.com")
    assert any(paid["reference"] in mail["text"] for mail in receipts)


def test_declined_payment_releases_the_invoices(stack: Stack, api: Api, billing_customer):
    customer = billing_customer([("MXN", "250.00"), ("USD", "10.00")])
    items = [{"invoice_id": inv["id"], "amount": inv["pending_amount"]} for inv in customer.invoices]
    started = start_payment(api, customer.token, "citibanamex", items)
    assert started.status_code == 201, started.text
    paid = started.json()
    assert Decimal(paid["total"]) == Decimal("250.00") + Decimal("175.00")  # 10 USD at 17.5000

    back = answer_at_bank(paid["redirect_url"], "citibanamex", "decline")
    assert back.status_code in (302, 303)
    assert urlparse(back.headers["Location"]).path == "/payments/return"
    wait_until(lambda: payment(api, customer.token, paid["id"])["status"] == "failed", what="payment failed")
    for inv in customer.invoices:
        wait_until(lambda i=inv: amounts(api, customer.token, i["id"])[1] == 0, what="in-transit released at billing")
    again = start_payment(api, customer.token, "bbva", items)
    assert again.status_code == 201, again.text


def test_lost_callback_is_settled_by_reconciliation(stack: Stack, api: Api, billing_customer):
    customer = billing_customer([("USD", "20.00")])
    target = customer.invoices[0]
    started = start_payment(api, customer.token, "bbva", [{"invoice_id": target["id"], "amount": "20.00"}])
    assert started.status_code == 201, started.text
    paid = started.json()

    answer_at_bank(paid["redirect_url"], "bbva", "approve_without_notice")
    # Nobody reads the payment: only the reconciliation job can learn the bank's answer.
    wait_until(lambda: stack.scalar("payment", "SELECT status FROM payments WHERE id = CAST(:p AS uuid)", p=paid["id"]) == "confirmed",
               timeout=30, what="reconciliation settles the payment")
    wait_until(lambda: amounts(api, customer.token, target["id"]) == (Decimal("0.00"), Decimal("0.00"), "paid"),
               what="billing marks the invoice paid")
    history = api.get("/api/v1/payments", token=customer.token, params={"account": customer.account})
    assert history.status_code == 200
    [entry] = [p for p in history.json()["items"] if p["id"] == paid["id"]]
    assert entry["bank_reference"].startswith("BBVA-MP ")


@pytest.mark.needs_processes("cuts the broker off through the suite's TCP proxy")
def test_broker_unreachable_mid_payment_settles_once_it_is_back(stack: Stack, api: Api, billing_customer):
    customer = billing_customer([("MXN", "800.00")])
    target = customer.invoices[0]
    started = start_payment(api, customer.token, "bbva", [{"invoice_id": target["id"], "amount": "800.00"}])
    assert started.status_code == 201, started.text
    paid = started.json()
    wait_until(lambda: amounts(api, customer.token, target["id"])[1] == Decimal("800.00"), what="in transit at billing")

    stack.broker_proxy.cut()
    try:
        answer_at_bank(paid["redirect_url"], "bbva", "approve")
        wait_until(lambda: payment(api, customer.token, paid["id"])["status"] == "confirmed", what="payment confirmed")
        assert amounts(api, customer.token, target["id"])[2] == "open"  # billing has not heard yet
    finally:
        stack.broker_proxy.restore()

    wait_until(lambda: amounts(api, customer.token, target["id"]) == (Decimal("0.00"), Decimal("0.00"), "paid"),
               timeout=60, what="billing settles the invoice after the broker is back")
    assert outbox_count(stack, "payment.confirmed", paid["id"]) == 1
