"""One correlation id followed through every process a payment start touches: the gateway, payment's
web tier, its outbox row and the message its relay publishes, and billing's consumer."""
from __future__ import annotations

import json
import uuid

import pytest

from stack import Stack, wait_until



def log_lines_with(stack: Stack, process: str, correlation_id: str) -> list[dict]:
    """The JSON log lines of one process that carry this correlation id (others: gunicorn's own)."""
    found = []
    for line in stack.log(process).splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("correlation_id") == correlation_id:
            found.append(entry)
    return found


@pytest.mark.needs_processes("reads the log files of the processes the suite started")
def test_a_payment_start_is_followed_by_its_correlation_id_through_every_process(stack: Stack, api, billing_customer):
    customer = billing_customer([("MXN", "320.00")])
    target = customer.invoices[0]
    cid = f"e2e-corr-{uuid.uuid4().hex[:12]}"

    started = api.post("/api/v1/payments", {"bank": "bbva", "items": [{"invoice_id": target["id"], "amount": "320.00"}]},
                       token=customer.token, headers={"Idempotency-Key": uuid.uuid4().hex, "X-Correlation-ID": cid})
    assert started.status_code == 201, started.text
    assert started.headers["X-Correlation-ID"] == cid
    payment_id = started.json()["id"]

    # The outbox row of payment.initiated, and the envelope inside it, carry the id.
    row = stack.scalar("payment", "SELECT correlation_id FROM outbox WHERE topic LIKE 'payment.initiated.%' "
                                  "AND payload LIKE :p", p=f"%{payment_id}%")
    assert row == cid
    payload = stack.scalar("payment", "SELECT payload FROM outbox WHERE topic LIKE 'payment.initiated.%' "
                                      "AND payload LIKE :p", p=f"%{payment_id}%")
    assert json.loads(payload)["correlation_id"] == cid

    def seen(process: str, message: str) -> list[dict]:
        return [entry for entry in log_lines_with(stack, process, cid) if entry.get("message") == message]

    gateway = wait_until(lambda: seen("gateway", "request"), what="the gateway's access line")
    assert gateway[0]["path"] == "/api/v1/payments" and gateway[0]["status"] == 201
    web = wait_until(lambda: seen("payment-web", "request"), what="payment's access line")
    assert web[0]["path"] == "/api/v1/payments" and web[0]["service"] == "payment-service"
    relayed = wait_until(lambda: seen("payment-relay", "outbox row sent"), what="payment's relay sending the event")
    assert {entry["topic"] for entry in relayed} == {"payment.initiated.v1"}
    handled = wait_until(lambda: seen("billing-consumer", "event handled"), what="billing's consumer handling it")
    assert {entry["event_type"] for entry in handled} == {"payment.initiated"}
    assert {entry["event_id"] for entry in handled} == {entry["message_id"] for entry in relayed}
