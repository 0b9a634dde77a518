"""A stand-in for servicedesk's stock API (stock locations, inventory, toner orders), answering as
servicedesk-service's api/stock.py does: roles, the caller's customer, marshmallow's field errors."""
from __future__ import annotations

from standins import CUSTOMER_ID, ScopedService, invalid, json_response, problem, routed_app

OTHER_CUSTOMER = "cust-2"
READERS = {"admin", "stock_admin", "stock_device_admin", "agent"}
EDITORS = {"admin", "stock_admin", "stock_device_admin"}
ORDER_READERS = READERS | {"operator"}
MAX_QUANTITY = 1_000_000
LIMITS = {"name": 200, "shipping_address": 500}


def level(item, quantity, reorder_point):
    return {"toner_item": item, "quantity": quantity, "reorder_point": reorder_point}


def location(id, customer, name, address, instructions, levels):
    return {"id": id, "customer_id": customer, "name": name, "shipping_address": address,
            "shipping_instructions": instructions, "inventory": list(levels),
            "created_at": "2026-11-01T15:00:00+00:00", "updated_at": "2026-11-20T15:00:00+00:00"}


def _count_error(value) -> list[str] | None:
    if not isinstance(value, int) or isinstance(value, bool):
        return ["Not a valid integer."]
    if not 0 <= value <= MAX_QUANTITY:
        return [f"Must be greater than or equal to 0 and less than or equal to {MAX_QUANTITY}."]
    return None


def _same(item: str) -> str:
    return " ".join(item.split()).upper()


