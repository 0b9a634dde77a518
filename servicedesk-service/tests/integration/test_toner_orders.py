"""Toner reports and the orders they place: one open order per (stock location, toner item) however many
reports come, one after the other or at once; the order's mail to the stock admins in the outbox; the
vendor ships or cancels, after which a low report orders again; scoping, roles and bad input."""
from __future__ import annotations

import json
import uuid

import pytest
import requests
import sqlalchemy as sa

from portal_shared.db import transaction
from portal_shared.testing.concurrency import at_once, serving
from portal_shared.outbox import CHANNEL_MAIL
from servicedesk_service.adapters.orm import OUTBOX, AuditEntry, TonerLevel, TonerOrder

LOCATIONS = "/api/v1/stock-locations"
ORDERS = "/api/v1/toner-orders"
LOW_BLACK = {"levels": [{"toner_item": "GPR-58 K", "percent": 9}, {"toner_item": "GPR-58 C", "percent": 70}]}


def named(errors: dict, field: str) -> bool:
    """The field, or a path inside it (levels.0.percent), is named."""
    return any(key == field or key.startswith(f"{field}.") for key in errors)


def levels_path(device) -> str:
    return f"/api/v1/devices/{device['id']}/toner-levels"


def orders_of(session_factory, location_id) -> list[TonerOrder]:
    with transaction(session_factory) as session:
        return list(session.scalars(sa.select(TonerOrder).where(TonerOrder.stock_location_id == uuid.UUID(location_id))
                                    .order_by(TonerOrder.created_at)))


def mails_about(session_factory, order_id) -> list[dict]:
    with transaction(session_factory) as session:
        payloads = session.scalars(sa.select(OUTBOX.c.payload).where(OUTBOX.c.channel == CHANNEL_MAIL)).all()
    return [mail for mail in map(json.loads, payloads) if str(order_id) in mail["text"]]


def stored_levels(session_factory, device) -> dict[str, int]:
    with transaction(session_factory) as session:
        rows = session.scalars(sa.select(TonerLevel).where(TonerLevel.device_id == uuid.UUID(device["id"])))
        return {row.toner_item: row.percent for row in rows}


@pytest.fixture
def operator(bearer):
    return bearer("operator")


@pytest.fixture
def stock_admin(bearer, customer):
    return bearer("stock_admin", customer_id=customer)


@pytest.fixture
def stock_people(deliver, user_creation, customer):
    """The customer's users in the directory: two who keep stock (mailed), and two who do not."""
    people = ((["stock_admin"], "almacen@example.mx"), (["stock_device_admin"], "almacen-equipos@example.mx"),
              (["device_admin"], "equipos@example.mx"), (["stock_admin"], None))
    for roles, email in people:
        deliver(user_creation(customer_id=customer, roles=roles, email=email))


@pytest.fixture
def location(client, stock_admin):
    body = {"name": "Almacén central", "shipping_address": "Av. Reforma 222, CDMX",
            "inventory": [{"toner_item": "GPR-58 K", "quantity": 3, "reorder_point": 4},
                          {"toner_item": "GPR-58 C", "quantity": 1, "reorder_point": 4}]}
    response = client.post(LOCATIONS, json=body, headers=stock_admin)
    assert response.status_code == 201, response.json
    return response.json


@pytest.fixture
def on_location(client, make_device, customer, location, stock_admin):
    """Register devices of `customer` that the location replenishes."""

    def make() -> dict:
        device = make_device(customer)
        response = client.put(f"/api/v1/devices/{device['id']}/stock-location",
                              json={"stock_location_id": location["id"]}, headers=stock_admin)
        assert response.status_code == 200, response.json
        return device

    return make


@pytest.fixture
def device(on_location):
    return on_location()


def test_low_report_places_one_order_and_mails_the_stock_admins(
    client, operator, device, location, customer, stock_people, session_factory, clock
):
    response = client.post(levels_path(device), json=LOW_BLACK, headers=operator)

    assert response.status_code == 202, response.json
    [order] = response.json["orders"]
    assert order["customer_id"] == str(customer) and order["device_id"] == device["id"]
    assert order["serial_number"] == device["serial_number"]
    assert (order["stock_location_id"], order["stock_location_name"]) == (location["id"], "Almacén central")
    assert (order["toner_item"], order["quantity"], order["status"]) == ("GPR-58 K", 5, "open")
    assert order["created_at"] == clock().isoformat() and order["shipped_at"] is None
    assert stored_levels(session_factory, device) == {"GPR-58 K": 9, "GPR-58 C": 70}

    mails = mails_about(session_factory, order["id"])
    assert sorted(mail["to"] for mail in mails) == ["almacen-equipos@example.mx", "almacen@example.mx"]
    assert all("GPR-58 K" in mail["subject"] and "Cantidad: 5" in mail["text"] for mail in mails)
    assert all(device["serial_number"] in mail["text"] for mail in mails)


