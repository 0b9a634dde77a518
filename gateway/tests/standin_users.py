"""Stand-ins for user administration: identity's users API and servicedesk's devices and their
assignees, answering as identity-service and servicedesk-service do (docs/api.md and their api/)."""
from __future__ import annotations

import re
import threading

from portal_shared.auth.roles import CUSTOMER_ROLES

from standins import CUSTOMER_ID, FakeIdentity, ScopedService, authorize, invalid, json_response, problem, routed_app

OTHER_CUSTOMER = "cust-2"
ADMIN_ID = "u1"  # the signed-in user of FakeIdentity's tokens
DEVICE_ADMIN_ID = "6f1c2f0e-7a47-4c1e-9a51-2f4f5f7a1b01"
BILLING_ID = "6f1c2f0e-7a47-4c1e-9a51-2f4f5f7a1b02"
OTHER_DEVICE_ADMIN_ID = "6f1c2f0e-7a47-4c1e-9a51-2f4f5f7a1b03"
FOREIGN_ID = "9a9a9a9a-0000-4000-8000-000000000009"
_EMAIL = re.compile(r"\A[^@\s]+@[^@\s]+\.[^@\s]+\Z")
_ROLE_CHOICES = ", ".join(sorted(CUSTOMER_ROLES))


def user(id, customer, name, email, roles, status="active"):
    return {"id": id, "customer_id": customer, "username": email, "email": email, "email_verified": status == "active",
            "name": name, "roles": sorted(roles), "status": status, "created_at": "2026-11-01T12:00:00+00:00"}


class FakeUsers(FakeIdentity):
    """identity-service with a customer's users: admins manage their own company's (another's
    answers 404), roles must be customer roles, an e-mail is used once (an invitation answers
    202 alike whether or not it is), the last admin stays."""

    def __init__(self, tokens):
        super().__init__(tokens)
        self.roles = ["admin"]
        self.users = {u["id"]: u for u in (
            user(ADMIN_ID, CUSTOMER_ID, "Ana Pérez", "ana@example.mx", ["admin"]),
            user(DEVICE_ADMIN_ID, CUSTOMER_ID, "Beto Ruiz", "beto@example.mx", ["device_admin"]),
            user(BILLING_ID, CUSTOMER_ID, "Carla Díaz", "carla@example.mx", ["billing"], "pending_activation"),
            user(OTHER_DEVICE_ADMIN_ID, CUSTOMER_ID, "Dora Luna", "dora@example.mx", ["stock_device_admin"]),
            user(FOREIGN_ID, OTHER_CUSTOMER, "Otro Cliente", "otro@example.mx", ["admin"]),
        )}
        self.user_calls: list[dict] = []
        self.down = False  # fails as identity does when its database is gone: its unexpected error, a 500
        self._lock = threading.Lock()

    def _principal(self, request, allowed):
        body = request.get_json(silent=True)
        with self._lock:
            self.user_calls.append({"method": request.method, "path": request.path, "args": dict(request.args),
                                    "body": body})
        if self.down:
            return None, problem(500, "Internal Server Error", "An unexpected error occurred.",
                                 code="server.unexpected")
        return authorize(self.verifier, request, allowed)

    @staticmethod
    def _no_such_user():
        return problem(404, "User not found", "No such user.", code="identity.user_not_found")

    def _target(self, principal, user_id):
        found = self.users.get(user_id)
        if found is None or found["customer_id"] != principal.customer_id:
            return None
        return found

    def _check(self, body: dict, allowed: set[str], required: set[str]) -> dict:
        errors: dict = {name: ["Unknown field."] for name in set(body) - allowed}
        errors.update({name: ["Missing data for required field."] for name in required - set(body)})
        if "email" in body and not _EMAIL.match(str(body["email"])):
            errors["email"] = ["Not a valid email address."]
        if "name" in body and not 1 <= len(str(body["name"])) <= 200:
            errors["name"] = ["Length must be between 1 and 200."]
        if "roles" in body:
            wrong = {str(n): [f"Must be one of: {_ROLE_CHOICES}."]
                     for n, role in enumerate(body["roles"] or []) if role not in CUSTOMER_ROLES}
            if wrong:
                errors["roles"] = wrong
            elif not body["roles"]:
                errors["roles"] = ["Shorter than minimum length 1."]
        return errors

    def list_users(self, request):
        principal, refused = self._principal(request, {"admin", "agent"})
        if refused:
            return refused
        customer = principal.customer_id
        if principal.is_staff:
            customer = request.args.get("customer_id")
            if not customer:
                return invalid({"customer_id": ["Customer service must name the customer: ?customer_id=…"]},
                               "Invalid: customer_id.")
        items = sorted((u for u in self.users.values() if u["customer_id"] == customer), key=lambda u: u["username"])
        return json_response({"items": items})

    def invite(self, request):
        principal, refused = self._principal(request, {"admin"})
        if refused:
            return refused
        body = request.get_json(silent=True) or {}
        errors = self._check(body, {"email", "name", "roles"}, {"email", "name", "roles"})
        if errors:
            return invalid(errors)
        address = body["email"].strip().lower()
        # An address already in use, in any company, gets no second user but the same answer.
        if not any(u["email"] == address for u in self.users.values()):
            new_id = f"6f1c2f0e-7a47-4c1e-9a51-{len(self.users):012d}"
            self.users[new_id] = user(new_id, principal.customer_id, body["name"].strip(), address, body["roles"],
                                      "pending_activation")
        return json_response({"email": address, "status": "invitation_sent"}, 202)

    def get_user(self, request, id):
        principal, refused = self._principal(request, {"admin", "agent"})
        if refused:
            return refused
        found = self._target(principal, id)
        return json_response(found) if found else self._no_such_user()

    def patch_user(self, request, id):
        principal, refused = self._principal(request, {"admin"})
        if refused:
            return refused
        body = request.get_json(silent=True) or {}
        errors = self._check(body, {"name", "roles"}, set())
        if errors:
            return invalid(errors)
        found = self._target(principal, id)
        if found is None:
            return self._no_such_user()
        if "roles" in body:
            admins = [u for u in self.users.values() if u["customer_id"] == principal.customer_id
                      and u["status"] == "active" and "admin" in u["roles"]]
            if "admin" in found["roles"] and "admin" not in body["roles"] and [u["id"] for u in admins] == [id]:
                return problem(409, "Last admin of the customer", "A customer keeps at least one admin.",
                               {"roles": ["This is the company's last active admin."]}, code="identity.last_admin")
            found["roles"] = sorted(set(body["roles"]))
        if "name" in body:
            found["name"] = body["name"].strip()
        return json_response(found)

    def disable(self, request, id):
        principal, refused = self._principal(request, {"admin"})
        if refused:
            return refused
        found = self._target(principal, id)
        if found is None:
            return self._no_such_user()
        if id == principal.user_id:
            return problem(409, "Cannot disable own account", "You cannot disable your own account.",
                           code="identity.cannot_disable_self")
        found["status"] = "disabled"
        return json_response(None, 204)

    def app(self):
        plain = super().app()
        routed = routed_app([
            ("GET", "/api/v1/users", self.list_users),
            ("POST", "/api/v1/users", self.invite),
            ("GET", "/api/v1/users/{id}", self.get_user),
            ("PATCH", "/api/v1/users/{id}", self.patch_user),
            ("DELETE", "/api/v1/users/{id}", self.disable),
        ])

        def app(environ, start_response):
            target = routed if environ["PATH_INFO"].startswith("/api/v1/users") else plain
            return target(environ, start_response)

        return app

    def calls_to(self, method: str) -> list[dict]:
        return [call for call in self.user_calls if call["method"] == method]


