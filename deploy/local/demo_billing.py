"""Demo invoices, exchange rates and statements, fed through the gateway's API as the ERP feed would.

Idempotent: invoices are keyed by number, rates by date and statements by account and month, so
running it again changes nothing.
"""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

ACCOUNTS = ("005300", "005301")


def _call(base_url: str, method: str, path: str, body: dict | None = None, token: str | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(
        base_url + path,
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            payload = response.read()
            return response.status, json.loads(payload) if payload else {}
    except urllib.error.HTTPError as error:
        payload = error.read()
        return error.code, json.loads(payload) if payload else {}


def demo_invoices(today: date) -> list[dict]:
    """A month and a half of invoices for both accounts: MXN and USD, some paid-up soon, some overdue."""
    rows = []
    plan = [
        # (days ago issued, days to pay, currency, amount)
        (50, 30, "MXN", "12450.00"),
        (45, 30, "USD", "830.25"),
        (40, 30, "MXN", "3980.50"),
        (20, 30, "USD", "1275.00"),
        (15, 30, "MXN", "25600.00"),
        (10, 30, "MXN", "1890.90"),
        (5, 30, "USD", "412.60"),
        (2, 30, "MXN", "7325.10"),
    ]
    for account_index, account in enumerate(ACCOUNTS):
        for number, (ago, terms, currency, amount) in enumerate(plan, start=1):
            issued = today - timedelta(days=ago + account_index)
            rows.append(
                {
                    "invoice_number": f"F{account}-{issued:%y%m}-{number:03d}",
                    "account_number": account,
                    "issue_date": issued.isoformat(),
                    "due_date": (issued + timedelta(days=terms)).isoformat(),
                    "currency": currency,
                    "amount": amount,
                }
            )
    return rows


def seed(base_url: str, operator: str, password: str, timeout: float = 60.0) -> str:
    today = datetime.now(ZoneInfo("America/Mexico_City")).date()
    status, tokens = _call(base_url, "POST", "/api/v1/auth/login", {"username": operator, "password": password})
    if status != 200:
        raise RuntimeError(f"operator sign-in failed ({status}): {tokens}")
    token = tokens["access_token"]

    rates = [{"date": (today - timedelta(days=d)).isoformat(), "rate": f"{17.15 + (d % 7) * 0.0375:.4f}"} for d in range(60)]
    status, answer = _call(base_url, "POST", "/api/v1/exchange-rates", {"rates": rates}, token)
    if status != 200:
        raise RuntimeError(f"exchange-rate import failed ({status}): {answer}")

    # Billing learns the demo accounts from identity's event; wait for it before importing.
    deadline = time.monotonic() + timeout
    while True:
        status, answer = _call(base_url, "POST", "/api/v1/invoices/import", {"invoices": demo_invoices(today)}, token)
        if status == 200:
            break
        if time.monotonic() > deadline:
            raise RuntimeError(f"invoice import failed ({status}): {answer}")
        time.sleep(0.5)

    return (f"Billing demo data: {answer.get('imported', 0)} new invoices ({answer.get('unchanged', 0)} already there) "
            f"on accounts {', '.join(ACCOUNTS)}, USD rates for 60 days.")


def last_month() -> str:
    today = datetime.now(ZoneInfo("America/Mexico_City")).date()
    return (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")


def publish_statements(base_url: str, operator: str, password: str) -> str:
    """Last month's statements, as the month-end run makes them: after the meter readings reached billing."""
    status, tokens = _call(base_url, "POST", "/api/v1/auth/login", {"username": operator, "password": password})
    if status != 200:
        raise RuntimeError(f"operator sign-in failed ({status}): {tokens}")
    period = last_month()
    status, statements = _call(base_url, "POST", "/api/v1/statements", {"period": period}, tokens["access_token"])
    if status not in (200, 201):
        raise RuntimeError(f"statement publishing failed ({status}): {statements}")
    return f"Statements for {period}, with the month's meter usage."