def test_order_reads_back_for_the_customer_and_staff(client, operator, device, stock_admin, bearer, customer):
    order = client.post(levels_path(device), json=LOW_BLACK, headers=operator).json["orders"][0]

    assert client.get(f"{ORDERS}/{order['id']}", headers=stock_admin).json == order
    assert [o["id"] for o in client.get(ORDERS, headers=stock_admin).json["items"]] == [order["id"]]
    for staff in ("agent", "operator"):
        listed = client.get(ORDERS, query_string={"customer_id": str(customer)}, headers=bearer(staff))
        assert [o["id"] for o in listed.json["items"]] == [order["id"]]
    assert client.get(ORDERS, query_string={"status": "shipped"}, headers=stock_admin).json["items"] == []


def test_twenty_reports_one_after_the_other_place_one_order(client, operator, device, location, stock_people,
                                                            session_factory):
    placed = [client.post(levels_path(device), json=LOW_BLACK, headers=operator) for _ in range(20)]

    assert [r.status_code for r in placed] == [202] * 20
    assert [len(r.json["orders"]) for r in placed] == [1] + [0] * 19
    [order] = orders_of(session_factory, location["id"])
    assert len(mails_about(session_factory, order.id)) == 2


def test_twenty_concurrent_reports_place_one_order(app, operator, on_location, location, stock_people,
                                                   session_factory):
    """Real server, real PostgreSQL, 20 threads released at once. Four devices share the location, so
    reports of different devices race for the same open order (the device lock cannot order them)."""
    devices = [on_location() for _ in range(4)]

    def report(n: int) -> tuple[int, int]:
        response = requests.post(base + levels_path(devices[n % 4]), json=LOW_BLACK, headers=operator, timeout=30)
        return response.status_code, len(response.json().get("orders", []))

    with serving(app) as base:
        answers = at_once(20, report)

    assert sorted(answers) == [(202, 0)] * 19 + [(202, 1)]
    [order] = orders_of(session_factory, location["id"])
    assert (order.toner_item, order.status) == ("GPR-58 K", "open")
    assert len(mails_about(session_factory, order.id)) == 2
    for device in devices:
        assert stored_levels(session_factory, device) == {"GPR-58 K": 9, "GPR-58 C": 70}


def test_partial_unique_index_holds_without_the_check(session_factory, device, location, clock):
    """The database itself refuses a second open order of the item at the location, whatever the code checks."""
    row = {"customer_id": uuid.UUID(location["customer_id"]), "stock_location_id": uuid.UUID(location["id"]),
           "device_id": uuid.UUID(device["id"]), "toner_item": "GPR-58 K", "quantity": 5, "created_at": clock()}
    with transaction(session_factory) as session:
        session.add(TonerOrder(id=uuid.uuid4(), status="open", **row))
        # Closed orders of the same item do not count.
        session.add(TonerOrder(id=uuid.uuid4(), status="shipped", **row))
        session.add(TonerOrder(id=uuid.uuid4(), status="cancelled", **row))
    with pytest.raises(sa.exc.IntegrityError):
        with transaction(session_factory) as session:
            session.add(TonerOrder(id=uuid.uuid4(), status="open", **row))


def test_shipped_order_lets_a_later_low_report_order_again(client, operator, bearer, device, location, session_factory,
                                                          clock):
    first = client.post(levels_path(device), json=LOW_BLACK, headers=operator).json["orders"][0]
    clock.moment = clock.moment.replace(hour=19)

    shipped = client.post(f"{ORDERS}/{first['id']}/status", json={"status": "shipped"}, headers=bearer("agent"))

    assert shipped.status_code == 200, shipped.json
    assert (shipped.json["status"], shipped.json["shipped_at"]) == ("shipped", clock().isoformat())
    again = client.post(levels_path(device), json=LOW_BLACK, headers=operator)
    assert [o["toner_item"] for o in again.json["orders"]] == ["GPR-58 K"]
    assert again.json["orders"][0]["id"] != first["id"]
    assert [o.status for o in orders_of(session_factory, location["id"])] == ["shipped", "open"]


def test_cancelled_order_also_frees_the_item(client, operator, device, location, session_factory):
    first = client.post(levels_path(device), json=LOW_BLACK, headers=operator).json["orders"][0]
    cancelled = client.post(f"{ORDERS}/{first['id']}/status", json={"status": "cancelled"}, headers=operator)
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    assert len(client.post(levels_path(device), json=LOW_BLACK, headers=operator).json["orders"]) == 1


