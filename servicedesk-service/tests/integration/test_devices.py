"""Devices through the API: who creates, sees, assigns, moves, retires and removes them."""
from __future__ import annotations

import uuid

import requests
import sqlalchemy as sa

from portal_shared.db import transaction
from portal_shared.testing.concurrency import at_once, serving
from portal_shared.testing.events import customer_registered, user_created
from servicedesk_service.adapters.orm import Device, DeviceLocation


def test_operator_registers_and_admin_sees_it(client, bearer, customer, make_device):
    device = make_device(customer)

    listed = client.get("/api/v1/devices", headers=bearer("admin", customer_id=customer))
    read = client.get(f"/api/v1/devices/{device['id']}", headers=bearer("admin", customer_id=customer))

    assert [item["id"] for item in listed.json["items"]] == [device["id"]]
    assert read.status_code == 200
    assert read.json["counters"] == ["total", "black", "colour"]
    assert read.json["status"] == "active" and read.json["response_hours"] == 4


def test_serial_number_is_unique(client, bearer, customer, make_device):
    device = make_device(customer)
    body = {k: device[k] for k in ("serial_number", "model", "account_number", "install_address", "response_hours", "counters")}

    response = client.post("/api/v1/devices", json={**body, "customer_id": str(customer)}, headers=bearer("agent"))

    assert response.status_code == 409
    assert response.json["code"] == "servicedesk.serial_number_in_use"
    assert "serial_number" in response.json["errors"]


def test_device_for_unknown_customer_is_refused(client, bearer):
    response = client.post("/api/v1/devices", headers=bearer("operator"), json={
        "serial_number": "SN-X", "model": "m", "customer_id": str(uuid.uuid4()), "account_number": "1",
        "install_address": "a", "response_hours": 4, "counters": ["total"]})

    assert response.status_code == 422
    assert response.json["code"] == "servicedesk.customer_unknown"
    assert "customer_id" in response.json["errors"]


def test_customer_roles_cannot_register_devices(client, bearer, customer):
    assert client.post("/api/v1/devices", json={}, headers=bearer("admin", customer_id=customer)).status_code == 403


def test_device_admin_sees_only_assigned_devices(client, bearer, token_for, customer, make_device, device_admin):
    mine, other = make_device(customer), make_device(customer)
    admin = bearer("admin", customer_id=customer)
    assigned = client.put(f"/api/v1/devices/{mine['id']}/assignees", json={"user_ids": [str(device_admin)]}, headers=admin)
    assert assigned.status_code == 200 and assigned.json["user_ids"] == [str(device_admin)]
    headers = token_for(device_admin, "device_admin", customer_id=customer)

    listed = client.get("/api/v1/devices", headers=headers)

    assert [item["id"] for item in listed.json["items"]] == [mine["id"]]
    assert listed.json["items"][0]["assignees"] == [str(device_admin)]
    assert client.get(f"/api/v1/devices/{other['id']}", headers=admin).json["assignees"] == []
    assert client.get(f"/api/v1/devices/{mine['id']}", headers=headers).status_code == 200
    for path in ("", "/meter-readings", "/locations"):
        response = client.get(f"/api/v1/devices/{other['id']}{path}", headers=headers)
        assert response.status_code == 404, path
        assert response.headers["Content-Type"] == "application/problem+json"
        assert response.json["code"] == "servicedesk.device_not_found"
    refused = client.post(f"/api/v1/devices/{other['id']}/meter-readings", json={"counters": {"total": 1, "black": 1, "colour": 1}},
                          headers=headers)
    assert refused.status_code == 404
    stock_device_admin = token_for(device_admin, "stock_device_admin", customer_id=customer)
    assert client.get(f"/api/v1/devices/{other['id']}", headers=stock_device_admin).status_code == 404


