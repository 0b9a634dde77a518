"""Service-desk test data made the way people make it: through the gateway, with real sign-ins.

A customer's users are invited by its admin and activate through the mailed link; devices are
registered by the operator and assigned by the admin; a reading of an earlier day is recorded
by the operator, as the ERP's history is. servicedesk learns customers and users from
identity's events, so the steps that need that knowledge wait for it with a deadline.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from stack import Api, Stack, link_token, wait_until

PROBLEM = "application/problem+json"
# servicedesk counts a reading's calendar day in this zone (its CUSTOMER_TIME_ZONE default).
READING_TIME_ZONE = ZoneInfo("America/Mexico_City")


@dataclass
class Person:
    id: str
    email: str
    password: str
    token: str
    roles: list[str]


@dataclass
class DeskCustomer:
    customer: dict
    admin: Person
    people: dict[str, Person] = field(default_factory=dict)  # by role

    @property
    def id(self) -> str:
        return self.customer["id"]

    @property
    def account(self) -> str:
        return self.customer["account_numbers"][0]


def admin_of(api: Api, email: str, password: str, token: str) -> Person:
    me = api.get("/api/v1/me", token=token)
    assert me.status_code == 200, me.text
    return Person(me.json()["id"], email, password, token, me.json()["roles"])


def invite(stack: Stack, api: Api, admin: Person, role: str) -> Person:
    """A user of the admin's company with one role, invited, activated by the mailed link, signed in."""
    email = f"{role.replace('_', '-')}.{uuid.uuid4().hex[:10]}@example.com"
    sent = api.post("/api/v1/users", {"email": email, "name": f"Persona {role}", "roles": [role]}, token=admin.token)
    assert sent.status_code == 202, sent.text
    assert sent.json() == {"email": email, "status": "invitation_sent"}
    token = link_token(stack.wait_for_mail(email)[0], "/activate")
    password = f"Clave-{role}-{uuid.uuid4().hex[:8]}"
    activated = api.post("/api/v1/auth/activate", {"token": token, "new_password": password})
    assert activated.status_code == 204, activated.text
    signed_in = api.login(email, password)
    # The invitation's answer names no user (it is the same for an address already in use).
    me = api.get("/api/v1/me", token=signed_in["access_token"])
    assert me.status_code == 200, me.text
    return Person(me.json()["id"], email, password, signed_in["access_token"], [role])


def desk_customer(stack: Stack, api: Api, activated_admin, roles: tuple[str, ...] = ()) -> DeskCustomer:
    """A freshly activated customer with one invited user per role in `roles`."""
    customer, email, password, tokens = activated_admin()
    found = DeskCustomer(customer, admin_of(api, email, password, tokens["access_token"]))
    for role in roles:
        found.people[role] = invite(stack, api, found.admin, role)
    return found


def register_device(operator: Api, owner: DeskCustomer, *, counters: tuple[str, ...] = ("bn", "color"),
                    response_hours: int = 8) -> dict:
    """A device on the customer's first account, registered by the operator."""
    body = {
        "serial_number": f"SN{uuid.uuid4().hex[:12].upper()}",
        "model": "imageRUNNER ADVANCE DX C5850i",
        "customer_id": owner.id,
        "account_number": owner.account,
        "install_address": "Blvd. Manuel Ávila Camacho 138, Lomas de Chapultepec, CDMX",
        "location": "Piso 3, junto a recepción",
        "response_hours": response_hours,
        "counters": list(counters),
    }
    # servicedesk knows the customer once identity's customer.registered reached it; until then it
    # answers 422 naming customer_id.
    response = wait_until(
        lambda: (r := operator.post("/api/v1/devices", body)).status_code == 201 and r,
        what="servicedesk to register a device for the new customer",
    )
    return response.json()


def assign(api: Api, owner: DeskCustomer, device: dict, *people: Person) -> None:
    """The admin puts the device in these device admins' charge (once servicedesk knows the users)."""
    wait_until(
        lambda: api.request("PUT", f"/api/v1/devices/{device['id']}/assignees",
                            json_body={"user_ids": [p.id for p in people]}, token=owner.admin.token).status_code == 200,
        what="servicedesk to accept the assignment once it knows the users",
    )