def test_a_final_order_does_not_move_again(client, operator, device, session_factory, location):
    order = client.post(levels_path(device), json=LOW_BLACK, headers=operator).json["orders"][0]
    path = f"{ORDERS}/{order['id']}/status"
    shipped = client.post(path, json={"status": "shipped"}, headers=operator).json

    repeated = client.post(path, json={"status": "shipped"}, headers=operator)
    cancelled = client.post(path, json={"status": "cancelled"}, headers=operator)

    assert repeated.status_code == 200 and repeated.json == shipped  # a repeat is harmless
    assert cancelled.status_code == 409 and "status" in cancelled.json["errors"]
    assert cancelled.json["code"] == "servicedesk.toner_order_not_open"
    assert [o.status for o in orders_of(session_factory, location["id"])] == ["shipped"]


def test_agents_move_is_in_the_audit_log(client, operator, bearer, device, session_factory):
    order = client.post(levels_path(device), json=LOW_BLACK, headers=operator).json["orders"][0]
    client.post(f"{ORDERS}/{order['id']}/status", json={"status": "cancelled"}, headers=bearer("agent"))
    with transaction(session_factory) as session:
        [entry] = session.scalars(sa.select(AuditEntry).where(AuditEntry.subject_id == order["id"])).all()
    assert entry.action == "toner_order.status_changed"
    assert entry.detail["to_status"] == "cancelled" and str(entry.customer_id) == order["customer_id"]


@pytest.mark.parametrize(
    "levels",
    [
        [{"toner_item": "GPR-58 K", "percent": 16}],  # not low
        [{"toner_item": "GPR-58 Y", "percent": 3}],  # not kept at the location
    ],
)
def test_reports_that_call_for_nothing_place_nothing(client, operator, device, location, session_factory, levels):
    response = client.post(levels_path(device), json={"levels": levels}, headers=operator)
    assert response.status_code == 202 and response.json["orders"] == []
    assert orders_of(session_factory, location["id"]) == []


def test_location_above_its_reorder_point_places_nothing(client, operator, stock_admin, device, location,
                                                        session_factory):
    client.patch(f"{LOCATIONS}/{location['id']}",
                 json={"inventory": [{"toner_item": "GPR-58 K", "quantity": 5, "reorder_point": 4}]},
                 headers=stock_admin)
    assert client.post(levels_path(device), json=LOW_BLACK, headers=operator).json["orders"] == []
    assert orders_of(session_factory, location["id"]) == []


def test_device_without_a_stock_location_records_levels_only(client, operator, make_device, customer,
                                                              session_factory):
    device = make_device(customer)
    response = client.post(levels_path(device), json=LOW_BLACK, headers=operator)
    assert response.status_code == 202 and response.json["orders"] == []
    assert stored_levels(session_factory, device) == {"GPR-58 K": 9, "GPR-58 C": 70}


def test_low_items_each_get_their_order(client, operator, device, location):
    both = {"levels": [{"toner_item": "GPR-58 K", "percent": 9}, {"toner_item": "gpr-58 c", "percent": 0}]}
    orders = client.post(levels_path(device), json=both, headers=operator).json["orders"]
    assert sorted((o["toner_item"], o["quantity"]) for o in orders) == [("GPR-58 C", 7), ("GPR-58 K", 5)]


def test_another_customer_cannot_see_the_orders(client, operator, device, deliver, registration, bearer):
    order = client.post(levels_path(device), json=LOW_BLACK, headers=operator).json["orders"][0]
    other = registration()
    deliver(other)
    intruder = bearer("stock_admin", customer_id=other.data["customer_id"])

    assert client.get(ORDERS, headers=intruder).json["items"] == []
    assert client.get(ORDERS, query_string={"customer_id": order["customer_id"]}, headers=intruder).json["items"] == []
    missing = client.get(f"{ORDERS}/{order['id']}", headers=intruder)
    assert missing.status_code == 404 and missing.headers["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("role", ["admin", "stock_admin", "stock_device_admin", "device_admin", "billing",
                                  "knowledge_user", "agent"])
def test_only_the_operator_reports_levels(client, bearer, customer, device, session_factory, role):
    response = client.post(levels_path(device), json=LOW_BLACK, headers=bearer(role, customer_id=customer))
    assert response.status_code == 403
    assert stored_levels(session_factory, device) == {}


