"""What the fault scenarios share: killing and restarting one process, reading its JSON log,
producing events through a service's API, and the figures every scenario prints and asserts."""
from __future__ import annotations

import json
import signal
import subprocess
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pika
import sqlalchemy as sa

from stack import ROOT, Api, Stack, random_rfc, wait_while_progressing

# Processes that must stay up through every fault: recovery never needs a service restarted.
SERVICE_PROCESSES = ("identity-web", "billing-web", "payment-web", "servicedesk-web", "gateway",
                     "identity-relay", "billing-relay", "payment-relay", "servicedesk-relay",
                     "billing-consumer", "payment-consumer", "servicedesk-consumer")


def sigkill(stack: Stack, name: str) -> None:
    """SIGKILL: no handler runs, no transaction commits, no message is acked."""
    proc = stack.procs[name]
    proc.popen.send_signal(signal.SIGKILL)
    proc.popen.wait(timeout=10)


def respawn(stack: Stack, name: str) -> int:
    """Start a killed process again, as a supervisor would; returns where its new log lines begin."""
    proc = stack.procs[name]
    assert proc.popen.poll() is not None, f"{name} is still running"
    offset = proc.log_path.stat().st_size
    proc.popen = subprocess.Popen(proc.command, env=proc.env, cwd=ROOT, stdout=open(proc.log_path, "ab"),
                                  stderr=subprocess.STDOUT)
    return offset


def log_records(path: Path, offset: int = 0) -> list[dict]:
    """The JSON log lines from `offset` on; a line cut by a kill is skipped."""
    with open(path, "rb") as log:
        log.seek(offset)
        data = log.read()
    records = []
    for line in data.splitlines():
        try:
            records.append(json.loads(line))
        except ValueError:
            continue
    return records


def handled_counts(stack: Stack, *consumers: str) -> tuple[Counter, Counter]:
    """Per event id: how often a consumer applied it, and how often its inbox ignored it."""
    applied, duplicates = Counter(), Counter()
    for name in consumers:
        for record in log_records(stack.procs[name].log_path):
            if record.get("message") == "event handled":
                applied[record["event_id"]] += 1
            elif record.get("message") == "duplicate event ignored":
                duplicates[record["event_id"]] += 1
    return applied, duplicates


def assert_services_up(stack: Stack, names=SERVICE_PROCESSES) -> None:
    exited = {name: stack.procs[name].popen.returncode for name in names if stack.procs[name].popen.poll() is not None}
    assert not exited, f"processes exited during the fault: {exited}"


def consumers_on(stack: Stack, queue: str) -> int:
    connection = pika.BlockingConnection(pika.URLParameters(stack.amqp_url))
    try:
        return connection.channel().queue_declare(queue, passive=True).method.consumer_count
    finally:
        connection.close()


@dataclass
class Figures:
    scenario: str
    sent: int = 0
    delivered: int = 0
    lost: int = 0
    duplicated: int = 0
    recovery_seconds: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def report(self) -> None:
        recovery = "n/a" if self.recovery_seconds is None else f"{self.recovery_seconds:.2f}s"
        extra = " ".join(f"{key}={value}" for key, value in self.extra.items())
        print(f"\nFAULTS {self.scenario}: sent={self.sent} delivered={self.delivered} lost={self.lost} "
              f"duplicated_effects={self.duplicated} recovery={recovery} {extra}".rstrip(), flush=True)


def operator_at(stack: Stack, service: str, operator: Api) -> Api:
    """The operator's token, calling one service directly (no gateway hop: a cheaper producer)."""
    return Api(stack.service_urls[service], token=operator.token)


class CustomerProducer:
    """Registers customers through identity's API from a few threads until stopped or `limit` is
    reached (None: until stopped, for a load that must last as long as the faults it carries,
    however slow the machine makes them); each registration is one identity.customer.registered
    event in identity's outbox."""

    def __init__(self, api: Api, *, threads: int = 2, limit: int | None = 1000, per_second: float = 8.0):
        self.api = api
        self.limit = limit
        # Paced below what the consumers drain on two cores, so the figures measure the fault
        # rather than a backlog the load itself built up.
        self.interval = threads / per_second
        self.created: list[dict] = []
        self.failures: list[tuple[int | str, str]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(threads)]

    def __enter__(self) -> "CustomerProducer":
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)

    def register_one(self) -> dict | None:
        suffix = uuid.uuid4().int % 10**8
        body = {"rfc": random_rfc(), "name": f"Cliente de falla {suffix}", "system_account_number": f"S{suffix:08d}",
                "account_numbers": [f"F{suffix:08d}", f"G{suffix:08d}"]}
        try:
            response = self.api.post("/api/v1/customers", body)
        except Exception as exc:  # noqa: BLE001 - an answer that never came is a failure to report
            with self._lock:
                self.failures.append(("no answer", repr(exc)[:200]))
            return None
        if response.status_code != 201:
            with self._lock:
                self.failures.append((response.status_code, response.text[:200]))
            return None
        return {**body, **response.json()}

    def _run(self) -> None:
        next_at = time.monotonic()
        while not self._stop.is_set():
            with self._lock:
                if self.limit is not None and len(self.created) + len(self.failures) >= self.limit:
                    return
            customer = self.register_one()
            if customer is not None:
                with self._lock:
                    self.created.append(customer)
            next_at += self.interval
            self._stop.wait(max(0.0, next_at - time.monotonic()))

    def count(self) -> int:
        with self._lock:
            return len(self.created)


