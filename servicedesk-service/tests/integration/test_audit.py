"""The audit log: each write by staff leaves one row in the write's own transaction; a refused
write leaves none; customers' own writes are not the vendor's to log; agents read it."""
from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from portal_shared.db import transaction
from servicedesk_service.adapters.orm import AuditEntry

CONTACT = {"name": "Laura Méndez", "phone": "+52 55 5555 0101", "email": "laura@example.mx"}


def rows(session_factory, customer_id) -> list[AuditEntry]:
    with transaction(session_factory) as session:
        return list(session.scalars(
            sa.select(AuditEntry).where(AuditEntry.customer_id == uuid.UUID(str(customer_id))).order_by(AuditEntry.id)
        ))


def actions(session_factory, customer_id) -> list[str]:
    return [row.action for row in rows(session_factory, customer_id)]


@pytest.fixture
def agent_id() -> uuid.UUID:
    return uuid.uuid4()


@pytest.fixture
def agent(token_for, agent_id):
    return token_for(agent_id, "agent")


@pytest.fixture
def device(make_device, customer):
    return make_device(customer)


@pytest.fixture
def incident(client, agent, device):
    response = client.post("/api/v1/incidents", headers=agent, json={
        "device_id": device["id"], "category": "paper_jam", "description": "Atasco en la bandeja 2.",
        "contact": CONTACT})
    assert response.status_code == 201, response.json
    return response.json


def test_registering_a_device_is_kept_with_who_did_it(client, token_for, customer, session_factory, account_of):
    operator_id = uuid.uuid4()
    response = client.post("/api/v1/devices", headers=token_for(operator_id, "operator"), json={
        "serial_number": f"SN-{uuid.uuid4().hex[:10]}", "model": "imageRUNNER 2630i", "customer_id": str(customer),
        "account_number": account_of(customer), "install_address": "Av. Reforma 222, CDMX", "response_hours": 8,
        "counters": ["total"]})
    assert response.status_code == 201

    [entry] = rows(session_factory, customer)

    assert entry.action == "device.registered"
    assert entry.actor_id == operator_id and entry.actor_roles == ["operator"]
    assert (entry.subject_type, entry.subject_id) == ("device", response.json["id"])
    assert entry.detail["serial_number"] == response.json["serial_number"]


@pytest.mark.parametrize(
    ("method", "path", "body", "action"),
    [
        ("PATCH", "", {"location": "Piso 5, sala de juntas"}, "device.location_changed"),
        ("POST", "/retirement", None, "device.retired"),
        ("POST", "/removal", None, "device.removed"),
        ("POST", "/counter-replacements", {"counter": "black", "reason": "Tarjeta sustituida"},
         "device.counter_replaced"),
        ("POST", "/meter-readings", {"counters": {"total": 1200, "black": 800, "colour": 400}},
         "device.meter_reading_submitted"),
    ],
)
def test_each_device_write_by_an_agent_leaves_one_row(client, agent, agent_id, customer, device, session_factory,
                                                       method, path, body, action):
    before = actions(session_factory, customer)

    response = client.open(f"/api/v1/devices/{device['id']}{path}", method=method, json=body, headers=agent)

    assert response.status_code in (200, 201), response.json
    after = rows(session_factory, customer)
    assert [row.action for row in after] == [*before, action]
    assert after[-1].actor_id == agent_id and after[-1].actor_roles == ["agent"]
    assert after[-1].subject_id == device["id"]


def test_a_move_records_where_from_and_to(client, agent, customer, device, session_factory):
    client.patch(f"/api/v1/devices/{device['id']}", json={"location": "Bodega"}, headers=agent)

    assert rows(session_factory, customer)[-1].detail == {"from": device["location"], "to": "Bodega"}


def test_repeating_a_write_that_changes_nothing_adds_nothing(client, agent, customer, device, session_factory):
    for _ in range(2):
        assert client.post(f"/api/v1/devices/{device['id']}/retirement", headers=agent).status_code == 200
        assert client.patch(f"/api/v1/devices/{device['id']}", json={"location": "Bodega"},
                            headers=agent).status_code == 200

    assert actions(session_factory, customer) == ["device.registered", "device.retired", "device.location_changed"]


def test_incident_opened_commented_and_moved_by_an_agent(client, agent, customer, incident, session_factory):
    path = f"/api/v1/incidents/{incident['id']}"
    assert client.post(f"{path}/comments", json={"text": "Técnico asignado."}, headers=agent).status_code == 201
    assert client.post(f"{path}/status", json={"status": "acknowledged"}, headers=agent).status_code == 200

    entries = [row for row in rows(session_factory, customer) if row.subject_type == "incident"]

    assert [row.action for row in entries] == ["incident.opened", "incident.commented", "incident.status_changed"]
    assert {row.subject_id for row in entries} == {incident["id"]}
    assert entries[1].detail == {"text": "Técnico asignado."}
    assert entries[2].detail == {"from": "open", "to": "acknowledged"}


