"""Stock locations: create, read, change inventory; who may; one customer never reaches another's; bad input
writes nothing; a device put on a stock location."""
from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from portal_shared.db import transaction
from servicedesk_service.adapters.orm import Device, StockLevel, StockLocation

LOCATIONS = "/api/v1/stock-locations"


def named(errors: dict, field: str) -> bool:
    """The field, or a path inside it (inventory.0.quantity), is named."""
    return any(key == field or key.startswith(f"{field}.") for key in errors)


def a_location(**fields) -> dict:
    return {
        "name": "Almacén central",
        "shipping_address": "Av. Paseo de la Reforma 222, CDMX",
        "shipping_instructions": "Recepción de mercancía, andén 2, de 9 a 14 h.",
        "inventory": [{"toner_item": "GPR-58 K", "quantity": 3, "reorder_point": 4}],
        **fields,
    }


def count_locations(session_factory, customer_id) -> int:
    with transaction(session_factory) as session:
        return session.scalar(sa.select(sa.func.count()).select_from(StockLocation)
                              .where(StockLocation.customer_id == uuid.UUID(str(customer_id))))


def stored_levels(session_factory, location_id) -> dict[str, tuple[int, int]]:
    with transaction(session_factory) as session:
        rows = session.scalars(sa.select(StockLevel).where(StockLevel.stock_location_id == uuid.UUID(location_id)))
        return {row.toner_item: (row.quantity, row.reorder_point) for row in rows}


@pytest.fixture
def other_customer(deliver, registration):
    event = registration()
    deliver(event)
    return event.data["customer_id"]


@pytest.fixture
def stock_admin(bearer, customer):
    return bearer("stock_admin", customer_id=customer)


@pytest.fixture
def location(client, stock_admin):
    response = client.post(LOCATIONS, json=a_location(), headers=stock_admin)
    assert response.status_code == 201, response.json
    return response.json


def test_created_location_reads_back_with_its_inventory(client, stock_admin, location, customer, clock):
    assert location["customer_id"] == str(customer)
    assert location["name"] == "Almacén central"
    assert location["shipping_instructions"].startswith("Recepción")
    assert location["inventory"] == [
        {"toner_item": "GPR-58 K", "quantity": 3, "reorder_point": 4, "below_reorder_point": True}
    ]
    assert location["created_at"] == location["updated_at"] == clock().isoformat()

    assert client.get(f"{LOCATIONS}/{location['id']}", headers=stock_admin).json == location
    assert [item["id"] for item in client.get(LOCATIONS, headers=stock_admin).json["items"]] == [location["id"]]


def test_shipping_instructions_and_inventory_are_optional(client, bearer, customer):
    response = client.post(LOCATIONS, json={"name": "Sucursal Norte", "shipping_address": "Monterrey, NL"},
                           headers=bearer("admin", customer_id=customer))
    assert response.status_code == 201, response.json
    assert (response.json["shipping_instructions"], response.json["inventory"]) == ("", [])


def test_patch_sets_named_items_and_keeps_the_others(client, stock_admin, location, session_factory, clock):
    clock.moment = clock.moment.replace(hour=18)
    response = client.patch(
        f"{LOCATIONS}/{location['id']}",
        json={"name": "Almacén Reforma",
              "inventory": [{"toner_item": "gpr-58 c", "quantity": 9, "reorder_point": 4},
                            {"toner_item": "GPR-58 K", "quantity": 10, "reorder_point": 4}]},
        headers=stock_admin,
    )

    assert response.status_code == 200, response.json
    assert response.json["name"] == "Almacén Reforma"
    assert response.json["shipping_address"] == location["shipping_address"]
    assert [(i["toner_item"], i["quantity"], i["below_reorder_point"]) for i in response.json["inventory"]] == [
        ("GPR-58 C", 9, False), ("GPR-58 K", 10, False)]
    assert response.json["updated_at"] == clock().isoformat() != location["updated_at"]
    assert stored_levels(session_factory, location["id"]) == {"GPR-58 C": (9, 4), "GPR-58 K": (10, 4)}