def customer_effects(stack: Stack, customers: list[dict]) -> dict[str, Counter]:
    """Each consumer's effect of each customer's registration, counted in its own database."""
    ids = [c["id"] for c in customers]
    queries = {
        "billing_accounts": ("billing", "SELECT customer_id::text, count(*) FROM billing_accounts "
                                        "WHERE customer_id = ANY(CAST(:ids AS uuid[])) GROUP BY customer_id"),
        "servicedesk_customers": ("servicedesk", "SELECT id::text, count(*) FROM customers "
                                                 "WHERE id = ANY(CAST(:ids AS uuid[])) GROUP BY id"),
        "payment_accounts": ("payment", "SELECT customer_id::text, count(*) FROM payable_accounts "
                                        "WHERE customer_id = ANY(CAST(:ids AS uuid[])) GROUP BY customer_id"),
    }
    effects: dict[str, Counter] = {}
    for name, (service, query) in queries.items():
        with stack.db(service).connect() as connection:
            effects[name] = Counter({row[0]: row[1] for row in connection.execute(sa.text(query), {"ids": ids})})
    # billing.account.opened rows: an effect that a second application would write again.
    with stack.db("billing").connect() as connection:
        opened = Counter()
        for (payload,) in connection.execute(sa.text("SELECT payload FROM outbox WHERE topic = 'billing.account.opened.v1'")):
            opened[json.loads(payload)["data"]["customer_id"]] += 1
        effects["billing_account_opened_events"] = Counter({i: opened[i] for i in ids if opened[i]})
    return effects


EXPECTED_PER_CUSTOMER = {"billing_accounts": 2, "servicedesk_customers": 1, "payment_accounts": 2,
                         "billing_account_opened_events": 2}


def registration_figures(stack: Stack, scenario: str, customers: list[dict], *, stall: float,
                         started_at: float) -> Figures:
    """Wait for every customer's effects everywhere while they keep arriving (no fixed budget: a stall
    of `stall` seconds ends the wait), then count lost and duplicated ones."""
    def progress():
        effects = customer_effects(stack, customers)
        done = all(effects[name][c["id"]] >= want for name, want in EXPECTED_PER_CUSTOMER.items() for c in customers)
        return done, sum(sum(counter.values()) for counter in effects.values())

    try:
        wait_while_progressing(progress, stall=stall, what="every registration's effects")
    except AssertionError:
        pass  # counted below as lost
    recovery = time.monotonic() - started_at
    effects = customer_effects(stack, customers)
    lost = sum(1 for c in customers if any(effects[n][c["id"]] < want for n, want in EXPECTED_PER_CUSTOMER.items()))
    duplicated = sum(max(0, effects[n][c["id"]] - want) for n, want in EXPECTED_PER_CUSTOMER.items() for c in customers)
    delivered = sum(1 for c in customers if effects["billing_accounts"][c["id"]] and effects["servicedesk_customers"][c["id"]])
    return Figures(scenario, sent=len(customers), delivered=delivered, lost=lost, duplicated=duplicated,
                   recovery_seconds=recovery)


def logged_since(stack: Stack, name: str, offset: int, message: str) -> list[dict]:
    return [r for r in log_records(stack.procs[name].log_path, offset) if r.get("message") == message]


def registered_event_ids(stack: Stack, customers: list[dict]) -> dict[str, str]:
    """customer id -> the id of identity's identity.customer.registered event for it."""
    wanted = {c["id"] for c in customers}
    found = {}
    with stack.db("identity").connect() as connection:
        rows = connection.execute(sa.text("SELECT message_id, payload FROM outbox "
                                          "WHERE topic = 'identity.customer.registered.v1'"))
        for message_id, payload in rows:
            customer_id = json.loads(payload)["data"]["customer_id"]
            if customer_id in wanted:
                found[customer_id] = message_id
    return found


def applied_more_than_once(stack: Stack, consumer: str, event_ids) -> dict[str, int]:
    """Events one consumer's log says it applied (committed) more than once: a duplicated effect."""
    applied, _ = handled_counts(stack, consumer)
    return {event_id: applied[event_id] for event_id in event_ids if applied[event_id] > 1}