class FakeStock(ScopedService):
    """Stock locations and toner orders. Customers reach their own company's (another's: 404);
    staff list every customer's or the one named by ?customer_id=."""

    def __init__(self, tokens):
        super().__init__(tokens)
        self.locations = {loc["id"]: loc for loc in (
            location("loc-1", CUSTOMER_ID, "Almacén Reforma", "Av. Reforma 222, CDMX", "Recibe: Luis, de 9 a 14 h",
                     [level("GPR-58 K", 2, 3), level("GPR-58 C", 6, 2)]),
            location("loc-2", CUSTOMER_ID, "Sucursal Monterrey", "Av. Constitución 100, Monterrey", "", []),
            location("loc-9", OTHER_CUSTOMER, "Bodega Ajena", "Calle Otra 1, Puebla", "", [level("TN-9", 0, 1)]),
        )}
        self.orders = [
            {"id": "ord-1", "customer_id": CUSTOMER_ID, "stock_location_id": "loc-1",
             "stock_location_name": "Almacén Reforma", "device_id": "dev-1", "serial_number": "SN-1001",
             "toner_item": "GPR-58 K", "quantity": 4, "status": "open", "created_at": "2026-11-21T16:30:00+00:00",
             "shipped_at": None, "cancelled_at": None},
            {"id": "ord-2", "customer_id": CUSTOMER_ID, "stock_location_id": "loc-1",
             "stock_location_name": "Almacén Reforma", "device_id": None, "serial_number": None,
             "toner_item": "GPR-58 C", "quantity": 2, "status": "shipped", "created_at": "2026-11-02T16:30:00+00:00",
             "shipped_at": "2026-11-04T18:00:00+00:00", "cancelled_at": None},
            {"id": "ord-9", "customer_id": OTHER_CUSTOMER, "stock_location_id": "loc-9",
             "stock_location_name": "Bodega Ajena", "device_id": None, "serial_number": None,
             "toner_item": "TN-9", "quantity": 2, "status": "open", "created_at": "2026-11-03T16:30:00+00:00",
             "shipped_at": None, "cancelled_at": None},
        ]

    def _view(self, loc):
        inventory = [{**entry, "below_reorder_point": entry["quantity"] <= entry["reorder_point"]}
                     for entry in loc["inventory"]]
        return {**loc, "inventory": inventory}

    def _reach(self, principal, location_id):
        loc = self.locations.get(location_id)
        if loc is None or (not principal.is_staff and loc["customer_id"] != principal.customer_id):
            return None
        return loc

    def _check(self, body: dict, *, creating: bool) -> dict:
        allowed = {"name", "shipping_address", "shipping_instructions", "inventory"}
        errors: dict = {name: ["Unknown field."] for name in set(body) - allowed}
        if creating:
            errors.update({name: ["Missing data for required field."]
                           for name in ("name", "shipping_address") if name not in body})
        for name, limit in LIMITS.items():
            if name in body and not 1 <= len(str(body[name])) <= limit:
                errors[name] = [f"Length must be between 1 and {limit}."]
        if len(str(body.get("shipping_instructions") or "")) > 2000:
            errors["shipping_instructions"] = ["Longer than maximum length 2000."]
        entries: dict = {}
        for n, entry in enumerate(body.get("inventory") or []):
            problems = {name: message for name in ("quantity", "reorder_point")
                        if (message := _count_error(entry.get(name))) is not None}
            if not 1 <= len(str(entry.get("toner_item") or "")) <= 100:
                problems["toner_item"] = ["Length must be between 1 and 100."]
            if problems:
                entries[str(n)] = problems
        if entries:
            errors["inventory"] = entries
        return errors

    def _apply_levels(self, loc, entries):
        for entry in entries:
            held = next((e for e in loc["inventory"] if _same(e["toner_item"]) == _same(entry["toner_item"])), None)
            if held is None:
                loc["inventory"].append(level(_same(entry["toner_item"]), entry["quantity"], entry["reorder_point"]))
            else:
                held.update(quantity=entry["quantity"], reorder_point=entry["reorder_point"])

    def list_locations(self, request):
        principal, refused = self.principal(request, READERS)
        if refused:
            return refused
        customer = request.args.get("customer_id") if principal.is_staff else principal.customer_id
        items = [self._view(loc) for loc in sorted(self.locations.values(), key=lambda loc: loc["name"])
                 if customer is None or loc["customer_id"] == customer]
        return json_response({"items": items})

    def create_location(self, request):
        principal, refused = self.principal(request, EDITORS)
        if refused:
            return refused
        body = request.get_json(silent=True) or {}
        errors = self._check(body, creating=True)
        if errors:
            return invalid(errors)
        if not body["name"].strip():
            return invalid({"name": ["Give the stock location a name."]})
        new_id = f"loc-new-{len(self.locations)}"
        self.locations[new_id] = location(new_id, principal.customer_id, body["name"].strip(),
                                          body["shipping_address"].strip(),
                                          (body.get("shipping_instructions") or "").strip(), [])
        self._apply_levels(self.locations[new_id], body.get("inventory") or [])
        return json_response(self._view(self.locations[new_id]), 201)

    def get_location(self, request, id):
        principal, refused = self.principal(request, READERS)
        if refused:
            return refused
        loc = self._reach(principal, id)
        if loc is None:
            return problem(404, "Not found", f"No stock location {id}.", code="servicedesk.stock_location_not_found")
        return json_response(self._view(loc))

    def update_location(self, request, id):
        principal, refused = self.principal(request, EDITORS)
        if refused:
            return refused
        body = request.get_json(silent=True) or {}
        errors = self._check(body, creating=False)
        if errors:
            return invalid(errors)
        loc = self._reach(principal, id)
        if loc is None:
            return problem(404, "Not found", f"No stock location {id}.", code="servicedesk.stock_location_not_found")
        for name in ("name", "shipping_address", "shipping_instructions"):
            if name in body:
                loc[name] = body[name].strip()
        self._apply_levels(loc, body.get("inventory") or [])
        return json_response(self._view(loc))

    def list_orders(self, request):
        principal, refused = self.principal(request, ORDER_READERS)
        if refused:
            return refused
        status = request.args.get("status")
        if status not in (None, "open", "shipped", "cancelled"):
            return invalid({"status": ["Must be one of: open, shipped, cancelled."]})
        customer = request.args.get("customer_id") if principal.is_staff else principal.customer_id
        items = [order for order in self.orders if (customer is None or order["customer_id"] == customer)
                 and status in (None, order["status"])]
        return json_response({"items": sorted(items, key=lambda o: o["created_at"], reverse=True)})

    def app(self):
        return routed_app([
            ("GET", "/api/v1/stock-locations", self.list_locations),
            ("POST", "/api/v1/stock-locations", self.create_location),
            ("GET", "/api/v1/stock-locations/{id}", self.get_location),
            ("PATCH", "/api/v1/stock-locations/{id}", self.update_location),
            ("GET", "/api/v1/toner-orders", self.list_orders),
        ])

    def writes(self) -> list[dict]:
        return [call for call in self.calls if call["method"] in ("POST", "PATCH")]