@pytest.mark.parametrize("role", ["admin", "stock_admin", "stock_device_admin"])
def test_customer_stock_roles_create_and_edit(client, bearer, customer, role):
    headers = bearer(role, customer_id=customer)
    created = client.post(LOCATIONS, json=a_location(), headers=headers)
    assert created.status_code == 201
    edited = client.patch(f"{LOCATIONS}/{created.json['id']}", json={"shipping_instructions": ""}, headers=headers)
    assert edited.status_code == 200 and edited.json["shipping_instructions"] == ""


@pytest.mark.parametrize("role", ["device_admin", "billing", "knowledge_user"])
def test_other_customer_roles_are_refused(client, bearer, customer, location, role, session_factory):
    headers = bearer(role, customer_id=customer)
    before = count_locations(session_factory, customer)
    assert client.get(LOCATIONS, headers=headers).status_code == 403
    assert client.get(f"{LOCATIONS}/{location['id']}", headers=headers).status_code == 403
    assert client.post(LOCATIONS, json=a_location(), headers=headers).status_code == 403
    assert client.patch(f"{LOCATIONS}/{location['id']}", json={"name": "x"}, headers=headers).status_code == 403
    assert count_locations(session_factory, customer) == before


def test_agent_reads_any_customers_locations_but_does_not_write(client, bearer, customer, other_customer, location):
    agent = bearer("agent")
    one = client.get(LOCATIONS, query_string={"customer_id": str(customer)}, headers=agent).json["items"]
    assert [item["id"] for item in one] == [location["id"]]
    assert client.get(LOCATIONS, query_string={"customer_id": str(other_customer)}, headers=agent).json["items"] == []
    assert client.get(f"{LOCATIONS}/{location['id']}", headers=agent).status_code == 200
    assert client.post(LOCATIONS, json=a_location(), headers=agent).status_code == 403
    assert client.patch(f"{LOCATIONS}/{location['id']}", json={"name": "x"}, headers=agent).status_code == 403


def test_another_customer_cannot_read_or_change_the_location(client, bearer, other_customer, location, session_factory):
    intruder = bearer("stock_admin", customer_id=other_customer)

    assert client.get(LOCATIONS, headers=intruder).json["items"] == []
    read = client.get(f"{LOCATIONS}/{location['id']}", headers=intruder)
    patched = client.patch(f"{LOCATIONS}/{location['id']}", json={"name": "Mío"}, headers=intruder)

    assert read.status_code == patched.status_code == 404
    assert read.json["code"] == patched.json["code"] == "servicedesk.stock_location_not_found"
    assert patched.headers["Content-Type"] == "application/problem+json"
    # The same answer as for an id that does not exist.
    unknown = client.get(f"{LOCATIONS}/{uuid.uuid4()}", headers=intruder)
    assert unknown.status_code == 404 and unknown.json["title"] == read.json["title"]
    with transaction(session_factory) as session:
        assert session.get(StockLocation, uuid.UUID(location["id"])).name == "Almacén central"


def test_customer_id_in_the_query_does_not_widen_a_customers_reach(client, bearer, other_customer, location):
    intruder = bearer("admin", customer_id=other_customer)
    listed = client.get(LOCATIONS, query_string={"customer_id": location["customer_id"]}, headers=intruder)
    assert listed.status_code == 200 and listed.json["items"] == []


