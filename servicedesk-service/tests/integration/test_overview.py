"""The agent's customer overview against real HTTP servers playing identity, billing and payment.

The stand-ins answer as those services do (docs/api.md and their schemas): they verify the
token with the same keys, admit the same roles, and scope by ?customer_id=. One of them can be
down (nothing listens on its port), slow (holds the request until the test ends) or failing.
"""
from __future__ import annotations

import json
import socket
import threading
import uuid
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from portal_shared.auth import StaticKeySource, TokenVerifier
from portal_shared.db import transaction
from portal_shared.testing.events import customer_registered
from servicedesk_service.adapters.orm import AuditEntry

TIMEOUT = 0.5


def _json(body, status: int = 200) -> Response:
    mimetype = "application/problem+json" if status >= 400 else "application/json"
    return Response(json.dumps(body), status=status, mimetype=mimetype)


def _problem(status: int, title: str, detail: str) -> Response:
    return _json({"type": "about:blank", "title": title, "status": status, "detail": detail}, status)


class StandIn:
    """One service: routes (path -> (roles admitted, handler)), what it received, and how it misbehaves."""

    def __init__(self, name: str, signer, routes: dict[str, tuple[set[str], Callable[[Request], Response]]]):
        self.name = name
        self.verifier = TokenVerifier(StaticKeySource(signer.jwks()))
        self.routes = routes
        self.received: list[dict] = []
        self.failing = False
        self.hold = threading.Event()
        self.slow = False
        self._lock = threading.Lock()
        self.server = make_server("127.0.0.1", 0, self, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def __call__(self, environ, start_response):
        request = Request(environ)
        with self._lock:
            self.received.append({"path": request.path, "args": dict(request.args),
                                  "authorization": request.headers.get("Authorization"),
                                  "correlation_id": request.headers.get("X-Correlation-ID")})
        return self._answer(request)(environ, start_response)

    def _answer(self, request: Request) -> Response:
        if self.slow:
            # Held until the test is over: far beyond any timeout the overview may use.
            self.hold.wait(30)
        if self.failing:
            return _problem(500, "Internal Server Error", "Something broke.")
        route = next(((roles, handler) for path, (roles, handler) in self.routes.items()
                      if request.path == path or (path.endswith("/") and request.path.startswith(path))), None)
        if route is None:
            return _problem(404, "Not found", f"No route for {request.path}.")
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        try:
            principal = self.verifier.verify(token)
        except Exception:  # noqa: BLE001 - any bad token is a 401, as the real services answer
            return _problem(401, "Invalid token", "The access token is invalid or has expired.")
        roles, handler = route
        if not principal.roles & roles:
            return _problem(403, "Forbidden", "Your role does not allow this.")
        return handler(request)

    def stop(self) -> None:
        self.hold.set()
        self.server.shutdown()
        self.server.server_close()


class Company:
    """One customer as each service knows it."""

    def __init__(self, event):
        data = event.data
        self.id = str(data["customer_id"])
        self.rfc = data["rfc"]
        self.name = data["name"]
        self.system_account_number = data["system_account_number"]
        self.account_numbers = list(data["account_numbers"])


def identity_routes(companies: dict[str, Company]):
    def customer(request: Request) -> Response:
        found = companies.get(request.path.rsplit("/", 1)[1])
        if found is None:
            return _problem(404, "Not found", "No such customer.")
        return _json({"id": found.id, "rfc": found.rfc, "name": found.name,
                      "system_account_number": found.system_account_number,
                      "account_numbers": found.account_numbers, "created_at": "2026-01-05T16:00:00+00:00"})

    def users(request: Request) -> Response:
        if not request.args.get("customer_id"):
            return _json({"title": "Validation failed", "status": 422,
                          "errors": {"customer_id": ["Customer service must name the customer: ?customer_id=…"]}}, 422)
        found = companies.get(request.args["customer_id"])
        items = [] if found is None else [
            {"id": str(uuid.uuid5(uuid.NAMESPACE_URL, found.id)), "customer_id": found.id, "username": found.rfc,
             "email": "compras@example.mx", "email_verified": True, "name": "Ana Pérez", "roles": ["admin"],
             "status": "active", "created_at": "2026-01-05T16:00:00+00:00"},
        ]
        return _json({"items": items})

    return {"/api/v1/customers/": ({"operator", "agent"}, customer), "/api/v1/users": ({"admin", "agent"}, users)}


def billing_routes(companies: dict[str, Company]):
    def accounts(request: Request) -> Response:
        found = companies.get(request.args.get("customer_id", ""))
        if found is None:
            return _problem(404, "Customer not found", "billing has no customer with this id (yet).")
        return _json({
            "customer": {"id": found.id, "rfc": found.rfc, "name": found.name,
                         "system_account_number": found.system_account_number},
            "items": [{"id": str(uuid.uuid5(uuid.NAMESPACE_OID, number)), "account_number": number,
                       "system_account_number": found.system_account_number,
                       "opened_at": "2026-01-05T16:00:00+00:00"} for number in found.account_numbers],
        })

    def credit(request: Request) -> Response:
        if request.args.get("customer_id") not in companies:
            return _problem(404, "Not found", "No such customer.")
        return _json({"customer_id": request.args["customer_id"], "status": "overdue", "days_overdue": 12,
                      "oldest_due_date": "2026-02-26", "overdue_invoices": 1,
                      "overdue_pending": {"MXN": "11600.00", "USD": "0.00"}, "block_after_days": 60})

    return {"/api/v1/accounts": ({"admin", "billing", "agent", "operator"}, accounts),
            "/api/v1/credit-status": ({"agent", "operator"}, credit)}


def payment_routes(companies: dict[str, Company]):
    def history(request: Request) -> Response:
        found = companies.get(request.args.get("customer_id", ""))
        items = [] if found is None else [
            {"id": "pay-2", "paid_at": "2026-03-02T18:30:00+00:00", "reference": "REF000002", "bank": "bbva",
             "bank_reference": "BBVA-MP 000412", "total": "500.00", "currency": "MXN",
             "invoices": [{"invoice_id": "inv-3", "invoice_number": "F-1003",
                           "account_number": found.account_numbers[0], "amount": "500.00", "currency": "MXN"}]},
            {"id": "pay-1", "paid_at": "2026-02-10T17:00:00+00:00", "reference": "REF000001", "bank": "citibanamex",
             "bank_reference": "BC-Banamex 063197", "total": "6893.80", "currency": "MXN",
             "invoices": [{"invoice_id": "inv-2", "invoice_number": "F-1002",
                           "account_number": found.account_numbers[1], "amount": "400.00", "currency": "USD"}]},
        ]
        return _json({"items": items, "page": 1, "page_size": int(request.args.get("page_size", 20)),
                      "total": len(items)})

    return {"/api/v1/payments": ({"admin", "billing", "agent"}, history)}


@pytest.fixture
def companies() -> dict[str, Company]:
    return {}


@pytest.fixture
def peers(signer, companies):
    started = {
        "identity": StandIn("identity", signer, identity_routes(companies)),
        "billing": StandIn("billing", signer, billing_routes(companies)),
        "payment": StandIn("payment", signer, payment_routes(companies)),
    }
    yield started
    for peer in started.values():
        peer.stop()


def closed_port_url() -> str:
    """A URL where nothing listens: connecting is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def overview_app(make_app, clock, peers):
    def make(**urls):
        settings = {f"{name.upper()}_URL": urls.get(name, peer.url) for name, peer in peers.items()}
        return make_app(CLOCK=clock, PEER_TIMEOUT_SECONDS=TIMEOUT, **settings)

    return make


@pytest.fixture
def known(deliver, companies) -> Company:
    """A customer registered at identity (servicedesk has its copy from the event) and known to billing."""
    event = customer_registered()
    deliver(event)
    company = Company(event)
    companies[company.id] = company
    return company


def _audit_rows(session_factory, customer_id) -> list[AuditEntry]:
    with transaction(session_factory) as session:
        return list(session.scalars(sa.select(AuditEntry).where(AuditEntry.customer_id == uuid.UUID(customer_id))
                                    .order_by(AuditEntry.id)))


def test_everything_up_shows_every_part(overview_app, token_for, known, make_device, client_for, peers,
                                        session_factory):
    client = client_for(overview_app())
    device = make_device(uuid.UUID(known.id))
    agent_id = uuid.uuid4()
    agent = token_for(agent_id, "agent")
    opened = client.post("/api/v1/incidents", headers=agent, json={
        "device_id": device["id"], "category": "paper_jam", "description": "Se atasca en la bandeja 2.",
        "contact": {"name": "Ana Pérez", "phone": "55 1234 5678", "email": "ana@example.mx"}})
    assert opened.status_code == 201, opened.json

    response = client.get(f"/api/v1/staff/customers/{known.id}/overview",
                          headers={**agent, "X-Correlation-ID": "overview-test-1"})

    assert response.status_code == 200, response.json
    body = response.json
    assert body["unavailable"] == []
    assert body["customer"] == {"id": known.id, "rfc": known.rfc, "name": known.name,
                                "system_account_number": known.system_account_number,
                                "account_numbers": known.account_numbers}
    assert [user["email"] for user in body["users"]] == ["compras@example.mx"]
    assert [account["account_number"] for account in body["accounts"]] == known.account_numbers
    assert body["credit_status"]["status"] == "overdue"
    assert body["credit_status"]["overdue_pending"] == {"MXN": "11600.00", "USD": "0.00"}
    # Newest first: the last payment leads.
    assert [payment["reference"] for payment in body["payments"]] == ["REF000002", "REF000001"]
    assert body["payments"][1]["bank_reference"] == "BC-Banamex 063197"
    assert [item["id"] for item in body["devices"]] == [device["id"]]
    [incident] = body["incidents"]
    assert incident["id"] == opened.json["id"]
    assert incident["sla"]["status"] in ("on_time", "at_risk", "breached")
    assert incident["sla"]["response_due_at"] == incident["response_due_at"]
    # The agent's own token went to each service, with the request's correlation id.
    for peer in peers.values():
        assert peer.received, peer.name
        for seen in peer.received:
            assert seen["authorization"] == agent["Authorization"], peer.name
            assert seen["correlation_id"] == "overview-test-1", peer.name
            assert seen["args"].get("customer_id", known.id) == known.id
    # Opening the incident and viewing the overview: both the agent's doing, both kept.
    actions = [(row.action, row.actor_id) for row in _audit_rows(session_factory, known.id)]
    assert ("incident.opened", agent_id) in actions
    assert actions[-1] == ("customer.overview_viewed", agent_id)


def test_billing_down_and_payment_slow_leave_those_parts_out(overview_app, bearer, known, make_device, client_for,
                                                            peers, session_factory):
    peers["payment"].slow = True
    client = client_for(overview_app(billing=closed_port_url()))
    device = make_device(uuid.UUID(known.id))

    response = client.get(f"/api/v1/staff/customers/{known.id}/overview", headers=bearer("agent"))

    assert response.status_code == 200, response.json
    body = response.json
    named = {(entry["service"], entry["part"]) for entry in body["unavailable"]}
    assert named == {("billing-service", "accounts"), ("billing-service", "credit_status"),
                     ("payment-service", "payments")}
    assert all(entry["detail"] for entry in body["unavailable"])
    assert body["accounts"] is None and body["credit_status"] is None and body["payments"] is None
    # The rest is there.
    assert body["customer"]["rfc"] == known.rfc
    assert [user["name"] for user in body["users"]] == ["Ana Pérez"]
    assert [item["id"] for item in body["devices"]] == [device["id"]]
    assert body["incidents"] == []
    [viewed] = _audit_rows(session_factory, known.id)[-1:]
    assert viewed.action == "customer.overview_viewed"
    assert viewed.detail == {"unavailable": ["billing-service", "payment-service"]}


def test_a_failing_service_is_named_with_what_went_wrong(overview_app, bearer, known, client_for, peers):
    peers["payment"].failing = True
    client = client_for(overview_app())

    response = client.get(f"/api/v1/staff/customers/{known.id}/overview", headers=bearer("agent"))

    assert response.status_code == 200
    assert response.json["unavailable"] == [{"service": "payment-service", "part": "payments",
                                             "detail": "failed (HTTP 500)"}]
    assert response.json["credit_status"]["status"] == "overdue"


def test_identity_down_falls_back_to_servicedesks_copy_of_the_customer(overview_app, bearer, known, client_for):
    client = client_for(overview_app(identity=closed_port_url()))

    response = client.get(f"/api/v1/staff/customers/{known.id}/overview", headers=bearer("agent"))

    assert response.status_code == 200, response.json
    body = response.json
    assert {entry["part"] for entry in body["unavailable"]} == {"customer", "users"}
    assert body["customer"]["rfc"] == known.rfc and body["customer"]["name"] == known.name
    # The account numbers come from billing's accounts when identity cannot say.
    assert body["customer"]["account_numbers"] == known.account_numbers
    assert body["users"] is None


def test_identity_down_and_customer_unknown_here_is_503(overview_app, bearer, client_for, session_factory):
    client = client_for(overview_app(identity=closed_port_url()))
    stranger = str(uuid.uuid4())

    response = client.get(f"/api/v1/staff/customers/{stranger}/overview", headers=bearer("agent"))

    assert response.status_code == 503
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json["code"] == "servicedesk.peer_unavailable"
    assert _audit_rows(session_factory, stranger) == []


def test_unknown_customer_is_404_and_not_audited(overview_app, bearer, client_for, session_factory, deliver):
    # servicedesk has a copy, identity does not know it: identity owns customers, so it is 404.
    event = customer_registered()
    deliver(event)
    client = client_for(overview_app())
    customer_id = str(event.data["customer_id"])

    response = client.get(f"/api/v1/staff/customers/{customer_id}/overview", headers=bearer("agent"))

    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json["code"] == "servicedesk.customer_not_found"
    assert _audit_rows(session_factory, customer_id) == []


@pytest.mark.parametrize("role", ["admin", "billing", "device_admin", "operator"])
def test_only_agents_see_the_overview(overview_app, bearer, known, client_for, peers, role):
    client = client_for(overview_app())
    customer_id = None if role == "operator" else uuid.UUID(known.id)

    response = client.get(f"/api/v1/staff/customers/{known.id}/overview", headers=bearer(role, customer_id=customer_id))

    assert response.status_code == 403
    assert response.headers["Content-Type"] == "application/problem+json"
    assert all(peer.received == [] for peer in peers.values())


def test_overview_needs_a_token(overview_app, known, client_for):
    response = client_for(overview_app()).get(f"/api/v1/staff/customers/{known.id}/overview")
    assert response.status_code == 401


@pytest.fixture
def client_for():
    return lambda app: app.test_client()