def incident_body(device_id: str, description: str = "La copiadora atasca papel en la bandeja 2.") -> dict:
    return {
        "device_id": device_id,
        "category": "paper_jam",
        "description": description,
        "contact": {"name": "Laura Contacto", "phone": "5555123456", "email": "laura.contacto@example.com"},
    }


def open_incident(api: Api, token: str, device_id: str) -> dict:
    response = api.post("/api/v1/incidents", incident_body(device_id), token=token)
    assert response.status_code == 201, response.text
    return response.json()


def create_stock_location(api: Api, token: str, name: str | None = None, inventory: list[dict] | None = None) -> dict:
    body = {"name": name or f"Almacén {uuid.uuid4().hex[:6]}",
            "shipping_address": "Av. Insurgentes Sur 1602, Crédito Constructor, CDMX",
            "shipping_instructions": "Entregar en el andén 2, de 9 a 14 h.",
            "inventory": inventory or []}
    response = api.post("/api/v1/stock-locations", body, token=token)
    assert response.status_code == 201, response.text
    return response.json()


def place_device(api: Api, token: str, device: dict, location: dict) -> None:
    """The stock location that replenishes the device's toner."""
    placed = api.request("PUT", f"/api/v1/devices/{device['id']}/stock-location",
                         json_body={"stock_location_id": location["id"]}, token=token)
    assert placed.status_code == 200, placed.text


def report_toner(operator: Api, device: dict, toner_item: str, percent: int):
    """What the device's telemetry feed sends (the operator's integration)."""
    return operator.post(f"/api/v1/devices/{device['id']}/toner-levels",
                         {"levels": [{"toner_item": toner_item, "percent": percent}]})


def toner_order(api: Api, operator: Api, owner: DeskCustomer, device: dict, toner_item: str = "GPR-58 K") -> dict:
    """One open toner order of the customer: a low report for a device whose stock location is short."""
    location = create_stock_location(api, owner.admin.token,
                                     inventory=[{"toner_item": toner_item, "quantity": 1, "reorder_point": 2}])
    place_device(api, owner.admin.token, device, location)
    report = report_toner(operator, device, toner_item, 5)
    assert report.status_code == 202, report.text
    [order] = report.json()["orders"]
    return order


def read_yesterday(operator: Api, device: dict, counters: dict[str, int]) -> dict:
    """The device's reading of yesterday, every counter of it, recorded by the operator as the
    ERP's history would be.

    A customer's reading is always today's; the rules that compare a reading with the previous one
    (never lower; usage is the difference) need an earlier one to compare with.
    """
    yesterday = datetime.now(READING_TIME_ZONE).date() - timedelta(days=1)
    response = operator.post(f"/api/v1/devices/{device['id']}/meter-readings",
                             {"counters": counters, "read_on": yesterday.isoformat()})
    assert response.status_code == 201, response.text
    return response.json()


def reading_values(reading: dict) -> dict[str, int]:
    """A reading's counters as {counter: value}."""
    return {item["counter"]: item["value"] for item in reading["counters"]}


def ids(response) -> set[str]:
    """The ids in a list answer ({items: [...]}), after checking it answered 200."""
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()["items"]}


def assert_problem(response, status: int | set[int], field: str | None = None, what: str = "") -> dict:
    """A problem+json with this status (or one of these), naming `field` in `errors` when given."""
    statuses = {status} if isinstance(status, int) else status
    assert response.status_code in statuses, f"{what}: {response.status_code} {response.text[:300]}"
    content_type = response.headers.get("Content-Type", "")
    assert content_type.startswith(PROBLEM), f"{what}: {content_type}"
    problem = response.json()
    assert problem["status"] == response.status_code, what
    if field is not None:
        assert field in problem.get("errors", {}), f"{what}: {field} not named in {problem}"
    return problem
