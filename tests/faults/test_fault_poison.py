"""Poison messages through the real processes: one that fails in billing's handler goes to the
dead-letter queue after its retries, one that is not an event goes there at once, and the
consumer keeps applying the good events published behind them."""
from __future__ import annotations

import json
import time
import uuid
from datetime import datetime, timezone

import pika
import pytest

from harness import CustomerProducer, Figures, assert_services_up, handled_counts, operator_at
from portal_shared.contracts import new_event
from stack import Stack, wait_until

pytestmark = pytest.mark.needs_processes("kills and restarts the suite's own servers and processes")

GOOD = 10


def payment_for_unknown_invoice():
    """A valid payment.confirmed that billing can never apply: it names no invoice billing has."""
    return new_event("payment.confirmed", 1, {
        "payment_id": uuid.uuid4(), "customer_id": uuid.uuid4(), "bank": "bbva", "reference": "PZ-FAULTS",
        "total_mxn": "10.00", "bank_reference": "BBVA-MP 000001", "confirmed_at": datetime.now(timezone.utc),
        "items": [{"invoice_id": uuid.uuid4(), "currency": "MXN", "amount": "10.00", "amount_mxn": "10.00"}],
    }, producer="payment-service")


def dead_letters(stack: Stack, queue: str) -> list[tuple[dict, bytes]]:
    """Every message in a dead-letter queue (headers, body), each put back afterwards."""
    connection = pika.BlockingConnection(pika.URLParameters(stack.amqp_url))
    found = []
    try:
        channel = connection.channel()
        while (got := channel.basic_get(queue, auto_ack=False))[0] is not None:
            method, properties, body = got
            found.append((properties.headers or {}, body))
        # Closing without acks returns them all to the queue.
    finally:
        connection.close()
    return found


def test_poison_message_is_dead_lettered_after_its_retries_and_the_rest_flows(stack: Stack, operator):
    queue = f"{stack.queue_prefix}billing-service"
    dlq = f"{queue}.dlq"
    retries = len(stack.procs["billing-consumer"].env["RETRY_DELAYS_MS"].split(","))
    before = stack.queue_depth(dlq)
    poison = payment_for_unknown_invoice()
    started = time.monotonic()
    stack.publish_raw(poison.routing_key, json.dumps(poison.to_message()).encode(), message_id=str(poison.id))
    stack.publish_raw("identity.customer.registered.v1", b"{not json", message_id="not-an-event")
    producer = CustomerProducer(operator_at(stack, "identity", operator), threads=1, limit=GOOD)
    good = [producer.register_one() for _ in range(GOOD)]
    assert all(good), producer.failures

    wait_until(lambda: stack.queue_depth(dlq) == before + 2, timeout=30, what="both poison messages dead-lettered")
    to_dlq = time.monotonic() - started
    wait_until(lambda: stack.scalar("billing", "SELECT count(*) FROM billing_accounts WHERE customer_id = ANY(CAST(:ids AS uuid[]))",
                                    ids=[c["id"] for c in good]) == 2 * GOOD, timeout=30, what="the good events applied")
    letters = {body: headers for headers, body in dead_letters(stack, dlq)}
    poisoned = next(h for b, h in letters.items() if str(poison.id).encode() in b)
    applied, _ = handled_counts(stack, "billing-consumer")

    figures = Figures("poison-message", sent=GOOD + 2, delivered=GOOD, lost=0, duplicated=0, recovery_seconds=None,
                      extra={"dead_lettered": stack.queue_depth(dlq) - before, "retries_before_dlq": poisoned.get("x-retry-count"),
                             "seconds_to_dlq": round(to_dlq, 2)})
    figures.report()
    assert poisoned["x-retry-count"] == retries, poisoned
    assert "handler failed after" in poisoned["x-error"]
    assert b"{not json" in letters and "invalid event" in letters[b"{not json"]["x-error"]
    assert applied[str(poison.id)] == 0
    assert stack.queue_depth(queue) == 0 or wait_until(lambda: stack.queue_depth(queue) == 0, what="queue drained")
    assert_services_up(stack)
