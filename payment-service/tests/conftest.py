"""Fixtures: payment-service described to portal_shared.testing.fixtures (migrated database, app, client,
bearer, deliver through the inbox, isolated broker, processes), the events payment receives, real bank
simulators on loopback, and small builders of invoices, rates, payments and signed callbacks."""
from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal

import pytest
import requests
import sqlalchemy as sa
from werkzeug.serving import make_server

from bank_simulator import create_app as create_simulator
from payment_service.adapters import orm
from payment_service.adapters.banks.signing import sign
from portal_shared.contracts import Event, new_event
from portal_shared.db import transaction
from portal_shared.testing.events import account_opened, random_account_number
from portal_shared.testing.service import ServiceUnderTest

pytest_plugins = ["portal_shared.testing.fixtures"]

SECRETS = {"citibanamex": "dev-citibanamex-secret", "bbva": "dev-bbva-secret"}


@pytest.fixture(scope="session")
def service_under_test() -> ServiceUnderTest:
    return ServiceUnderTest.from_layout("payment_service", default_port=8003)


@pytest.fixture
def announcement() -> Callable[..., Event]:
    """billing.account.opened v1 events, as billing would publish them."""
    return account_opened


class ServerThread:
    """A real threaded HTTP server on a free loopback port; the app may be set after the port is known."""

    def __init__(self, app=None):
        self.app = app
        self._server = make_server("127.0.0.1", 0, self._dispatch, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def _dispatch(self, environ, start_response):
        return self.app(environ, start_response)

    def start(self) -> "ServerThread":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@pytest.fixture(scope="session")
def simulators() -> Iterator[dict[str, ServerThread]]:
    """Both bank simulators, real HTTP servers in this process, state in memory."""
    servers = {
        bank: ServerThread(create_simulator(bank, {"DATABASE": ":memory:", "SECRET": SECRETS[bank]})).start()
        for bank in SECRETS
    }
    yield servers
    for server in servers.values():
        server.stop()


@pytest.fixture
def app(make_app, simulators):
    # The simulators' notifications go to PORTAL_BASE_URL (nothing listens): tests here sign their own.
    return make_app(CITIBANAMEX_URL=simulators["citibanamex"].url, BBVA_URL=simulators["bbva"].url)


@pytest.fixture
def live(make_app, simulators) -> Iterator[Callable[..., ServerThread]]:
    """payment-service served for real, so the simulators' notifications reach it."""
    started = []

    def start(**overrides) -> ServerThread:
        server = ServerThread()
        server.app = make_app(
            CITIBANAMEX_URL=simulators["citibanamex"].url,
            BBVA_URL=simulators["bbva"].url,
            PAYMENT_CALLBACK_BASE_URL=server.url,
            **overrides,
        )
        started.append(server.start())
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def customer() -> uuid.UUID:
    return uuid.uuid4()


@pytest.fixture
def issue(deliver) -> Callable[..., uuid.UUID]:
    """billing.invoice.issued for a customer; returns the invoice id."""

    def make(customer_id: uuid.UUID, *, currency: str = "MXN", amount: str = "1000.00", pending: str | None = None,
             account_number: str | None = None) -> uuid.UUID:
        invoice_id = uuid.uuid4()
        deliver(
            new_event(
                "billing.invoice.issued",
                1,
                {
                    "invoice_id": invoice_id,
                    "invoice_number": f"F-{invoice_id.hex[:8].upper()}",
                    "customer_id": customer_id,
                    "account_number": account_number or random_account_number(),
                    "currency": currency,
                    "amount": Decimal(amount),
                    "pending_amount": Decimal(pending or amount),
                    "issue_date": date(2026, 10, 1),
                    "due_date": date(2026, 10, 31),
                    "fiscal_folio": None,
                },
                producer="billing-service",
            )
        )
        return invoice_id

    return make


@pytest.fixture
def set_rate(deliver) -> Callable[[date, str], None]:
    def make(day: date, rate: str) -> None:
        deliver(new_event("billing.exchange_rate.set", 1, {"date": day, "rate": Decimal(rate)}, producer="billing-service"))

    return make


@pytest.fixture
def pay(client, bearer) -> Callable[..., object]:
    """POST /api/v1/payments as a billing user of the customer."""

    def post(customer_id, items, *, bank="citibanamex", key=None, http=None, role="billing"):
        body = {"bank": bank, "items": [{"invoice_id": str(i), "amount": a} for i, a in items]}
        headers = {**bearer(role, customer_id=customer_id), "Idempotency-Key": key or uuid.uuid4().hex}
        return (http or client).post("/api/v1/payments", json=body, headers=headers)

    return post


@pytest.fixture
def stored(session_factory) -> Callable[[str], orm.Payment]:
    def read(payment_id) -> orm.Payment:
        with transaction(session_factory) as session:
            return session.get(orm.Payment, uuid.UUID(str(payment_id)))

    return read


@pytest.fixture
def outbox_for(session_factory) -> Callable[..., list[dict]]:
    """Outbox rows about a payment: events by type (channel "events"), or mails (channel "mail") to an address."""

    def read(payment_id=None, *, event_type: str | None = None, mail_to: str | None = None) -> list[dict]:
        table = orm.OUTBOX
        with transaction(session_factory) as session:
            if mail_to is not None:
                rows = session.execute(sa.select(table).where(table.c.channel == "mail", table.c.topic == mail_to))
                return [json.loads(row.payload) for row in rows]
            rows = session.execute(
                sa.select(table).where(table.c.channel == "events", table.c.topic == f"{event_type}.v1")
            )
            messages = [json.loads(row.payload) for row in rows]
            return [m for m in messages if m["data"]["payment_id"] == str(payment_id)]

    return read


@pytest.fixture
def bank_decides(simulators) -> Callable[..., dict]:
    """The customer's choice on the simulated bank's page, without the bank's own notification
    (the tests sign theirs); returns what the bank's status API then tells."""

    def decide(payment: orm.Payment, outcome: str = "approve", *, email: str = "pagos@example.mx") -> dict:
        simulator = simulators[payment.bank].url
        form = {"outcome": "approve_without_notice" if outcome == "approve" else outcome, "email": email}
        form.update({"client_number": "12345678", "nip": "1234"} if payment.bank == "citibanamex" else {"phone": "5512345678"})
        decided = requests.post(f"{simulator}/pay/{payment.bank_payment_id}", data=form, allow_redirects=False, timeout=10)
        assert decided.status_code == 303, decided.text[:300]
        answer = requests.get(f"{simulator}/api/payments/{payment.bank_payment_id}", timeout=10)
        assert answer.status_code == 200, answer.text[:300]
        return answer.json()

    return decide


@pytest.fixture
def callback(client) -> Callable[..., object]:
    """POST a bank notification signed as the bank would (or not, or badly)."""

    def post(bank: str, body: dict, *, secret: str | None = None, timestamp: int | None = None, signed: bool = True,
             http=None):
        raw = json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        if signed:
            ts = int(time.time()) if timestamp is None else timestamp
            headers["X-Bank-Timestamp"] = str(ts)
            headers["X-Bank-Signature"] = sign(secret or SECRETS[bank], ts, raw)
        return (http or client).post(f"/api/v1/payments/callbacks/{bank}", data=raw, headers=headers)

    return post


# What the customer types on each bank's page before approving.
BANK_FORMS = {"citibanamex": {"client_number": "12345678", "nip": "1234", "email": "tesoreria@example.mx"},
              "bbva": {"email": "cxp@example.mx", "phone": "5512345678"}}


@pytest.fixture
def bank_forms() -> dict[str, dict[str, str]]:
    return BANK_FORMS


@pytest.fixture
def choose() -> Callable[[str, str, dict], requests.Response]:
    """The customer's choice on the bank's page: the simulator's form, posted directly."""

    def post(redirect_url: str, outcome: str, form: dict) -> requests.Response:
        return requests.post(redirect_url, data={"outcome": outcome, **form}, allow_redirects=False, timeout=15)

    return post
