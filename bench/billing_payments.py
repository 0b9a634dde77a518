"""Balances and payments through the gateway of a running portal (started with deploy/run).

    .venv/bin/python bench/billing_payments.py [--base-url http://127.0.0.1:8000] [--invoices 5000]
        [--balance-requests 100] [--payments 100] [--concurrency 4]

It registers a fresh customer through the operator's API, imports --invoices open invoices on one
account, then measures:
  1. GET /api/v1/balances (first page, totals over every open invoice) through the gateway:
     p50/p95/p99 over --balance-requests sequential calls;
  2. payments through the gateway and the BBVA simulator, --concurrency at a time: start the
     payment, approve it on the bank's page (the simulator then notifies the portal, signed),
     and wait until billing shows the invoice paid. It prints payments completed per second and
     the start-to-settled latency p50/p99.
Everything goes to the URLs given (127.0.0.1 by default); request counts are bounded.
"""
from __future__ import annotations

import argparse
import random
import statistics
import string
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import requests

OPERATOR = "operador@proveedor-demo.mx"
PASSWORD = "Portal-Demo-2026"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


class Portal:
    def __init__(self, base_url: str):
        self.base_url = base_url
        self.http = requests.Session()

    def call(self, method: str, path: str, token: str | None = None, **kwargs) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.http.request(method, self.base_url + path, headers=headers, timeout=60, **kwargs)

    def login(self, username: str, password: str) -> dict:
        response = self.call("POST", "/api/v1/auth/login", json={"username": username, "password": password})
        response.raise_for_status()
        return response.json()


def random_rfc() -> str:
    letters = "".join(random.choices(string.ascii_uppercase, k=3))
    homoclave = "".join(random.choices(string.ascii_uppercase + string.digits, k=3))
    return f"{letters}{random.randint(50, 99):02d}{random.randint(1, 12):02d}{random.randint(1, 28):02d}{homoclave}"