@pytest.mark.parametrize("role", ["admin", "stock_admin", "stock_device_admin", "device_admin", "billing",
                                  "knowledge_user"])
def test_customers_do_not_move_orders(client, operator, bearer, customer, device, role, location, session_factory):
    order = client.post(levels_path(device), json=LOW_BLACK, headers=operator).json["orders"][0]
    response = client.post(f"{ORDERS}/{order['id']}/status", json={"status": "cancelled"},
                           headers=bearer(role, customer_id=customer))
    assert response.status_code == 403
    assert [o.status for o in orders_of(session_factory, location["id"])] == ["open"]


@pytest.mark.parametrize("role", ["device_admin", "billing", "knowledge_user"])
def test_roles_without_stock_do_not_read_orders(client, bearer, customer, role):
    assert client.get(ORDERS, headers=bearer(role, customer_id=customer)).status_code == 403


@pytest.mark.parametrize(
    "body, field",
    [
        ({"levels": [{"toner_item": "GPR-58 K", "percent": -1}]}, "levels"),
        ({"levels": [{"toner_item": "GPR-58 K", "percent": 101}]}, "levels"),
        ({"levels": [{"toner_item": "GPR-58 K", "percent": 9.5}]}, "levels"),
        ({"levels": [{"toner_item": "GPR-58 K", "percent": "9"}]}, "levels"),
        ({"levels": [{"toner_item": "", "percent": 9}]}, "levels"),
        ({"levels": [{"toner_item": "   ", "percent": 9}]}, "levels"),
        ({"levels": [{"toner_item": "GPR-58 K", "percent": 9, "colour": "black"}]}, "levels"),
        ({"levels": [{"toner_item": "GPR-58 K", "percent": 9}, {"toner_item": "gpr-58 k", "percent": 8}]}, "levels"),
        ({"levels": []}, "levels"),
        ({}, "levels"),
        ({**LOW_BLACK, "source": "snmp"}, "source"),
        ({"levels": [{"toner_item": "x" * (1024 * 1024), "percent": 9}]}, "body"),
    ],
)
def test_bad_report_is_named_and_nothing_written(client, operator, device, location, session_factory, body, field):
    response = client.post(levels_path(device), json=body, headers=operator)

    assert response.status_code == (413 if field == "body" else 422), response.json
    assert response.headers["Content-Type"] == "application/problem+json"
    assert named(response.json["errors"], field), response.json
    assert stored_levels(session_factory, device) == {}
    assert orders_of(session_factory, location["id"]) == []


def test_report_for_an_unknown_device_is_404(client, operator):
    response = client.post(f"/api/v1/devices/{uuid.uuid4()}/toner-levels", json=LOW_BLACK, headers=operator)
    assert response.status_code == 404 and response.headers["Content-Type"] == "application/problem+json"
    assert response.json["code"] == "servicedesk.device_not_found"


def test_an_item_reported_twice_is_refused_naming_it(client, operator, device, location, session_factory):
    body = {"levels": [{"toner_item": "GPR-58 K", "percent": 9}, {"toner_item": "gpr-58 k", "percent": 8}]}

    response = client.post(levels_path(device), json=body, headers=operator)

    assert response.status_code == 422, response.json
    assert response.json["code"] == "servicedesk.toner_item_repeated"
    assert "GPR-58 K" in response.json["errors"]["levels"][0]
    assert stored_levels(session_factory, device) == {}


@pytest.mark.parametrize(
    "body, field",
    [({"status": "open"}, "status"), ({"status": "lost"}, "status"), ({}, "status"),
     ({"status": "shipped", "carrier": "x"}, "carrier")],
)
def test_bad_status_move_is_named_and_changes_nothing(client, operator, device, location, session_factory,
                                                      body, field):
    order = client.post(levels_path(device), json=LOW_BLACK, headers=operator).json["orders"][0]
    response = client.post(f"{ORDERS}/{order['id']}/status", json=body, headers=operator)
    assert response.status_code == 422 and field in response.json["errors"]
    assert [o.status for o in orders_of(session_factory, location["id"])] == ["open"]


def test_unknown_order_and_bad_filter(client, operator, stock_admin):
    assert client.post(f"{ORDERS}/{uuid.uuid4()}/status", json={"status": "shipped"},
                       headers=operator).status_code == 404
    unknown = client.get(f"{ORDERS}/{uuid.uuid4()}", headers=stock_admin)
    assert unknown.status_code == 404 and unknown.json["code"] == "servicedesk.toner_order_not_found"
    bad = client.get(ORDERS, query_string={"status": "lost"}, headers=stock_admin)
    assert bad.status_code == 422 and "status" in bad.json["errors"]
