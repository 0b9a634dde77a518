"""PostgreSQL stopped (immediate: every connection drops, as in a crash) and started again under
load: the web tiers answer 5xx problem+json while it is away, never hang, and recover by
themselves; nothing is half written; relays and consumers carry on."""
from __future__ import annotations

import threading
import time

import requests
import sqlalchemy as sa
import pytest

from harness import EXPECTED_PER_CUSTOMER, CustomerProducer, Figures, assert_services_up, customer_effects, operator_at
from stack import Api, Stack, wait_until

pytestmark = pytest.mark.needs_processes("kills and restarts the suite's own servers and processes")

CLIENT_TIMEOUT = 15.0  # longer than any answer may take; a request past it counts as a hang
OUTAGE_ANSWERS = 12  # failed answers of each kind (write, read) seen before the database comes back


class Load:
    """Writes at identity (customer registrations) and reads through the gateway (servicedesk's
    knowledge search), each answer recorded with its status, type and time."""

    def __init__(self, stack: Stack, operator: Api):
        self.producer = CustomerProducer(operator_at(stack, "identity", operator), threads=1)
        self.reader = Api(stack.gateway_url, token=operator.token)
        self.answers: list[tuple[float, str, int | str, str, float]] = []
        self.lock = threading.Lock()
        self._stop = threading.Event()
        self.threads = [threading.Thread(target=self._loop, args=(kind,), daemon=True) for kind in ("write", "read")]

    def _one(self, kind: str):
        if kind == "write":
            before = len(self.producer.failures)
            customer = self.producer.register_one()
            if customer is not None:
                self.producer.created.append(customer)
                return 201, "application/json"
            status, _text = self.producer.failures[before] if len(self.producer.failures) > before else ("?", "")
            return status, getattr(self, "_last_type", "")
        response = self.reader.get("/api/v1/knowledge", params={"q": "toner"})
        return response.status_code, response.headers.get("Content-Type", "")

    def _loop(self, kind: str):
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                status, content_type = self._one(kind)
            except requests.RequestException as exc:
                status, content_type = f"no answer: {type(exc).__name__}", ""
            with self.lock:
                self.answers.append((started, kind, status, content_type, time.monotonic() - started))
            self._stop.wait(0.05)

    def start(self):
        for thread in self.threads:
            thread.start()

    def stop(self):
        self._stop.set()
        for thread in self.threads:
            thread.join(timeout=CLIENT_TIMEOUT + 5)

    def since(self, when: float) -> list:
        with self.lock:
            return [a for a in self.answers if a[0] >= when]


def test_database_restart_under_load_fails_fast_then_recovers(stack: Stack, servers, operator: Api):
    postgres, _rabbit = servers
    load = Load(stack, operator)
    # The writer keeps failures' status codes; the problem type of a refused write is checked by hand below.
    load.producer.api.http.hooks["response"].append(lambda r, *a, **k: setattr(load, "_last_type", r.headers.get("Content-Type", "")))
    load.start()
    try:
        start = time.monotonic()
        wait_until(lambda: sum(1 for a in load.since(start) if a[2] in (200, 201)) >= 6, timeout=30, what="load answered")
        postgres.stop("immediate")
        down = time.monotonic()
        try:
            wait_until(lambda: all(sum(1 for a in load.since(down) if a[1] == kind and a[2] not in (200, 201)) >= OUTAGE_ANSWERS
                                   for kind in ("write", "read")),
                       timeout=60, interval=0.05, what="answers while the database is away")
        finally:
            postgres.start()
        up = time.monotonic()
        # The suite's own engines (no pre-ping) hold connections the restart closed.
        for engine in stack._engines.values():
            engine.dispose()
        wait_until(lambda: {a[1] for a in load.since(up) if a[2] in (200, 201) and a[0] >= up} == {"write", "read"},
                   timeout=60, interval=0.05, what="both web tiers answering again")
        recovered = time.monotonic()
        # A little load after recovery, so relays and consumers must also have come back.
        wait_until(lambda: sum(1 for a in load.since(recovered) if a[1] == "write" and a[2] == 201) >= 5, timeout=30,
                   what="registrations after recovery")
    finally:
        load.stop()

    outage = [a for a in load.answers if down <= a[0] < up]
    failed = [a for a in outage if a[2] not in (200, 201)]
    bad = [a for a in failed if a[2] not in (500, 502, 503, 504) or "application/problem+json" not in a[3]]
    slowest = max((a[4] for a in load.answers), default=0.0)

    # Nothing half written: every customer identity has from this run has its one event, and
    # every one of them (committed before, during or after the outage) reaches the consumers.
    with stack.db("identity").connect() as connection:
        rows = connection.execute(sa.text(
            "SELECT c.id::text, c.name, (SELECT count(*) FROM outbox o WHERE o.topic = 'identity.customer.registered.v1' "
            "AND o.payload LIKE '%' || c.id::text || '%') FROM customers c WHERE c.name LIKE 'Cliente de falla %'")).all()
    # Every fault scenario's customers: those answered 201 and any whose answer the outage cut off.
    ours = rows
    without_event = [r for r in ours if r[2] != 1]
    customers = [{"id": r[0]} for r in ours]

    def reached():
        effects = customer_effects(stack, customers)
        return all(effects[n][c["id"]] >= want for n, want in EXPECTED_PER_CUSTOMER.items() for c in customers)

    wait_until(reached, timeout=60, interval=0.25, what="every committed registration at the consumers")
    effects = customer_effects(stack, customers)
    duplicated = sum(max(0, effects[n][c["id"]] - want) for n, want in EXPECTED_PER_CUSTOMER.items() for c in customers)
    missing_answers = [c for c in load.producer.created if c["id"] not in {r[0] for r in ours}]
    figures = Figures("postgres-restart", sent=len(ours), delivered=len(ours), lost=len(missing_answers), duplicated=duplicated,
                      recovery_seconds=recovered - up,
                      extra={"outage_seconds": round(up - down, 2), "answers_during_outage": len(outage),
                             "failed_fast": len(failed), "statuses": sorted({str(a[2]) for a in failed}),
                             "slowest_answer_s": round(slowest, 2), "registered_ok": len(load.producer.created)})
    figures.report()
    assert not bad, bad[:5]
    assert slowest < CLIENT_TIMEOUT, "an answer took as long as the client would wait: a hang"
    assert not without_event, without_event[:5]
    assert not missing_answers, "a 201 answered for a customer identity does not have"
    assert duplicated == 0
    assert_services_up(stack)