def until(predicate, timeout: float, what: str, interval: float = 0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise RuntimeError(f"timed out waiting for {what}")


def prepare_customer(portal: Portal, operator_token: str, invoices: int) -> tuple[str, str, list[dict]]:
    rfc, suffix = random_rfc(), uuid.uuid4().int % 10**8
    account = f"B{suffix:08d}"
    created = portal.call("POST", "/api/v1/customers", operator_token, json={
        "rfc": rfc, "name": f"Cliente de carga {suffix}", "system_account_number": f"SB{suffix:08d}",
        "account_numbers": [account]})
    created.raise_for_status()
    activation = portal.login(rfc, rfc)["access_token"]
    password = f"Carga-{uuid.uuid4().hex[:10]}"
    email = f"carga.{suffix}@example.com"
    first = portal.call("POST", "/api/v1/auth/first-login", activation, json={"email": email, "new_password": password})
    first.raise_for_status()

    today = datetime.now(ZoneInfo("America/Mexico_City")).date()
    portal.call("POST", "/api/v1/exchange-rates", operator_token,
                json={"rates": [{"date": today.isoformat(), "rate": "17.2500"}]}).raise_for_status()
    rows = [{"invoice_number": f"{account}-{n:05d}", "account_number": account,
             "issue_date": (today - timedelta(days=n % 90)).isoformat(),
             "due_date": (today - timedelta(days=n % 90) + timedelta(days=30)).isoformat(),
             "currency": "USD" if n % 4 == 0 else "MXN", "amount": f"{100 + n % 900}.{n % 100:02d}"}
            for n in range(invoices)]
    started = time.perf_counter()
    for offset in range(0, len(rows), 5000):
        chunk = rows[offset:offset + 5000]
        until(lambda c=chunk: portal.call("POST", "/api/v1/invoices/import", operator_token,
                                          json={"invoices": c}).status_code == 200, 60, "invoice import")
    print(f"imported {invoices} invoices in {time.perf_counter() - started:.1f} s")
    return email, password, rows


def bench_balances(portal: Portal, token: str, requests_count: int) -> None:
    portal.call("GET", "/api/v1/balances", token).raise_for_status()  # warm-up
    timings = []
    for _ in range(requests_count):
        started = time.perf_counter()
        response = portal.call("GET", "/api/v1/balances", token, params={"page_size": 50})
        timings.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    body = response.json()
    print(f"balances ({body['total']} open invoices, page of {len(body['items'])}): "
          f"p50 {percentile(timings, 50):.1f} ms  p95 {percentile(timings, 95):.1f} ms  p99 {percentile(timings, 99):.1f} ms "
          f"over {requests_count} calls")


def bench_payments(portal: Portal, token: str, invoice_ids: list[str], amounts: list[str], concurrency: int) -> None:
    def pay(index: int) -> float:
        session = requests.Session()
        key = uuid.uuid4().hex
        while True:
            started = time.perf_counter()
            answer = session.post(f"{portal.base_url}/api/v1/payments", timeout=60,
                                  headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
                                  json={"bank": "bbva", "items": [{"invoice_id": invoice_ids[index], "amount": amounts[index]}]})
            # payment-service learns invoices from billing's events; an import of thousands takes
            # it a while, so a 404 here means "not yet", and the clock starts at the accepted start.
            if answer.status_code != 404:
                break
            time.sleep(0.2)
        answer.raise_for_status()
        redirect = answer.json()["redirect_url"]
        bank = session.post(redirect, data={"outcome": "approve", "email": "carga@example.com", "phone": "5512345678"},
                            allow_redirects=False, timeout=60)
        assert bank.status_code in (302, 303), bank.text
        until(lambda: session.get(f"{portal.base_url}/api/v1/invoices/{invoice_ids[index]}", timeout=60,
                                  headers={"Authorization": f"Bearer {token}"}).json()["status"] == "paid",
              60, "the invoice settled at billing", interval=0.005)
        return (time.perf_counter() - started) * 1000

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        latencies = list(pool.map(pay, range(len(invoice_ids))))
    elapsed = time.perf_counter() - started
    print(f"payments: {len(latencies)} settled in {elapsed:.1f} s = {len(latencies) / elapsed:.1f}/s at concurrency "
          f"{concurrency}; start-to-settled p50 {percentile(latencies, 50):.0f} ms  p99 {percentile(latencies, 99):.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--invoices", type=int, default=5000)
    parser.add_argument("--balance-requests", type=int, default=100)
    parser.add_argument("--payments", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    if not args.base_url.startswith(("http://127.", "http://localhost", "http://[::1]")):
        parser.error("benchmarks only send traffic to this machine")

    portal = Portal(args.base_url)
    operator = portal.login(OPERATOR, PASSWORD)["access_token"]
    email, password, rows = prepare_customer(portal, operator, args.invoices)
    token = portal.login(email, password)["access_token"]
    bench_balances(portal, token, args.balance_requests)

    # Payments on a second customer with just the invoices to pay, once payment-service has
    # caught up with billing's events (the 404 loop below happens before any clock starts).
    email, password, rows = prepare_customer(portal, operator, args.payments + 1)
    token = portal.login(email, password)["access_token"]
    listed = portal.call("GET", "/api/v1/invoices", token, params={"status": "open", "page_size": 100})
    listed.raise_for_status()
    by_number = {item["invoice_number"]: item for item in listed.json()["items"]}
    ordered = [by_number[row["invoice_number"]] for row in rows]
    last = ordered[-1]  # announced last: once payment-service knows it, it knows them all
    until(lambda: portal.call("POST", "/api/v1/payments", token, headers={"Idempotency-Key": uuid.uuid4().hex},
                              json={"bank": "bbva", "items": [{"invoice_id": last["id"], "amount": last["pending_amount"]}]})
          .status_code != 404, 120, "payment-service to know the invoices", interval=0.2)
    measured = ordered[:-1]
    bench_payments(portal, token, [i["id"] for i in measured], [i["pending_amount"] for i in measured], args.concurrency)

if __name__ == "__main__":
    main()