@pytest.mark.parametrize(
    "body, field",
    [
        (a_location(name=""), "name"),
        (a_location(name="   "), "name"),
        ({"shipping_address": "CDMX"}, "name"),
        (a_location(shipping_address=None), "shipping_address"),
        (a_location(shipping_instructions="x" * 2001), "shipping_instructions"),
        (a_location(inventory=[{"toner_item": "GPR-58 K", "quantity": -1, "reorder_point": 4}]), "inventory"),
        (a_location(inventory=[{"toner_item": "GPR-58 K", "quantity": 2.5, "reorder_point": 4}]), "inventory"),
        (a_location(inventory=[{"toner_item": "GPR-58 K", "quantity": "3", "reorder_point": 4}]), "inventory"),
        (a_location(inventory=[{"toner_item": "GPR-58 K", "quantity": 3, "reorder_point": -4}]), "inventory"),
        (a_location(inventory=[{"toner_item": "GPR-58 K", "quantity": 3}]), "inventory"),
        (a_location(inventory=[{"toner_item": "GPR-58 K", "quantity": 3, "reorder_point": 4, "colour": "k"}]),
         "inventory"),
        (a_location(inventory=[{"toner_item": "GPR-58 K", "quantity": 3, "reorder_point": 4},
                               {"toner_item": "gpr-58  k", "quantity": 1, "reorder_point": 1}]), "inventory"),
        (a_location(warehouse="B"), "warehouse"),
        # PostgreSQL cannot store U+0000: refused before the INSERT, naming the field.
        (a_location(inventory=[{"toner_item": "GPR\u0000K", "quantity": 3, "reorder_point": 4}]), "inventory"),
        (a_location(name="Almac\u0000n"), "name"),
        (a_location(name="x" * (1024 * 1024)), "body"),
    ],
)
def test_bad_location_is_named_and_nothing_written(client, stock_admin, customer, session_factory, body, field):
    response = client.post(LOCATIONS, json=body, headers=stock_admin)

    assert response.status_code == (413 if field == "body" else 422), response.json
    assert response.headers["Content-Type"] == "application/problem+json"
    assert named(response.json["errors"], field), response.json
    assert count_locations(session_factory, customer) == 0


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": ""}, "name"),
        ({"inventory": [{"toner_item": "GPR-58 K", "quantity": -3, "reorder_point": 4}]}, "inventory"),
        ({"inventory": [{"toner_item": "GPR-58 C", "quantity": 1, "reorder_point": 1},
                        {"toner_item": "GPR-58 K", "quantity": 1, "reorder_point": 1},
                        {"toner_item": "GPR-58 K", "quantity": 2, "reorder_point": 1}]}, "inventory"),
        ({"customer_id": str(uuid.uuid4())}, "customer_id"),
        ({"shipping_instructions": "x" * (1024 * 1024)}, "body"),
    ],
)
def test_bad_patch_is_named_and_nothing_changes(client, stock_admin, location, session_factory, body, field):
    response = client.patch(f"{LOCATIONS}/{location['id']}", json=body, headers=stock_admin)

    assert response.status_code == (413 if field == "body" else 422), response.json
    assert named(response.json["errors"], field), response.json
    assert stored_levels(session_factory, location["id"]) == {"GPR-58 K": (3, 4)}
    assert client.get(f"{LOCATIONS}/{location['id']}", headers=stock_admin).json == location


def test_an_item_listed_twice_is_refused_naming_it(client, stock_admin, customer, location, session_factory):
    twice = [{"toner_item": "GPR-58 K", "quantity": 3, "reorder_point": 4},
             {"toner_item": "gpr-58  k", "quantity": 1, "reorder_point": 1}]

    created = client.post(LOCATIONS, json=a_location(name="Otro almacén", inventory=twice), headers=stock_admin)
    patched = client.patch(f"{LOCATIONS}/{location['id']}", json={"inventory": twice}, headers=stock_admin)

    for response in (created, patched):
        assert response.status_code == 422, response.json
        assert response.json["code"] == "servicedesk.toner_item_repeated"
        assert "GPR-58 K" in response.json["errors"]["inventory"][0]
    assert count_locations(session_factory, customer) == 1
    assert stored_levels(session_factory, location["id"]) == {"GPR-58 K": (3, 4)}


def test_unknown_query_parameter_is_named(client, stock_admin):
    response = client.get(LOCATIONS, query_string={"customer": "x"}, headers=stock_admin)
    assert response.status_code == 422 and "customer" in response.json["errors"]


# A device's stock location.