DEVICE_ROLES = {"admin", "device_admin", "stock_device_admin", "agent", "operator"}
ASSIGNABLE_ROLES = {"device_admin", "stock_device_admin"}


def device(id, serial, assignees, customer=CUSTOMER_ID):
    return {"id": id, "serial_number": serial, "model": "imageRUNNER ADVANCE C3530", "customer_id": customer,
            "account_number": "005300", "install_address": "Av. Reforma 222, CDMX", "location": "Piso 3",
            "response_hours": 8, "counters": ["bw", "color"], "status": "active", "stock_location_id": None,
            "assignees": list(assignees)}


class FakeDevices(ScopedService):
    """servicedesk-service's devices as docs/api.md gives them (assignees[] in each device), and
    PUT …/assignees replacing the list with device admins of the device's own customer."""

    def __init__(self, tokens, users: dict[str, dict], *, with_assignees: bool = True):
        super().__init__(tokens)
        # servicedesk's own copy of the users, kept from identity's events: it can lag behind.
        self.users = users
        self.with_assignees = with_assignees
        self.devices = {d["id"]: d for d in (
            device("dev-1", "SN-1001", [DEVICE_ADMIN_ID]),
            device("dev-2", "SN-1002", [OTHER_DEVICE_ADMIN_ID]),
            device("dev-3", "SN-1003", [DEVICE_ADMIN_ID, OTHER_DEVICE_ADMIN_ID]),
            device("dev-9", "SN-9009", [], customer=OTHER_CUSTOMER),
        )}

    def _shown(self, item):
        return item if self.with_assignees else {k: v for k, v in item.items() if k != "assignees"}

    def list_devices(self, request):
        self.record(request)
        try:
            principal = self.verifier.verify(request.headers.get("Authorization", "").partition(" ")[2])
        except Exception:
            return problem(401, "Unauthorized")
        if not principal.roles & DEVICE_ROLES:
            return problem(403, "Forbidden", "Your role does not allow this.")
        items = [d for d in self.devices.values() if d["customer_id"] == principal.customer_id
                 and ("admin" in principal.roles or principal.user_id in d["assignees"])]
        return json_response({"items": [self._shown(d) for d in sorted(items, key=lambda d: d["serial_number"])]})

    def put_assignees(self, request, id):
        customer, refused = self.scope(request, {"admin"})
        if refused:
            return refused
        found = self.devices.get(id)
        if found is None or found["customer_id"] != customer:
            return problem(404, "Not found", f"No device {id}.", code="servicedesk.device_not_found")
        body = request.get_json(silent=True) or {}
        if not isinstance(body.get("user_ids"), list):
            return invalid({"user_ids": ["Missing data for required field."]})
        wrong = []
        for user_id in sorted(set(body["user_ids"])):
            holder = self.users.get(user_id)
            if holder is None or holder["customer_id"] != found["customer_id"]:
                wrong.append(f"{user_id} is not a user of this customer.")
            elif not ASSIGNABLE_ROLES & set(holder["roles"]):
                wrong.append(f"{user_id} is not a device admin.")
        if wrong:
            return invalid({"user_ids": wrong}, code="servicedesk.assignee_not_device_admin")
        found["assignees"] = sorted(set(body["user_ids"]))
        return json_response({"device_id": id, "user_ids": found["assignees"]})

    def app(self):
        return routed_app([
            ("GET", "/api/v1/devices", self.list_devices),
            ("PUT", "/api/v1/devices/{id}/assignees", self.put_assignees),
        ])

    def puts(self) -> list[dict]:
        return [call for call in self.calls if call["method"] == "PUT"]

