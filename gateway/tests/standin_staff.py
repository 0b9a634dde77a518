"""Stand-ins for the customer service pages: identity's customers and its e-mail correction, and
servicedesk's customer overview, answering as identity-service and servicedesk-service do
(docs/api.md, identity's api/ and servicedesk's api/staff.py)."""
from __future__ import annotations

import re
import threading

from standins import CUSTOMER_ID, RFC, FakeIdentity, authorize, invalid, json_response, problem, routed_app

OTHER_CUSTOMER = "cust-2"
# A third company whose name also has "Copias" and whose account number begins with 005300.
THIRD_CUSTOMER = "cust-3"
USER_ID = "7b0c5d1e-1f2a-4b3c-8d4e-5f6a7b8c9d01"
OTHER_USER_ID = "7b0c5d1e-1f2a-4b3c-8d4e-5f6a7b8c9d02"
_EMAIL = re.compile(r"\A[^@\s]+@[^@\s]+\.[^@\s]+\Z")

CUSTOMERS = {
    CUSTOMER_ID: {"id": CUSTOMER_ID, "rfc": RFC, "name": "Copias del Centro SA de CV",
                  "system_account_number": "SYS-77120", "account_numbers": ["005300", "005301"],
                  "created_at": "2026-01-05T16:00:00+00:00"},
    OTHER_CUSTOMER: {"id": OTHER_CUSTOMER, "rfc": "IMP990202XY3", "name": "Impresiones del Bajío SA",
                     "system_account_number": "SYS-88001", "account_numbers": ["009900"],
                     "created_at": "2026-01-06T16:00:00+00:00"},
    THIRD_CUSTOMER: {"id": THIRD_CUSTOMER, "rfc": "CNO010101AA1", "name": "Copias del Norte SA de CV",
                     "system_account_number": "SYS-90210", "account_numbers": ["0053001"],
                     "created_at": "2026-01-07T16:00:00+00:00"},
}


def _user(id, customer, name, email, roles):
    return {"id": id, "customer_id": customer, "username": email, "email": email, "email_verified": True,
            "name": name, "roles": roles, "status": "active", "created_at": "2026-01-05T16:00:00+00:00"}


class StaffIdentity(FakeIdentity):
    """identity-service for an agent: customers to look up (all, or one by id; `directory_down`
    makes them answer 503), and users whose e-mail it corrects (PATCH {email} only; a bad address
    is a 422 naming email; a taken one a 409)."""

    CUSTOMERS = CUSTOMERS

    def __init__(self, tokens):
        super().__init__(tokens)
        self.roles = ["agent"]
        self.directory_down = False
        self.users = {
            USER_ID: _user(USER_ID, CUSTOMER_ID, "Laura Méndez", "laura@example.mx", ["admin"]),
            OTHER_USER_ID: _user(OTHER_USER_ID, OTHER_CUSTOMER, "Otro Cliente", "otro@example.mx", ["admin"]),
        }
        self.staff_calls: list[dict] = []
        self._lock = threading.Lock()

    def _agent(self, request, allowed=frozenset({"agent", "operator"})):
        body = request.get_json(silent=True)
        with self._lock:
            self.staff_calls.append({"method": request.method, "path": request.path, "args": dict(request.args),
                                     "body": body, "authorization": request.headers.get("Authorization")})
        _principal, refused = authorize(self.verifier, request, allowed)
        return refused

    def customers(self, request):
        refused = self._agent(request)
        if refused:
            return refused
        if self.directory_down:
            return problem(503, "Service unavailable", "The database is not answering.")
        return json_response({"items": sorted(CUSTOMERS.values(), key=lambda c: c["name"])})

    def customer(self, request, id):
        refused = self._agent(request)
        if refused:
            return refused
        if self.directory_down:
            return problem(503, "Service unavailable", "The database is not answering.")
        found = CUSTOMERS.get(id)
        return json_response(found) if found else problem(404, "Customer not found", "No such customer.",
                                                          code="identity.customer_not_found")

    def get_user(self, request, id):
        refused = self._agent(request, frozenset({"admin", "agent"}))
        if refused:
            return refused
        found = self.users.get(id)
        if found is None:
            return problem(404, "User not found", "No such user.", code="identity.user_not_found")
        return json_response(found)

    def patch_user(self, request, id):
        refused = self._agent(request, frozenset({"admin", "agent"}))
        if refused:
            return refused
        found = self.users.get(id)
        body = request.get_json(silent=True) or {}
        # The body's schema first (webargs, before the view), then identity's rules.
        if "email" in body and not _EMAIL.match(str(body["email"])):
            return invalid({"email": ["Not a valid email address."]})
        if set(body) - {"email"}:
            return problem(403, "Customer service corrects e-mail only",
                           "Customer service may only correct a user's e-mail.",
                           {name: ["Not changeable by customer service."] for name in sorted(set(body) - {"email"})},
                           code="identity.agent_change_not_allowed")
        if found is None:
            return problem(404, "User not found", "No such user.", code="identity.user_not_found")
        if "email" in body:
            if any(u["email"] == body["email"] and u["id"] != id for u in self.users.values()):
                return problem(409, "E-mail address in use", "Another user already has this e-mail address.",
                               {"email": ["Already in use."]}, code="identity.email_in_use")
            found.update(email=body["email"], email_verified=False)
        return json_response(found)

    def app(self):
        return routed_app([
            ("POST", "/api/v1/auth/login", self.login),
            ("POST", "/api/v1/auth/refresh", self.refresh),
            ("POST", "/api/v1/auth/logout", self.logout),
            ("GET", "/api/v1/me", self.me),
            ("GET", "/api/v1/customers", self.customers),
            ("GET", "/api/v1/customers/{id}", self.customer),
            ("GET", "/api/v1/users/{id}", self.get_user),
            ("PATCH", "/api/v1/users/{id}", self.patch_user),
        ])

    def patches(self) -> list[dict]:
        return [call for call in self.staff_calls if call["method"] == "PATCH"]