def test_only_device_admins_of_the_same_customer_can_be_assigned(client, bearer, deliver, customer, make_device):
    device = make_device(customer)
    billing_user = user_created(customer_id=customer, roles=["billing"])
    stranger = user_created(customer_id=uuid.uuid4(), roles=["device_admin"])
    deliver(billing_user)
    deliver(stranger)
    admin = bearer("admin", customer_id=customer)

    for user_id in (billing_user.data["user_id"], stranger.data["user_id"], uuid.uuid4()):
        response = client.put(f"/api/v1/devices/{device['id']}/assignees", json={"user_ids": [str(user_id)]},
                              headers=admin)
        assert response.status_code == 422
        assert response.json["code"] == "servicedesk.assignee_not_device_admin"
        assert "user_ids" in response.json["errors"]
    assert client.put(f"/api/v1/devices/{device['id']}/assignees", json={"user_ids": []},
                      headers=bearer("device_admin", customer_id=customer)).status_code == 403


def test_customer_a_never_reaches_customer_b(client, bearer, deliver, customer, make_device):
    other_customer = customer_registered()
    deliver(other_customer)
    theirs = make_device(other_customer.data["customer_id"])
    admin_a = bearer("admin", customer_id=customer)

    assert client.get("/api/v1/devices", headers=admin_a).json["items"] == []
    assert client.get(f"/api/v1/devices/{theirs['id']}", headers=admin_a).status_code == 404
    assert client.patch(f"/api/v1/devices/{theirs['id']}", json={"location": "mine now"},
                        headers=admin_a).status_code == 404
    assert client.post(f"/api/v1/devices/{theirs['id']}/meter-readings", json={"counters": {"total": 5, "black": 5, "colour": 5}},
                       headers=admin_a).status_code == 404
    assert client.put(f"/api/v1/devices/{theirs['id']}/assignees", json={"user_ids": []},
                      headers=admin_a).status_code == 404


def test_knowledge_user_stock_admin_and_billing_get_403(client, bearer, customer, make_device):
    device = make_device(customer)
    for role in ("knowledge_user", "stock_admin", "billing"):
        headers = bearer(role, customer_id=customer)
        assert client.get("/api/v1/devices", headers=headers).status_code == 403, role
        assert client.get(f"/api/v1/devices/{device['id']}", headers=headers).status_code == 403, role
        assert client.post(f"/api/v1/devices/{device['id']}/meter-readings", json={"counters": {"total": 1, "black": 1, "colour": 1}},
                           headers=headers).status_code == 403, role


def test_staff_list_one_customer(client, bearer, customer, make_device):
    device = make_device(customer)

    listed = client.get(f"/api/v1/devices?customer_id={customer}", headers=bearer("agent"))

    assert [item["id"] for item in listed.json["items"]] == [device["id"]]


def test_location_moves_are_kept(client, bearer, token_for, clock, customer, make_device, device_admin):
    device = make_device(customer)
    client.put(f"/api/v1/devices/{device['id']}/assignees", json={"user_ids": [str(device_admin)]},
               headers=bearer("admin", customer_id=customer))
    clock.set_local("2026-03-11T10:00:00")
    moved = client.patch(f"/api/v1/devices/{device['id']}", json={"location": "Piso 5, sala de juntas"},
                         headers=token_for(device_admin, "device_admin", customer_id=customer))
    clock.set_local("2026-03-12T10:00:00")
    client.patch(f"/api/v1/devices/{device['id']}", json={"location": "Almacén"}, headers=bearer("admin", customer_id=customer))

    history = client.get(f"/api/v1/devices/{device['id']}/locations", headers=bearer("admin", customer_id=customer))

    assert moved.status_code == 200 and moved.json["location"] == "Piso 5, sala de juntas"
    assert [item["location"] for item in history.json["items"]] == [
        "Almacén", "Piso 5, sala de juntas", "Piso 3, junto a recepción"]
    assert history.json["items"][1]["moved_by"] == str(device_admin)