def device_location_path(device) -> str:
    return f"/api/v1/devices/{device['id']}/stock-location"


def stored_stock_location(session_factory, device) -> uuid.UUID | None:
    with transaction(session_factory) as session:
        return session.get(Device, uuid.UUID(device["id"])).stock_location_id


@pytest.fixture
def device(make_device, customer):
    return make_device(customer)


@pytest.mark.parametrize("role", ["admin", "stock_admin", "stock_device_admin"])
def test_stock_roles_put_a_company_device_on_a_location(client, bearer, customer, device, location, role,
                                                        session_factory):
    headers = bearer(role, customer_id=customer)

    response = client.put(device_location_path(device), json={"stock_location_id": location["id"]}, headers=headers)

    assert response.status_code == 200, response.json
    assert response.json["id"] == device["id"] and response.json["stock_location_id"] == location["id"]
    assert str(stored_stock_location(session_factory, device)) == location["id"]
    off = client.put(device_location_path(device), json={"stock_location_id": None}, headers=headers)
    assert off.status_code == 200 and off.json["stock_location_id"] is None
    assert stored_stock_location(session_factory, device) is None


def test_device_listing_shows_the_stock_location(client, bearer, customer, device, location, stock_admin):
    client.put(device_location_path(device), json={"stock_location_id": location["id"]}, headers=stock_admin)
    listed = client.get("/api/v1/devices", headers=bearer("admin", customer_id=customer)).json["items"]
    assert [(d["id"], d["stock_location_id"]) for d in listed] == [(device["id"], location["id"])]


@pytest.mark.parametrize("role", ["device_admin", "billing", "knowledge_user", "agent", "operator"])
def test_other_roles_cannot_put_a_device_on_a_location(client, bearer, customer, device, location, role,
                                                       session_factory):
    response = client.put(device_location_path(device), json={"stock_location_id": location["id"]},
                          headers=bearer(role, customer_id=customer))
    assert response.status_code == 403
    assert stored_stock_location(session_factory, device) is None


def test_stock_admin_cannot_put_another_customers_device_on_a_location(
    client, bearer, make_device, other_customer, location, stock_admin, session_factory
):
    foreign = make_device(other_customer)
    response = client.put(device_location_path(foreign), json={"stock_location_id": location["id"]},
                          headers=stock_admin)
    assert response.status_code == 404
    assert response.json["code"] == "servicedesk.device_not_found"
    assert stored_stock_location(session_factory, foreign) is None


def test_device_cannot_go_on_another_customers_location(client, bearer, device, other_customer, stock_admin,
                                                        session_factory):
    foreign = client.post(LOCATIONS, json=a_location(), headers=bearer("stock_admin", customer_id=other_customer))
    response = client.put(device_location_path(device), json={"stock_location_id": foreign.json["id"]},
                          headers=stock_admin)
    assert response.status_code == 404 and "stock location" in response.json["detail"]
    assert response.json["code"] == "servicedesk.stock_location_not_found"
    assert stored_stock_location(session_factory, device) is None


@pytest.mark.parametrize(
    "body, field, status",
    [
        ({"stock_location_id": str(uuid.uuid4())}, None, 404),
        ({"stock_location_id": "almacén"}, "stock_location_id", 422),
        ({}, "stock_location_id", 422),
        ({"stock_location_id": None, "note": "x"}, "note", 422),
    ],
)
def test_bad_stock_location_of_a_device_writes_nothing(client, device, location, stock_admin, session_factory,
                                                       body, field, status):
    response = client.put(device_location_path(device), json=body, headers=stock_admin)
    assert response.status_code == status, response.json
    assert response.headers["Content-Type"] == "application/problem+json"
    if field:
        assert field in response.json["errors"]
    assert stored_stock_location(session_factory, device) is None


def test_unknown_device_is_404(client, location, stock_admin):
    response = client.put(f"/api/v1/devices/{uuid.uuid4()}/stock-location",
                          json={"stock_location_id": location["id"]}, headers=stock_admin)
    assert response.status_code == 404