class StaffDesk:
    """servicedesk-service's GET /api/v1/staff/customers/{id}/overview (agent only), with the
    parts identity, billing and payment would give it; `unavailable` names what is left out."""

    def __init__(self, tokens, identity: StaffIdentity):
        self.identity = identity
        self.verifier = identity.verifier
        self.calls: list[dict] = []
        self.unavailable: list[dict] = []
        self._lock = threading.Lock()

    def overview(self, request, id):
        with self._lock:
            self.calls.append({"path": request.path, "authorization": request.headers.get("Authorization")})
        try:
            principal = self.verifier.verify(request.headers.get("Authorization", "").partition(" ")[2])
        except Exception:
            return problem(401, "Unauthorized")
        if "agent" not in principal.roles:
            return problem(403, "Forbidden", "Your role does not allow this.")
        customer = CUSTOMERS.get(id)
        if customer is None:
            return problem(404, "Not found", f"No customer {id}.", code="servicedesk.customer_not_found")
        missing = {entry["part"] for entry in self.unavailable}
        users = [u for u in self.identity.users.values() if u["customer_id"] == id]
        body = {
            "customer": {k: customer[k] for k in ("id", "rfc", "name", "system_account_number", "account_numbers")},
            "users": None if "users" in missing else users,
            "accounts": None if "accounts" in missing else [
                {"id": f"acc-{n}", "account_number": n, "system_account_number": customer["system_account_number"],
                 "opened_at": "2026-01-05T16:00:00+00:00"} for n in customer["account_numbers"]],
            "credit_status": None if "credit_status" in missing else {
                "customer_id": id, "status": "overdue", "days_overdue": 12, "oldest_due_date": "2026-02-26",
                "overdue_invoices": 1, "overdue_pending": {"MXN": "11600.00", "USD": "0.00"}, "block_after_days": 60},
            "payments": None if "payments" in missing else [
                {"id": "pay-2", "paid_at": "2026-03-02T18:30:00+00:00", "reference": "REF000002", "bank": "bbva",
                 "bank_reference": "BBVA-MP 000412", "total": "500.00", "currency": "MXN",
                 "invoices": [{"invoice_number": "F-1003", "account_number": "005300", "amount": "500.00",
                               "currency": "MXN"}]},
                {"id": "pay-1", "paid_at": "2026-02-10T17:00:00+00:00", "reference": "REF000001",
                 "bank": "citibanamex", "bank_reference": "BC-Banamex 063197", "total": "6893.80", "currency": "MXN",
                 "invoices": [{"invoice_number": "F-1002", "account_number": "005301", "amount": "400.00",
                               "currency": "USD"}]},
            ],
            "devices": [{"id": "dev-1", "serial_number": "SN-XK2201", "model": "imageRUNNER ADVANCE DX C5840i",
                         "customer_id": id, "account_number": "005300", "install_address": "Av. Reforma 222",
                         "location": "Piso 3, junto a recepción", "response_hours": 4,
                         "counters": ["total"], "status": "active", "created_at": "2026-01-10T16:00:00+00:00",
                         "retired_at": None, "removed_at": None}],
            "incidents": [{"id": "inc-1", "customer_id": id, "device_id": "dev-1", "category": "paper_jam",
                           "description": "Atasco en la bandeja 2.", "status": "open",
                           "opened_at": "2026-03-10T17:00:00+00:00", "response_due_at": "2026-03-10T21:00:00+00:00",
                           "sla": {"response_due_at": "2026-03-10T21:00:00+00:00", "status": "at_risk",
                                   "responded_at": None}}],
            "unavailable": self.unavailable,
        }
        return json_response(body)

    def app(self):
        return routed_app([("GET", "/api/v1/staff/customers/{id}/overview", self.overview)])
