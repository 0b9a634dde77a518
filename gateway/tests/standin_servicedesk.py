"""servicedesk-service played over real HTTP, as docs/api.md and the service's schemas describe it.

It checks what the real one checks before the pages could rely on it: the token, the role per
route, the customer from the token (another customer's device or incident is 404, like an unknown
id), a device admin's assigned devices, the meter rules (a reading holds every counter of the
device, each never lower than its previous reading, one reading per device and day) and who may move an incident where. Answers are
problem+json with the fields named, as the service sends them.
"""
from __future__ import annotations

import re
import uuid
from datetime import date

from werkzeug.wrappers import Response

from standins import CUSTOMER_ID, FakeIdentity, ScopedService, authorize, invalid, json_response, problem, routed_app

OTHER_CUSTOMER_ID = "cust-2"
DEVICE_ROLES = {"admin", "device_admin", "stock_device_admin", "agent", "operator"}
DEVICE_EDITORS = {"admin", "device_admin", "stock_device_admin", "agent"}
OPENING_ROLES = DEVICE_EDITORS
COMMENTING_ROLES = DEVICE_ROLES
ASSIGNED_ONLY = {"device_admin", "stock_device_admin"}
STATUSES = ("open", "acknowledged", "in_progress", "resolved", "closed", "cancelled")
TRANSITIONS = {
    ("open", "acknowledged"): "vendor",
    ("acknowledged", "in_progress"): "vendor",
    ("in_progress", "resolved"): "vendor",
    ("open", "cancelled"): "customer",
    ("resolved", "closed"): "customer",
}
# servicedesk's domain keys (servicedesk_service.domain.categories), in its order.
CATEGORIES = ("paper_jam", "print_quality", "error_code", "no_power", "scanning", "toner", "noise", "other")
_EMAIL = re.compile(r"\A[^@\s]+@[^@\s]+\.[^@\s]+\Z")

# Fixed ids, so tests can name them.
COPIER = "0b5f8a52-6d0e-4c57-9a0c-5d1a51d3c001"  # cust-1, assigned to the signed-in device admin
PRINTER = "0b5f8a52-6d0e-4c57-9a0c-5d1a51d3c002"  # cust-1, assigned to nobody
RETIRED = "0b5f8a52-6d0e-4c57-9a0c-5d1a51d3c003"  # cust-1, retired
FOREIGN = "0b5f8a52-6d0e-4c57-9a0c-5d1a51d3c009"  # cust-2's
SIGNED_IN_USER = "u1"  # the user id FakeIdentity puts in every token


def device(id, serial, model, customer, account, location, *, status="active", counters=("black", "color"),
           response_hours=8):
    return {"id": id, "serial_number": serial, "model": model, "customer_id": customer, "account_number": account,
            "install_address": "Av. Reforma 222, Col. Juárez, CDMX", "location": location,
            "response_hours": response_hours, "counters": list(counters), "status": status,
            "created_at": "2026-01-10T15:00:00+00:00",
            "retired_at": "2026-06-01T15:00:00+00:00" if status == "retired" else None,
            "removed_at": None, "stock_location_id": None}


