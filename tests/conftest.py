"""Fixtures for the cross-service suites: one running portal per test session."""
from __future__ import annotations

import uuid
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo
from pathlib import Path

import pytest

from stack import DEMO_PASSWORD, EXTERNAL, Api, SignedInApi, Stack, connect_stack, random_rfc, start_stack, wait_until

ARTIFACTS = Path(__file__).resolve().parents[1] / "var" / "test-artifacts"
_LEFT_OUT = pytest.StashKey[list[tuple[str, str]]]()
_FIGURES = pytest.StashKey[list[str]]()


@pytest.fixture(scope="session")
def stack() -> Stack:
    with ExitStack() as resources:
        if EXTERNAL:
            yield connect_stack(resources, ARTIFACTS / "stack")
        else:
            yield start_stack(resources, ARTIFACTS / "stack")


def pytest_report_header(config):
    if EXTERNAL:
        return "portal: external stack (PORTAL_STACK=external); tests marked needs_processes are left out"
    return None


def pytest_collection_modifyitems(config, items):
    """Tests marked runs_last go after the others (on any stack). On an external stack, deselect the
    tests that need the suite's own processes; each is listed with its reason at the end of the
    run, so nothing disappears unseen."""
    # Stable: everything else keeps its order.
    items.sort(key=lambda item: item.get_closest_marker("runs_last") is not None)
    if not EXTERNAL:
        return
    kept, left_out = [], []
    for item in items:
        marker = item.get_closest_marker("needs_processes")
        if marker is None:
            kept.append(item)
        else:
            reason = marker.args[0] if marker.args else marker.kwargs.get("reason", "no reason given")
            left_out.append((item, reason))
    if left_out:
        config.hook.pytest_deselected(items=[item for item, _ in left_out])
        items[:] = kept
    config.stash[_LEFT_OUT] = [(item.nodeid, reason) for item, reason in left_out]


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    figures = config.stash.get(_FIGURES, [])
    if figures:
        # What the tests measured, printed with every run (not only with -s).
        terminalreporter.section("measured")
        for line in figures:
            terminalreporter.line(line)
    left_out = config.stash.get(_LEFT_OUT, [])
    if left_out:
        terminalreporter.section(f"{len(left_out)} not run against the external stack (needs_processes)")
        for nodeid, reason in left_out:
            terminalreporter.line(f"{nodeid}: {reason}")


@pytest.fixture()
def report_figure(request):
    """A line of figures a test measured, printed in the run's closing summary."""
    return request.config.stash.setdefault(_FIGURES, []).append


@pytest.fixture()
def api(stack: Stack) -> Api:
    return Api(stack.gateway_url)


@pytest.fixture(scope="session")
def operator(stack: Stack) -> Api:
    return SignedInApi(stack.gateway_url, "operador@proveedor-demo.mx", DEMO_PASSWORD)


@pytest.fixture()
def register_customer(operator: Api):
    """Operator sign-up of a new customer; returns the created customer as the API answered."""

    def register(**overrides) -> dict:
        suffix = uuid.uuid4().int % 10**8
        body = {
            "rfc": random_rfc(),
            "name": f"Cliente de prueba {suffix}",
            "system_account_number": f"S{suffix:08d}",
            "account_numbers": [f"{suffix:08d}", f"{(suffix + 1) % 10**8:08d}"],
            **overrides,
        }
        response = operator.post("/api/v1/customers", body)
        assert response.status_code == 201, response.text
        return {**body, **response.json()}

    return register


@pytest.fixture()
def activated_admin(stack: Stack, api: Api, register_customer):
    """A customer whose first user went through the RFC first sign-in; returns (customer, email, password, tokens)."""

    def activate(**overrides) -> tuple[dict, str, str, dict]:
        customer = register_customer(**overrides)
        activation = api.login(customer["rfc"], customer["rfc"])
        email = f"admin.{customer['rfc'].lower()}@example.com"
        password = f"Nueva-Clave-{uuid.uuid4().hex[:8]}"
        response = api.post("/api/v1/auth/first-login", {"email": email, "new_password": password},
                            token=activation["access_token"])
        assert response.status_code == 200, response.text
        return customer, email, password, response.json()

    return activate


# Every test prices USD at this rate for today: one value, so tests running together agree.
TODAY_RATE = "17.5000"


@dataclass
class BillingCustomer:
    customer: dict
    email: str
    password: str
    token: str
    account: str
    invoices: list[dict]


@pytest.fixture()
def import_invoices(stack: Stack, api: Api, operator: Api):
    """Invoices imported by the operator into a customer's account, known to billing and payment;
    returns them as the customer (whose token is given) reads them, in the order asked for."""

    def make(account: str, token: str, invoices: list[tuple[str, str]]) -> list[dict]:
        today = datetime.now(ZoneInfo("America/Mexico_City")).date()
        rates = operator.post("/api/v1/exchange-rates", {"rates": [{"date": today.isoformat(), "rate": TODAY_RATE}]})
        assert rates.status_code == 200, rates.text
        rows = [
            {"invoice_number": f"T{uuid.uuid4().hex[:12].upper()}", "account_number": account,
             "issue_date": (today - timedelta(days=10)).isoformat(), "due_date": (today + timedelta(days=20)).isoformat(),
             "currency": currency, "amount": amount}
            for currency, amount in invoices
        ]
        # Billing learns the account from identity's event; the import waits for it.
        wait_until(lambda: operator.post("/api/v1/invoices/import", {"invoices": rows}).status_code == 200,
                   what="invoice import once billing knows the account")
        listed = api.get("/api/v1/invoices", token=token, params={"account": account, "page_size": 100})
        assert listed.status_code == 200, listed.text
        by_number = {item["invoice_number"]: item for item in listed.json()["items"]}
        ordered = [by_number[row["invoice_number"]] for row in rows]
        ids = [item["id"] for item in ordered]
        wait_until(lambda: stack.scalar("payment", "SELECT count(*) FROM payable_invoices WHERE invoice_id = ANY(CAST(:ids AS uuid[]))",
                                        ids=ids) == len(ids), what="payment's copy of the invoices")
        return ordered

    return make


@pytest.fixture()
def billing_customer(activated_admin, import_invoices):
    """An activated customer with invoices imported by the operator, known to billing and payment."""

    def make(invoices: list[tuple[str, str]]) -> BillingCustomer:
        customer, email, password, tokens = activated_admin()
        account = customer["account_numbers"][0]
        ordered = import_invoices(account, tokens["access_token"], invoices)
        return BillingCustomer(customer, email, password, tokens["access_token"], account, ordered)

    return make
