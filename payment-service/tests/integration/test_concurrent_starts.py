"""50 starts of a payment for one invoice at the same moment, against a real threaded server on
PostgreSQL: the invoice_locks primary key lets exactly one through; the rest are 409."""
from __future__ import annotations

import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import requests
import sqlalchemy as sa

from payment_service.adapters import orm
from portal_shared.db import transaction

STARTS = 50


def test_fifty_concurrent_starts_for_one_invoice_accept_exactly_one(live, bearer, issue, customer, session_factory):
    server = live()
    invoice = issue(customer, amount="5000.00")
    headers = bearer("billing", customer_id=customer)
    barrier = threading.Barrier(STARTS)

    def start(n: int) -> int:
        body = {"bank": "bbva" if n % 2 else "citibanamex", "items": [{"invoice_id": str(invoice), "amount": "100.00"}]}
        with requests.Session() as http:
            barrier.wait(timeout=20)
            response = http.post(
                f"{server.url}/api/v1/payments",
                json=body,
                headers={**headers, "Idempotency-Key": f"start-{n}-{uuid.uuid4().hex}"},
                timeout=40,
            )
        return response.status_code

    with ThreadPoolExecutor(max_workers=STARTS) as pool:
        statuses = Counter(pool.map(start, range(STARTS)))

    assert statuses == Counter({201: 1, 409: STARTS - 1})
    with transaction(session_factory) as session:
        payments = session.scalars(sa.select(orm.Payment).where(orm.Payment.customer_id == customer)).all()
        locks = session.scalars(sa.select(orm.InvoiceLock).where(orm.InvoiceLock.invoice_id == invoice)).all()
    assert len(payments) == 1
    assert [lock.payment_id for lock in locks] == [payments[0].id]
