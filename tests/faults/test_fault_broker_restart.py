"""RabbitMQ restarted (stop_app, start_app on the suite's own node) during 200 payments: every
confirmed payment is settled at billing exactly once; relays and consumers reconnect by themselves."""
from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import requests
import pytest

from harness import Figures, assert_services_up, handled_counts
from stack import Api, Stack, wait_until

pytestmark = pytest.mark.needs_processes("kills and restarts the suite's own servers and processes")

PAYMENTS = 200
STOP_AT, START_AT = 50, 110  # confirmed payments when the broker goes down, and when it comes back


def pay(api: Api, token: str, invoice: dict) -> str | None:
    """One payment of one invoice at BBVA's simulator; its id once the bank confirmed it, else None."""
    started = api.post("/api/v1/payments", {"bank": "bbva", "items": [{"invoice_id": invoice["id"], "amount": invoice["pending_amount"]}]},
                       token=token, headers={"Idempotency-Key": uuid.uuid4().hex})
    assert started.status_code == 201, started.text
    paid = started.json()
    answer = requests.post(paid["redirect_url"], data={"outcome": "approve", "email": "tesoreria@example.com", "phone": "5512345678"},
                           allow_redirects=False, timeout=15)
    assert answer.status_code in (302, 303), answer.text
    return paid["id"]


def test_broker_restart_during_200_payments_settles_each_once(stack: Stack, servers, api: Api, billing_customer):
    _postgres, rabbit = servers
    # Two customers of 100 invoices each (what one page of billing's invoice list shows).
    customers = [billing_customer([("MXN", "100.00")] * (PAYMENTS // 2)) for _ in range(2)]
    work = [(c.token, invoice) for c in customers for invoice in c.invoices]
    customer_ids = [c.customer["id"] for c in customers]
    confirmed: list[str] = []
    lock = threading.Lock()
    marks: dict[str, float] = {}

    def confirmed_count() -> int:
        return stack.scalar("payment", "SELECT count(*) FROM payments WHERE customer_id = ANY(CAST(:c AS uuid[])) AND status = 'confirmed'",
                            c=customer_ids)

    def settled(ids: list[str]) -> int:
        return stack.scalar("billing", "SELECT count(DISTINCT payment_id) FROM payment_applications WHERE state = 'applied' "
                                       "AND payment_id = ANY(CAST(:ids AS uuid[]))", ids=ids)

    def broker_outage():
        wait_until(lambda: confirmed_count() >= STOP_AT, timeout=120, interval=0.05, what="payments before the outage")
        rabbit.stop_app()
        marks["down"] = time.monotonic()
        wait_until(lambda: confirmed_count() >= START_AT, timeout=120, interval=0.05, what="payments during the outage")
        rabbit.start_app()
        marks["up"] = time.monotonic()
        with lock:
            before_back = list(confirmed)
        # Recovery: every payment confirmed while the broker was away (or before) settled at billing.
        wait_until(lambda: settled(before_back) == len(before_back), timeout=90, interval=0.1,
                   what="billing settles what was confirmed before the broker came back")
        marks["recovered"] = time.monotonic()

    def one(job):
        payment_id = pay(api, *job)
        with lock:
            confirmed.append(payment_id)

    outage = threading.Thread(target=broker_outage, daemon=True)
    outage.start()
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(one, work))
    outage.join(timeout=180)
    assert "recovered" in marks, f"broker outage did not complete: {marks}"

    wait_until(lambda: confirmed_count() == PAYMENTS, timeout=60, what="every payment confirmed at payment-service")
    wait_until(lambda: settled(confirmed) == PAYMENTS, timeout=90, what="every payment settled at billing")
    applications = stack.scalar("billing", "SELECT count(*) FROM payment_applications WHERE state = 'applied' "
                                           "AND payment_id = ANY(CAST(:ids AS uuid[]))", ids=confirmed)
    pending = stack.scalar("billing", "SELECT coalesce(sum(pending_amount), 0) FROM invoices "
                                      "WHERE customer_id = ANY(CAST(:c AS uuid[]))", c=customer_ids)
    paid = stack.scalar("billing", "SELECT count(*) FROM invoices WHERE customer_id = ANY(CAST(:c AS uuid[])) AND status = 'paid'",
                        c=customer_ids)
    confirmed_events = stack.scalar("payment", "SELECT array_agg(message_id) FROM outbox WHERE topic = 'payment.confirmed.v1' "
                                               "AND payload LIKE ANY(:c)", c=[f"%{i}%" for i in customer_ids])
    announced = len(confirmed_events)
    applied, ignored = handled_counts(stack, "billing-consumer")
    twice = {e: applied[e] for e in confirmed_events if applied[e] > 1}
    figures = Figures("broker-restart", sent=PAYMENTS, delivered=settled(confirmed), lost=PAYMENTS - settled(confirmed),
                      duplicated=(applications - PAYMENTS) + len(twice),
                      recovery_seconds=marks["recovered"] - marks["up"],
                      extra={"outage_seconds": round(marks["up"] - marks["down"], 2), "paid_during_outage": START_AT - STOP_AT,
                             "redeliveries_ignored_by_inbox": sum(ignored[e] for e in confirmed_events)})
    figures.report()
    assert figures.lost == 0 and figures.duplicated == 0, figures
    assert (announced, paid, Decimal(pending)) == (PAYMENTS, PAYMENTS, Decimal("0")), "one confirmation each, every invoice paid"
    assert_services_up(stack)