def test_customers_own_writes_are_not_in_the_vendors_log(client, bearer, customer, device, session_factory):
    admin = bearer("admin", customer_id=customer)
    before = actions(session_factory, customer)

    assert client.patch(f"/api/v1/devices/{device['id']}", json={"location": "Recepción"},
                        headers=admin).status_code == 200
    opened = client.post("/api/v1/incidents", headers=admin, json={
        "device_id": device["id"], "category": "toner", "description": "Sin tóner.", "contact": CONTACT})
    assert opened.status_code == 201
    assert client.post(f"/api/v1/incidents/{opened.json['id']}/comments", json={"text": "¿Hay fecha?"},
                       headers=admin).status_code == 201

    assert actions(session_factory, customer) == before


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("PATCH", "", {"location": "   "}, 422),  # blank once trimmed: the use case refuses it
        ("PATCH", "", {"location": ""}, 422),  # refused by the schema already
        ("POST", "/counter-replacements", {"counter": "cyan", "reason": "x"}, 422),
        ("POST", "/counter-replacements", {"counter": "black", "reason": "  "}, 422),
        ("POST", "/meter-readings", {"counters": {"total": -1, "black": 1, "colour": 1}}, 422),
        ("POST", "/meter-readings", {"counters": {"total": 1, "black": 1, "colour": 1, "staples": 10}}, 422),
        ("POST", "/meter-readings", {"counters": {"total": 1, "black": 1}}, 422),
    ],
)
def test_a_refused_device_write_leaves_no_row(client, agent, customer, device, session_factory,
                                              method, path, body, status):
    before = actions(session_factory, customer)

    response = client.open(f"/api/v1/devices/{device['id']}{path}", method=method, json=body, headers=agent)

    assert response.status_code == status
    assert response.json["errors"]
    assert actions(session_factory, customer) == before


def test_a_reading_lower_than_the_previous_leaves_no_row(client, agent, customer, device, session_factory, clock):
    assert client.post(f"/api/v1/devices/{device['id']}/meter-readings", json={"counters": {"total": 500, "black": 300, "colour": 200}},
                       headers=agent).status_code == 201
    clock.set_local("2026-03-11T10:00")
    before = actions(session_factory, customer)

    response = client.post(f"/api/v1/devices/{device['id']}/meter-readings", json={"counters": {"total": 499, "black": 300, "colour": 200}},
                           headers=agent)

    assert response.status_code == 422
    assert response.json["previous"] == {"total": {"value": 500, "read_on": "2026-03-10"}}
    assert actions(session_factory, customer) == before


def test_refused_incident_writes_leave_no_row(client, agent, customer, incident, session_factory):
    path = f"/api/v1/incidents/{incident['id']}"
    before = actions(session_factory, customer)

    skipped = client.post(f"{path}/status", json={"status": "resolved"}, headers=agent)  # open cannot become resolved
    blank = client.post(f"{path}/comments", json={"text": "   "}, headers=agent)
    customers_move = client.post(f"{path}/status", json={"status": "cancelled"}, headers=agent)

    assert (skipped.status_code, blank.status_code, customers_move.status_code) == (409, 422, 403)
    assert actions(session_factory, customer) == before


def test_a_device_for_an_unknown_customer_leaves_no_row(client, agent, session_factory):
    stranger = uuid.uuid4()
    response = client.post("/api/v1/devices", headers=agent, json={
        "serial_number": "SN-NOBODY", "model": "m", "customer_id": str(stranger), "account_number": "1",
        "install_address": "a", "response_hours": 4, "counters": ["total"]})

    assert response.status_code == 422 and "customer_id" in response.json["errors"]
    assert rows(session_factory, stranger) == []


def test_agents_read_the_log_newest_first(client, agent, agent_id, customer, device):
    client.patch(f"/api/v1/devices/{device['id']}", json={"location": "Bodega"}, headers=agent)
    client.post(f"/api/v1/devices/{device['id']}/removal", headers=agent)

    response = client.get(f"/api/v1/staff/audit-log?customer_id={customer}", headers=agent)

    assert response.status_code == 200
    items = response.json["items"]
    assert [item["action"] for item in items] == ["device.removed", "device.location_changed", "device.registered"]
    assert items[0]["actor"] == {"user_id": str(agent_id), "roles": ["agent"]}
    assert items[0]["subject"] == {"type": "device", "id": device["id"]}
    assert items[0]["customer_id"] == str(customer)
    assert items[1]["detail"]["to"] == "Bodega"
    limited = client.get(f"/api/v1/staff/audit-log?customer_id={customer}&limit=1", headers=agent)
    assert [item["action"] for item in limited.json["items"]] == ["device.removed"]


def test_another_customers_entries_do_not_show(client, agent, customer, device, registration, deliver, make_device):
    other = registration()
    deliver(other)
    make_device(other.data["customer_id"])

    response = client.get(f"/api/v1/staff/audit-log?customer_id={customer}", headers=agent)

    assert {item["customer_id"] for item in response.json["items"]} == {str(customer)}


@pytest.mark.parametrize("role", ["admin", "device_admin", "operator"])
def test_only_agents_read_the_log(client, bearer, customer, role):
    customer_id = None if role == "operator" else customer
    headers = bearer(role, customer_id=customer_id)
    response = client.get(f"/api/v1/staff/audit-log?customer_id={customer}", headers=headers)
    assert response.status_code == 403


@pytest.mark.parametrize("query", ["customer_id=nope", "limit=0", "limit=501", "customer=x"])
def test_bad_query_is_named(client, agent, query):
    response = client.get(f"/api/v1/staff/audit-log?{query}", headers=agent)
    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json["errors"]