def test_unknown_field_in_location_update_is_named(client, bearer, customer, make_device):
    device = make_device(customer)
    response = client.patch(f"/api/v1/devices/{device['id']}", json={"location": "x", "serial_number": "y"},
                            headers=bearer("admin", customer_id=customer))
    assert response.status_code == 422
    assert "serial_number" in response.json["errors"]


def test_retire_and_remove_keep_history(client, bearer, session_factory, customer, make_device):
    device = make_device(customer)
    admin = bearer("admin", customer_id=customer)

    retired = client.post(f"/api/v1/devices/{device['id']}/retirement", headers=bearer("operator"))
    assert retired.status_code == 200 and retired.json["status"] == "retired"
    refused = client.post(f"/api/v1/devices/{device['id']}/meter-readings", json={"counters": {"total": 1, "black": 1, "colour": 1}},
                          headers=admin)
    assert refused.status_code == 409
    assert refused.json["code"] == "servicedesk.device_out_of_service"
    assert client.post(f"/api/v1/devices/{device['id']}/removal", headers=bearer("operator")).status_code == 403

    removed = client.post(f"/api/v1/devices/{device['id']}/removal", headers=bearer("agent"))

    assert removed.status_code == 200 and removed.json["removed_at"] is not None
    assert client.get(f"/api/v1/devices/{device['id']}", headers=admin).status_code == 404
    assert client.get(f"/api/v1/devices/{device['id']}", headers=bearer("agent")).json["removed_at"] is not None
    with transaction(session_factory) as session:
        assert session.get(Device, uuid.UUID(device["id"])) is not None
        assert session.scalar(sa.select(sa.func.count()).select_from(DeviceLocation)
                              .where(DeviceLocation.device_id == uuid.UUID(device["id"]))) == 1


def test_concurrent_registrations_of_one_serial_number_give_one_device_and_409s(app, bearer, customer, session_factory,
                                                                               account_of):
    """The unique serial number, not only the look-up before the insert, keeps a device registered once."""
    body = {"serial_number": f"SN-RACE-{uuid.uuid4().hex[:8]}", "model": "imageRUNNER ADVANCE DX C3930i",
            "customer_id": str(customer), "account_number": account_of(customer), "install_address": "Reforma 222, CDMX",
            "location": "Piso 5", "response_hours": 4, "counters": ["total"]}
    operator = bearer("operator")
    with serving(app) as base:
        statuses = at_once(10, lambda _: requests.post(f"{base}/api/v1/devices", json=body, headers=operator,
                                                       timeout=30).status_code)

    assert sorted(statuses) == [201] + [409] * 9
    with transaction(session_factory) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Device)
                              .where(Device.serial_number == body["serial_number"])) == 1


def test_a_device_cannot_be_registered_under_another_customers_account(client, bearer, deliver, account_of,
                                                                       session_factory):
    # The operator's slip that put customer T's readings on customer A's statement.
    a, t = customer_registered(), customer_registered()
    deliver(a)
    deliver(t)
    a_id, t_id = a.data["customer_id"], t.data["customer_id"]
    body = {"serial_number": f"SN-{uuid.uuid4().hex[:10]}", "model": "imageRUNNER 2630i", "customer_id": str(t_id),
            "install_address": "Reforma 222, CDMX", "response_hours": 8, "counters": ["total"]}
    with transaction(session_factory) as session:
        before = session.scalar(sa.select(sa.func.count()).select_from(Device))

    for account in (account_of(a_id), "999999999", ""):
        refused = client.post("/api/v1/devices", json={**body, "account_number": account}, headers=bearer("operator"))
        assert refused.status_code == 422, refused.json
        assert "account_number" in refused.json["errors"]
        if account:  # an empty one is refused by the request's shape already
            assert refused.json["code"] == "servicedesk.account_not_of_customer"
    with transaction(session_factory) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Device)) == before

    accepted = client.post("/api/v1/devices", json={**body, "account_number": account_of(t_id)}, headers=bearer("operator"))
    assert accepted.status_code == 201, accepted.json