class FakeServicedesk(ScopedService):
    # The service's local day (America/Mexico_City) for the readings it takes now.
    TODAY = date(2026, 11, 23)
    # The business-hours clock is servicedesk's (and tested there); the stand-in answers fixed
    # times: opened 10:00, due 14:00 the next day, Mexico City time (UTC-6 in November).
    OPENED_AT = "2026-11-23T16:00:00+00:00"
    DUE_AT = "2026-11-24T20:00:00+00:00"

    def __init__(self, tokens):
        super().__init__(tokens)
        self.devices = {d["id"]: d for d in (
            device(COPIER, "SN-COPIER-01", "imageRUNNER ADVANCE C5840i", CUSTOMER_ID, "005300", "Piso 3, recepción"),
            device(PRINTER, "SN-PRINT-02", "imageCLASS LBP226dw", CUSTOMER_ID, "005301", "Almacén",
                   counters=("black",)),
            device(RETIRED, "SN-OLD-03", "iR 2520", CUSTOMER_ID, "005300", "Bodega", status="retired"),
            device(FOREIGN, "SN-OTHER-09", "iR C3226", OTHER_CUSTOMER_ID, "009900", "Planta baja"),
        )}
        self.assignments = {COPIER: {SIGNED_IN_USER}}
        self.locations = {d: [{"location": self.devices[d]["location"], "moved_at": "2026-01-10T15:00:00+00:00",
                               "moved_by": None}] for d in self.devices}
        self.readings = {d: [] for d in self.devices}
        self.readings[COPIER].append(self._reading(COPIER, {"black": 12400, "color": 3100}, {}, date(2026, 11, 20)))
        self.incidents: dict[str, dict] = {}
        self.sla_status = "on_time"

    # --- who reaches what -------------------------------------------------------------------------

    def _reaches(self, principal, found: dict) -> bool:
        if principal.is_staff:
            return True
        if found["customer_id"] != principal.customer_id or found.get("removed_at"):
            return False
        if principal.roles & {"admin"}:
            return True
        return principal.user_id in self.assignments.get(found["id"], set())

    def _device(self, principal, device_id: str) -> dict | None:
        found = self.devices.get(device_id)
        return found if found is not None and self._reaches(principal, found) else None

    @staticmethod
    def _not_found(what: str, id: str) -> Response:
        # servicedesk.device_not_found, servicedesk.incident_not_found
        return problem(404, "Not found", f"No {what} {id}.", code=f"servicedesk.{what}_not_found")

    # --- devices ---------------------------------------------------------------------------------

    def list_devices(self, request):
        principal, refused = self.principal(request, DEVICE_ROLES)
        if refused:
            return refused
        wanted = request.args.get("customer_id")
        items = [d for d in self.devices.values() if self._reaches(principal, d)
                 and (not principal.is_staff or wanted is None or d["customer_id"] == wanted)]
        return json_response({"items": sorted(items, key=lambda d: d["serial_number"])})

    def get_device(self, request, id):
        principal, refused = self.principal(request, DEVICE_ROLES)
        if refused:
            return refused
        found = self._device(principal, id)
        return json_response(found) if found else self._not_found("device", id)

    def move(self, request, id):
        principal, refused = self.principal(request, DEVICE_EDITORS)
        if refused:
            return refused
        found = self._device(principal, id)
        if found is None:
            return self._not_found("device", id)
        body = request.get_json(silent=True)
        location = body.get("location") if isinstance(body, dict) else None
        if not isinstance(location, str) or not 1 <= len(location) <= 500:
            return invalid({"location": ["Length must be between 1 and 500."]})
        if not location.strip():
            return invalid({"location": ["Say where the device is."]})
        if location.strip() != found["location"]:
            found["location"] = location.strip()
            self.locations[id].insert(0, {"location": found["location"], "moved_at": "2026-11-23T17:30:00+00:00",
                                          "moved_by": principal.user_id})
        return json_response(found)

    def location_history(self, request, id):
        principal, refused = self.principal(request, DEVICE_ROLES)
        if refused:
            return refused
        if self._device(principal, id) is None:
            return self._not_found("device", id)
        return json_response({"items": self.locations[id]})

    def _reading(self, device_id, values, previous, read_on):
        return {"id": str(uuid.uuid4()), "device_id": device_id, "read_on": read_on.isoformat(),
                "recorded_at": f"{read_on.isoformat()}T18:00:00+00:00",
                "counters": [{"counter": name, "value": value, "previous_value": previous.get(name), "series": 1}
                             for name, value in values.items()]}

    def submit_reading(self, request, id):
        principal, refused = self.principal(request, DEVICE_EDITORS)
        if refused:
            return refused
        found = self._device(principal, id)
        if found is None:
            return self._not_found("device", id)
        body = request.get_json(silent=True) or {}
        counters = body.get("counters")
        if not isinstance(counters, dict) or not counters:
            return invalid({"counters": ["Missing data for required field."]})
        errors = {}
        for name, value in counters.items():
            # The schema is strict: "12" and 12.5 are refused, not coerced.
            if not isinstance(value, int) or isinstance(value, bool):
                errors[f"counters.{name}"] = ["Not a valid integer."]
            elif not 0 <= value <= 10**15:
                errors[f"counters.{name}"] = [
                    "Must be greater than or equal to 0 and less than or equal to 1000000000000000."]
        if errors:
            return invalid(errors)
        values = {str(name).strip().lower(): value for name, value in counters.items()}
        unknown = [name for name in values if name not in found["counters"]]
        if unknown:
            return invalid({f"counters.{name}": [f"Unknown counter {name!r}; this device has: "
                                                 f"{', '.join(found['counters'])}."] for name in unknown},
                           code="servicedesk.unknown_counter")
        missing = [name for name in found["counters"] if name not in values]
        if missing:
            return invalid({f"counters.{name}": [f"Give the reading of counter {name}."] for name in missing},
                           field_codes={f"counters.{name}": ["field.required"] for name in missing})
        if found["status"] == "retired":
            return problem(409, "Conflict", "The device is retired and takes no more readings.",
                           code="servicedesk.device_out_of_service")
        taken = self.readings[id]
        if any(r["read_on"] == self.TODAY.isoformat() for r in taken):
            return problem(409, "Conflict", f"The device already has a reading for {self.TODAY.isoformat()}; "
                                            "one reading per day.", read_on=self.TODAY.isoformat(),
                           code="servicedesk.reading_already_today")
        previous = {}
        for reading in reversed(taken):  # oldest first, so the newest value of each counter stays
            for item in reading["counters"]:
                previous[item["counter"]] = (item["value"], reading["read_on"])
        lower = {name: previous[name] for name in found["counters"]
                 if name in previous and values[name] < previous[name][0]}
        if lower:
            errors = {f"counters.{name}": [f"The reading {values[name]} of counter {name} is lower than its previous "
                                           f"accepted reading {value} of {day}."]
                      for name, (value, day) in lower.items()}
            return invalid(errors, " ".join(m for ms in errors.values() for m in ms),
                           previous={name: {"value": value, "read_on": day} for name, (value, day) in lower.items()},
                           code="servicedesk.reading_below_previous")
        reading = self._reading(id, {name: values[name] for name in found["counters"]},
                                {name: value for name, (value, _day) in previous.items()}, self.TODAY)
        taken.insert(0, reading)
        return json_response(reading, 201)

    def reading_history(self, request, id):
        principal, refused = self.principal(request, DEVICE_ROLES)
        if refused:
            return refused
        if self._device(principal, id) is None:
            return self._not_found("device", id)
        return json_response({"items": self.readings[id]})

    # --- incidents -------------------------------------------------------------------------------

    def _view(self, incident: dict, *, with_history: bool) -> dict:
        view = {k: v for k, v in incident.items() if k != "history"}
        view["sla"] = {"response_due_at": incident["response_due_at"], "status": self.sla_status,
                       "responded_at": incident["acknowledged_at"]}
        if with_history:
            view["history"] = incident["history"]
        return view

    def _incident(self, principal, incident_id: str) -> dict | None:
        found = self.incidents.get(incident_id)
        if found is None:
            return None
        return found if self._reaches(principal, self.devices[found["device_id"]]) else None

    def categories(self, request):
        _principal, refused = self.principal(request, None)
        if refused:
            return refused
        return json_response({"items": [{"key": key} for key in CATEGORIES]})

    def open_incident(self, request):
        principal, refused = self.principal(request, OPENING_ROLES)
        if refused:
            return refused
        body = request.get_json(silent=True) or {}
        errors: dict = {}
        try:
            device_id = str(uuid.UUID(str(body.get("device_id"))))
        except ValueError:
            errors["device_id"] = ["Not a valid UUID."]
        category = body.get("category")
        if not isinstance(category, str) or not 1 <= len(category) <= 100:
            errors["category"] = ["Length must be between 1 and 100."]
        description = body.get("description")
        if not isinstance(description, str) or not 1 <= len(description) <= 5000:
            errors["description"] = ["Length must be between 1 and 5000."]
        contact = body.get("contact")
        if not isinstance(contact, dict):
            errors["contact"] = ["Missing data for required field."]
        else:
            contact_errors = {}
            for name, limit in (("name", 200), ("phone", 40)):
                text = contact.get(name)
                if not isinstance(text, str) or not 1 <= len(text) <= limit:
                    contact_errors[name] = [f"Length must be between 1 and {limit}."]
            if not isinstance(contact.get("email"), str) or not _EMAIL.match(contact["email"]):
                contact_errors["email"] = ["Not a valid email address."]
            if contact_errors:
                errors["contact"] = contact_errors
        if errors:
            return invalid(errors)
        # After the schema, the service's own rule: its own code when the category is all that is wrong.
        if category.strip() not in CATEGORIES:
            return invalid({"category": [f"Unknown category {category.strip()!r}; choose one of: "
                                         f"{', '.join(CATEGORIES)}."]}, code="servicedesk.unknown_category")
        found = self._device(principal, device_id)
        if found is None:
            return self._not_found("device", device_id)
        if found["status"] == "retired" or found["removed_at"]:
            return problem(409, "Conflict", "The device is no longer in service; no incidents can be opened for it.",
                           {"device_id": ["Retired or removed device."]}, code="servicedesk.device_out_of_service")
        side = "vendor" if principal.is_staff else "customer"
        incident = {
            "id": str(uuid.uuid4()), "number": f"INC-2026-{len(self.incidents) + 1:06d}",
            "customer_id": found["customer_id"], "device_id": found["id"], "category": body["category"].strip(), "description": body["description"].strip(),
            "contact": {k: contact[k].strip() for k in ("name", "phone", "email")}, "status": "open",
            "opened_at": self.OPENED_AT, "opened_by": principal.user_id, "response_due_at": self.DUE_AT,
            "acknowledged_at": None, "ended_at": None,
            "history": [{"kind": "status", "from_status": None, "to_status": "open", "text": None,
                         "author": principal.user_id, "side": side, "at": self.OPENED_AT}],
        }
        self.incidents[incident["id"]] = incident
        return json_response(self._view(incident, with_history=True), 201)

    def list_incidents(self, request):
        principal, refused = self.principal(request, DEVICE_ROLES)
        if refused:
            return refused
        status = request.args.get("status")
        if status is not None and status not in STATUSES:
            return invalid({"status": [f"Must be one of: {', '.join(STATUSES)}."]})
        wanted = request.args.get("customer_id")
        items = [self._view(i, with_history=False) for i in self.incidents.values()
                 if self._reaches(principal, self.devices[i["device_id"]])
                 and (not principal.is_staff or wanted is None or i["customer_id"] == wanted)
                 and status in (None, i["status"])]
        return json_response({"items": items})

    def get_incident(self, request, id):
        principal, refused = self.principal(request, DEVICE_ROLES)
        if refused:
            return refused
        found = self._incident(principal, id)
        return json_response(self._view(found, with_history=True)) if found else self._not_found("incident", id)

    def comment(self, request, id):
        principal, refused = self.principal(request, COMMENTING_ROLES)
        if refused:
            return refused
        found = self._incident(principal, id)
        if found is None:
            return self._not_found("incident", id)
        text = (request.get_json(silent=True) or {}).get("text")
        if not isinstance(text, str) or not 1 <= len(text) <= 5000:
            return invalid({"text": ["Length must be between 1 and 5000."]})
        if not text.strip():
            return invalid({"text": ["Write the comment."]})
        entry = {"kind": "comment", "from_status": None, "to_status": None, "text": text.strip(),
                 "author": principal.user_id, "side": "vendor" if principal.is_staff else "customer",
                 "at": "2026-11-23T17:00:00+00:00"}
        found["history"].append(entry)
        return json_response(entry, 201)

    def change_status(self, request, id):
        principal, refused = self.principal(request, COMMENTING_ROLES)
        if refused:
            return refused
        found = self._incident(principal, id)
        if found is None:
            return self._not_found("incident", id)
        target = (request.get_json(silent=True) or {}).get("status")
        if target not in STATUSES:
            return invalid({"status": [f"Must be one of: {', '.join(STATUSES)}."]})
        side = "vendor" if principal.is_staff else "customer"
        allowed = TRANSITIONS.get((found["status"], target))
        if allowed is None:
            message = f"An incident that is {found['status']} cannot become {target}."
            return problem(409, "Conflict", message, {"status": [message]}, code="servicedesk.incident_move_not_allowed")
        if allowed != side:
            return problem(403, "Forbidden", f"Only the {allowed} may move an incident from {found['status']} "
                                             f"to {target}.", code="servicedesk.incident_move_other_side")
        found["history"].append({"kind": "status", "from_status": found["status"], "to_status": target, "text": None,
                                 "author": principal.user_id, "side": side, "at": "2026-11-23T17:10:00+00:00"})
        found["status"] = target
        if target == "acknowledged":
            found["acknowledged_at"] = "2026-11-23T17:10:00+00:00"
        if target in ("closed", "cancelled"):
            found["ended_at"] = "2026-11-23T17:10:00+00:00"
        return json_response(self._view(found, with_history=True))

    def app(self):
        return routed_app([
            ("GET", "/api/v1/devices", self.list_devices),
            ("GET", "/api/v1/devices/{id}", self.get_device),
            ("PATCH", "/api/v1/devices/{id}", self.move),
            ("GET", "/api/v1/devices/{id}/locations", self.location_history),
            ("GET", "/api/v1/devices/{id}/meter-readings", self.reading_history),
            ("POST", "/api/v1/devices/{id}/meter-readings", self.submit_reading),
            ("GET", "/api/v1/incident-categories", self.categories),
            ("POST", "/api/v1/incidents", self.open_incident),
            ("GET", "/api/v1/incidents", self.list_incidents),
            ("GET", "/api/v1/incidents/{id}", self.get_incident),
            ("POST", "/api/v1/incidents/{id}/comments", self.comment),
            ("POST", "/api/v1/incidents/{id}/status", self.change_status),
        ])

    def writes(self) -> list[dict]:
        return [call for call in self.calls if call["method"] != "GET"]


class DeskIdentity(FakeIdentity):
    """identity as FakeIdentity plays it, plus GET /api/v1/customers/{id} (staff), which the device
    page asks for a customer's system account number."""

    CUSTOMERS = {
        OTHER_CUSTOMER_ID: {"id": OTHER_CUSTOMER_ID, "rfc": "OTR900101AB2", "name": "Otra Empresa SA de CV",
                            "system_account_number": "SYS-99001", "account_numbers": ["009900"]},
    }

    def customer(self, request, id):
        self._record(request)
        principal, refused = authorize(self.verifier, request)
        if refused:
            return refused
        if not principal.is_staff:
            return problem(403, "Forbidden")
        found = self.CUSTOMERS.get(id)
        return json_response(found) if found else problem(404, "Customer not found", "No such customer.",
                                                          code="identity.customer_not_found")

    def app(self):
        accounts = super().app()
        customers = routed_app([("GET", "/api/v1/customers/{id}", self.customer)])

        def app(environ, start_response):
            if environ.get("PATH_INFO", "").startswith("/api/v1/customers/"):
                return customers(environ, start_response)
            return accounts(environ, start_response)

        return app
