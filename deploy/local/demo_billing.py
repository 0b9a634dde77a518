"""Demo invoices, exchange rates and statements, fed through the gateway's API as the ERP feed would.

Idempotent: invoices are keyed by number, rates by date and statements by account and month, so
running it again changes nothing. Given the demo vendor's CSD and the PAC simulator, each invoice
comes with its stamped CFDI (demo_cfdi), the same one on a second run of the day.
"""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from demo_cfdi import Pac, Vendor, with_cfdis

ACCOUNTS = ("005300", "005301")
# The customer the demo accounts belong to (identity-seed-demo's), as its CFDIs name it.
RECEIVER_RFC = "CDM850101AB1"
RECEIVER_NAME = "COMERCIALIZADORA DEMO"


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
        # (days ago issued, days to pay, currency, amount); each amount is a base plus its 16 % IVA
        # to the cent, as the invoice's CFDI adds them up.
        (50, 30, "MXN", "12450.00"),
        (45, 30, "USD", "830.25"),
        (40, 30, "MXN", "3980.60"),
        (20, 30, "USD", "1275.00"),
        (15, 30, "MXN", "25600.10"),
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


def demo_rates(today: date) -> dict[str, str]:
    """USD to MXN for the last 60 days, by date."""
    return {(today - timedelta(days=d)).isoformat(): f"{17.15 + (d % 7) * 0.0375:.4f}" for d in range(60)}


def seed(base_url: str, operator: str, password: str, timeout: float = 60.0, *,
         vendor: Vendor | None = None, pac: Pac | None = None) -> str:
    """With `vendor` and `pac`, every invoice comes with its CFDI, stamped by that PAC."""
    today = datetime.now(ZoneInfo("America/Mexico_City")).date()
    status, tokens = _call(base_url, "POST", "/api/v1/auth/login", {"username": operator, "password": password})
    if status != 200:
        raise RuntimeError(f"operator sign-in failed ({status}): {tokens}")
    token = tokens["access_token"]

    rates = demo_rates(today)
    status, answer = _call(base_url, "POST", "/api/v1/exchange-rates",
                           {"rates": [{"date": day, "rate": rate} for day, rate in rates.items()]}, token)
    if status != 200:
        raise RuntimeError(f"exchange-rate import failed ({status}): {answer}")

    invoices = demo_invoices(today)
    if vendor is not None and pac is not None:
        invoices = with_cfdis(invoices, vendor=vendor, pac=pac, receiver_rfc=RECEIVER_RFC, receiver_name=RECEIVER_NAME,
                              today=today, exchange_rates={day: Decimal(rate) for day, rate in rates.items()})

    # Billing learns the demo accounts from identity's event; wait for it before importing.
    deadline = time.monotonic() + timeout
    while True:
        status, answer = _call(base_url, "POST", "/api/v1/invoices/import", {"invoices": invoices}, token)
        if status == 200:
            break
        if time.monotonic() > deadline:
            raise RuntimeError(f"invoice import failed ({status}): {answer}")
        time.sleep(0.5)

    with_what = " with their CFDIs" if vendor is not None and pac is not None else ""
    return (f"Billing demo data: {answer.get('imported', 0)} new invoices{with_what} ({answer.get('unchanged', 0)} "
            f"already there) on accounts {', '.join(ACCOUNTS)}, USD rates for 60 days.")


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
