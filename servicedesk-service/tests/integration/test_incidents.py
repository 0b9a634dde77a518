"""Incidents through the API: who opens and reaches them, the SLA clock, transitions, comments, the event."""
from __future__ import annotations

import json
import re
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import requests
import sqlalchemy as sa

from portal_shared.contracts import parse_event
from portal_shared.db import transaction
from portal_shared.testing.concurrency import at_once, serving
from portal_shared.testing.events import customer_registered
from servicedesk_service.adapters.orm import OUTBOX, Incident, IncidentEvent

MEXICO = ZoneInfo("America/Mexico_City")
CONTACT = {"name": "Laura Méndez", "phone": "+52 55 5555 0101", "email": "laura@example.mx"}


def body_for(device, **fields) -> dict:
    return {"device_id": device["id"], "category": "paper_jam", "description": "Atasco en la bandeja 2.",
            "contact": CONTACT, **fields}


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=MEXICO)


def stored(session_factory, model, customer_id) -> int:
    """Rows of one customer's incidents (the database is shared by the tests of a run)."""
    query = sa.select(sa.func.count()).select_from(model)
    if model is IncidentEvent:
        query = query.join(Incident, Incident.id == IncidentEvent.incident_id)
    with transaction(session_factory) as session:
        return session.scalar(query.where(Incident.customer_id == uuid.UUID(str(customer_id))))


def published(session_factory, customer_id, topic: str) -> list:
    with transaction(session_factory) as session:
        payloads = session.scalars(sa.select(OUTBOX.c.payload).where(OUTBOX.c.topic == topic)
                                   .order_by(OUTBOX.c.seq)).all()
    events = [parse_event(json.loads(payload)) for payload in payloads]
    return [event for event in events if str(event.data["customer_id"]) == str(customer_id)]


def opened_events(session_factory, customer_id) -> list:
    return published(session_factory, customer_id, "servicedesk.incident.opened.v2")


def status_events(session_factory, customer_id) -> list:
    return published(session_factory, customer_id, "servicedesk.incident.status_changed.v1")


def sequence_of(number: str, year: int) -> int:
    match = re.fullmatch(rf"INC-{year}-(\d{{6}})", number)
    assert match, f"{number!r} is not an incident number of {year}"
    return int(match.group(1))


@pytest.fixture
def device(make_device, customer):
    return make_device(customer, response_hours=4)


@pytest.fixture
def admin(bearer, customer):
    return bearer("admin", customer_id=customer)


@pytest.fixture
def agent(bearer):
    return bearer("agent")


@pytest.fixture
def open_one(client, admin, device):
    def make(headers=None, **fields) -> dict:
        response = client.post("/api/v1/incidents", json=body_for(device, **fields), headers=headers or admin)
        assert response.status_code == 201, response.json
        return response.json

    return make


def status(client, incident, target, headers):
    return client.post(f"/api/v1/incidents/{incident['id']}/status", json={"status": target}, headers=headers)


def sla_status(client, incident, headers) -> str:
    response = client.get(f"/api/v1/incidents/{incident['id']}", headers=headers)
    assert response.status_code == 200, response.json
    return response.json["sla"]["status"]


def test_friday_1730_with_4_hours_is_due_monday_1230(client, admin, clock, device, open_one):
    clock.set_local("2026-03-06T17:30:00")  # a Friday; Monday the 9th is no holiday

    incident = open_one()

    assert datetime.fromisoformat(incident["response_due_at"]) == local("2026-03-09T12:30:00")
    assert datetime.fromisoformat(incident["sla"]["response_due_at"]) == local("2026-03-09T12:30:00")
    assert incident["status"] == "open" and incident["sla"]["status"] == "on_time"
    assert [(h["kind"], h["to_status"], h["side"]) for h in incident["history"]] == [("status", "open", "customer")]


def test_the_configured_calendar_decides_the_due_time(make_app, clock, admin, make_device, customer):
    """Saturday mornings open and Mexico's holidays worked: the service counts in the calendar it is given."""
    app = make_app(CLOCK=clock, SERVICE_HOURS="mon-fri 09:00-18:00; sat 09:00-13:00", SERVICE_STATUTORY_HOLIDAYS="none")
    client = app.test_client()
    device = make_device(customer)
    clock.set_local("2026-03-13T17:30:00")  # Friday; Monday the 16th would be a holiday

    response = client.post("/api/v1/incidents", json=body_for(device), headers=admin)

    assert response.status_code == 201, response.json
    assert datetime.fromisoformat(response.json["response_due_at"]) == local("2026-03-14T12:30:00")


def test_opened_out_of_hours_on_the_eve_of_a_holiday_counts_from_the_next_business_day(client, clock, open_one):
    # Monday 16 March 2026 is Benito Juárez's day (third Monday of March).
    clock.set_local("2026-03-13T19:00:00")

    incident = open_one()

    assert datetime.fromisoformat(incident["response_due_at"]) == local("2026-03-17T13:00:00")


@pytest.mark.parametrize("moment, expected", [
    ("2026-03-06T17:45:00", "on_time"),
    ("2026-03-09T10:00:00", "on_time"),
    ("2026-03-09T11:31:00", "at_risk"),
    ("2026-03-09T12:30:00", "at_risk"),
    ("2026-03-09T12:31:00", "breached"),
    ("2026-03-10T09:00:00", "breached"),
])
def test_sla_status_follows_the_clock(client, admin, clock, open_one, moment, expected):
    clock.set_local("2026-03-06T17:30:00")
    incident = open_one()

    clock.set_local(moment)

    assert sla_status(client, incident, admin) == expected
    listed = client.get("/api/v1/incidents", headers=admin).json["items"]
    assert [item["sla"]["status"] for item in listed] == [expected]


def test_a_response_stops_the_clock(client, admin, agent, clock, open_one):
    clock.set_local("2026-03-06T17:30:00")
    on_time, late = open_one(), open_one()
    clock.set_local("2026-03-09T12:00:00")
    assert status(client, on_time, "acknowledged", agent).status_code == 200
    clock.set_local("2026-03-09T13:00:00")
    assert status(client, late, "acknowledged", agent).status_code == 200

    clock.set_local("2026-03-20T10:00:00")

    assert sla_status(client, on_time, admin) == "on_time"
    assert sla_status(client, late, admin) == "breached"
    read = client.get(f"/api/v1/incidents/{on_time['id']}", headers=admin).json
    assert datetime.fromisoformat(read["sla"]["responded_at"]) == local("2026-03-09T12:00:00")


def test_full_lifecycle_and_history(client, admin, agent, open_one):
    incident = open_one()

    for target in ("acknowledged", "in_progress", "resolved"):
        response = status(client, incident, target, agent)
        assert response.status_code == 200, response.json
        assert response.json["status"] == target
    closed = status(client, incident, "closed", admin)

    assert closed.status_code == 200 and closed.json["status"] == "closed"
    assert closed.json["ended_at"] is not None
    assert [(h["from_status"], h["to_status"], h["side"]) for h in closed.json["history"]] == [
        (None, "open", "customer"), ("open", "acknowledged", "vendor"), ("acknowledged", "in_progress", "vendor"),
        ("in_progress", "resolved", "vendor"), ("resolved", "closed", "customer")]


def test_customer_cancels_an_open_incident_but_not_one_in_progress(client, admin, agent, open_one):
    cancelled, started = open_one(), open_one()
    status(client, started, "acknowledged", agent)

    assert status(client, cancelled, "cancelled", admin).json["status"] == "cancelled"
    refused = status(client, started, "cancelled", admin)

    assert refused.status_code == 409
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert refused.json["code"] == "servicedesk.incident_move_not_allowed"


@pytest.mark.parametrize("moves, target, who, code", [
    ([], "resolved", "agent", 409),             # skips acknowledged and in progress
    ([], "closed", "admin", 409),               # only a resolved incident closes
    ([], "open", "agent", 409),                 # already open
    ([], "acknowledged", "admin", 403),         # the vendor's move
    (["acknowledged", "in_progress", "resolved"], "closed", "agent", 403),  # the customer's move
    ([], "cancelled", "agent", 403),
])
def test_guarded_transitions(client, admin, agent, session_factory, customer, open_one, moves, target, who, code):
    incident = open_one()
    for move in moves:
        assert status(client, incident, move, agent).status_code == 200
    before = stored(session_factory, IncidentEvent, customer)

    response = status(client, incident, target, {"admin": admin, "agent": agent}[who])

    assert response.status_code == code, response.json
    assert response.json["code"] == {409: "servicedesk.incident_move_not_allowed",
                                     403: "servicedesk.incident_move_other_side"}[code]
    assert stored(session_factory, IncidentEvent, customer) == before


def test_unknown_status_is_422(client, agent, open_one):
    response = status(client, open_one(), "reopened", agent)

    assert response.status_code == 422 and "status" in response.json["errors"]


def test_comments_from_both_sides_join_the_history(client, admin, agent, open_one):
    incident = open_one()
    path = f"/api/v1/incidents/{incident['id']}/comments"

    mine = client.post(path, json={"text": "¿Pueden venir hoy?"}, headers=admin)
    theirs = client.post(path, json={"text": "Un técnico va en camino."}, headers=agent)

    assert mine.status_code == 201 and mine.json["side"] == "customer"
    assert theirs.status_code == 201 and theirs.json["side"] == "vendor"
    history = client.get(f"/api/v1/incidents/{incident['id']}", headers=admin).json["history"]
    assert [(h["kind"], h["text"], h["side"]) for h in history] == [
        ("status", None, "customer"), ("comment", "¿Pueden venir hoy?", "customer"),
        ("comment", "Un técnico va en camino.", "vendor")]


@pytest.mark.parametrize("text", ["", "   ", "x" * 5001])
def test_bad_comment_is_422_and_nothing_written(client, admin, session_factory, customer, open_one, text):
    incident = open_one()
    before = stored(session_factory, IncidentEvent, customer)

    response = client.post(f"/api/v1/incidents/{incident['id']}/comments", json={"text": text}, headers=admin)

    assert response.status_code == 422 and "text" in response.json["errors"]
    assert stored(session_factory, IncidentEvent, customer) == before


def test_opening_publishes_the_event_through_the_outbox(client, clock, customer, device, open_one, session_factory):
    clock.set_local("2026-03-06T17:30:00")

    incident = open_one()

    [event] = opened_events(session_factory, customer)
    assert str(event.data["incident_id"]) == incident["id"]
    assert str(event.data["customer_id"]) == str(customer) and str(event.data["device_id"]) == device["id"]
    assert event.data["category"] == "paper_jam"
    assert event.data["response_due_at"] == local("2026-03-09T12:30:00")


def test_the_opening_event_names_the_number_and_the_people_concerned(client, admin, device, device_admin,
                                                                      open_one, session_factory, customer):
    client.put(f"/api/v1/devices/{device['id']}/assignees", json={"user_ids": [str(device_admin)]}, headers=admin)

    incident = open_one()

    [event] = opened_events(session_factory, customer)
    assert event.data["number"] == incident["number"]
    assert str(event.data["opened_by"]) == incident["opened_by"]
    assert [str(user) for user in event.data["device_admin_ids"]] == [str(device_admin)]
    assert (event.data["serial_number"], event.data["model"]) == (device["serial_number"], device["model"])
    assert event.data["description"] == "Atasco en la bandeja 2."


def test_incidents_are_numbered_one_after_another_within_the_year(clock, open_one):
    clock.set_local("2026-03-06T17:30:00")

    first, second = open_one(), open_one()

    assert sequence_of(second["number"], 2026) == sequence_of(first["number"], 2026) + 1


def test_the_year_of_a_number_is_the_service_calendars(clock, open_one):
    # 23:50 on 31 December in Mexico City is already 1 January in UTC: the number keeps the local year.
    clock.set_local("2038-12-31T23:50:00")
    last_of_year = open_one()
    clock.set_local("2039-01-01T00:10:00")
    first_of_next = open_one()

    assert last_of_year["number"].startswith("INC-2038-")
    sequence_of(first_of_next["number"], 2039)
    # Each year counts on its own: the new year's numbers do not continue the old year's.
    clock.set_local("2039-01-01T00:20:00")
    assert sequence_of(open_one()["number"], 2039) == sequence_of(first_of_next["number"], 2039) + 1


def test_simultaneous_openings_get_distinct_consecutive_numbers(app, admin, clock, device, session_factory,
                                                                customer):
    clock.set_local("2041-06-03T10:00:00")
    with serving(app) as base:
        answers = at_once(12, lambda _: requests.post(f"{base}/api/v1/incidents", json=body_for(device), headers=admin,
                                                      timeout=60))

    assert [answer.status_code for answer in answers] == [201] * 12, [answer.text for answer in answers]
    numbers = [answer.json()["number"] for answer in answers]
    sequences = sorted(sequence_of(number, 2041) for number in numbers)
    assert sequences == list(range(sequences[0], sequences[0] + 12)), numbers
    assert sorted(str(event.data["number"]) for event in opened_events(session_factory, customer)) == sorted(numbers)


def test_each_status_change_is_announced(client, admin, agent, device, device_admin, open_one, session_factory,
                                         customer, clock):
    client.put(f"/api/v1/devices/{device['id']}/assignees", json={"user_ids": [str(device_admin)]}, headers=admin)
    clock.set_local("2026-03-06T17:30:00")
    incident = open_one()

    assert status(client, incident, "acknowledged", agent).status_code == 200
    assert status(client, incident, "resolved", agent).status_code == 409  # refused: announces nothing

    [event] = status_events(session_factory, customer)
    assert (event.data["from_status"], event.data["to_status"], event.data["side"]) == ("open", "acknowledged",
                                                                                         "vendor")
    assert event.data["number"] == incident["number"]
    assert str(event.data["opened_by"]) == incident["opened_by"]
    assert [str(user) for user in event.data["device_admin_ids"]] == [str(device_admin)]
    assert event.data["changed_at"] == local("2026-03-06T17:30:00")


def test_agent_opens_for_the_customer_of_the_device(client, agent, customer, device, open_one, session_factory):
    incident = open_one(headers=agent)

    assert incident["customer_id"] == str(customer)
    assert incident["history"][0]["side"] == "vendor"
    listed = client.get(f"/api/v1/incidents?customer_id={customer}", headers=agent).json["items"]
    assert [item["id"] for item in listed] == [incident["id"]]
    assert client.get(f"/api/v1/incidents?customer_id={uuid.uuid4()}", headers=agent).json["items"] == []


def test_device_admin_opens_only_for_assigned_devices(client, admin, token_for, customer, make_device, device_admin,
                                                      session_factory):
    mine, other = make_device(customer), make_device(customer)
    client.put(f"/api/v1/devices/{mine['id']}/assignees", json={"user_ids": [str(device_admin)]}, headers=admin)
    headers = token_for(device_admin, "device_admin", customer_id=customer)
    opened_by_admin = client.post("/api/v1/incidents", json=body_for(other), headers=admin).json

    own = client.post("/api/v1/incidents", json=body_for(mine), headers=headers)
    refused = client.post("/api/v1/incidents", json=body_for(other), headers=headers)

    assert own.status_code == 201 and own.json["opened_by"] == str(device_admin)
    assert refused.status_code == 404 and refused.headers["Content-Type"] == "application/problem+json"
    assert refused.json["code"] == "servicedesk.device_not_found"
    assert [item["id"] for item in client.get("/api/v1/incidents", headers=headers).json["items"]] == [own.json["id"]]
    unreachable = client.get(f"/api/v1/incidents/{opened_by_admin['id']}", headers=headers)
    assert unreachable.status_code == 404 and unreachable.json["code"] == "servicedesk.incident_not_found"
    assert client.post(f"/api/v1/incidents/{opened_by_admin['id']}/comments", json={"text": "hola"},
                       headers=headers).status_code == 404
    assert stored(session_factory, Incident, customer) == 2


def test_customer_b_cannot_reach_customer_a(client, bearer, deliver, customer, device, open_one, session_factory):
    other = customer_registered()
    deliver(other)
    b_admin = bearer("admin", customer_id=other.data["customer_id"])
    incident = open_one()

    assert client.post("/api/v1/incidents", json=body_for(device), headers=b_admin).status_code == 404
    assert client.get(f"/api/v1/incidents/{incident['id']}", headers=b_admin).status_code == 404
    assert client.post(f"/api/v1/incidents/{incident['id']}/comments", json={"text": "x"},
                       headers=b_admin).status_code == 404
    assert status(client, incident, "cancelled", b_admin).status_code == 404
    assert client.get("/api/v1/incidents", headers=b_admin).json["items"] == []
    assert stored(session_factory, Incident, customer) == 1
    assert stored(session_factory, Incident, other.data["customer_id"]) == 0


@pytest.mark.parametrize("role", ["stock_admin", "knowledge_user", "billing", "operator"])
def test_roles_that_cannot_open_incidents_get_403(client, bearer, customer, device, session_factory, role):
    response = client.post("/api/v1/incidents", json=body_for(device),
                           headers=bearer(role, customer_id=None if role == "operator" else customer))

    assert response.status_code == 403
    assert stored(session_factory, Incident, customer) == 0


@pytest.mark.parametrize("role", ["stock_admin", "knowledge_user", "billing"])
def test_roles_outside_devices_cannot_read_incidents(client, bearer, customer, open_one, role):
    incident = open_one()
    headers = bearer(role, customer_id=customer)

    assert client.get("/api/v1/incidents", headers=headers).status_code == 403
    assert client.get(f"/api/v1/incidents/{incident['id']}", headers=headers).status_code == 403


def test_retired_device_takes_no_incidents(client, admin, bearer, device, session_factory, customer):
    client.post(f"/api/v1/devices/{device['id']}/retirement", headers=bearer("operator"))

    response = client.post("/api/v1/incidents", json=body_for(device), headers=admin)

    assert response.status_code == 409
    assert response.json["code"] == "servicedesk.device_out_of_service"
    assert stored(session_factory, Incident, customer) == 0


@pytest.mark.parametrize("change, field", [
    ({"description": "x" * 5001}, "description"),
    ({"description": ""}, "description"),
    ({"description": "   "}, "description"),
    ({"category": ""}, "category"),
    ({"device_id": "not-a-uuid"}, "device_id"),
    ({"contact": {**CONTACT, "email": "not-an-email"}}, "contact"),
    ({"contact": {"name": "Laura"}}, "contact"),
    ({"priority": "high"}, "priority"),
])
def test_bad_input_is_named_and_nothing_written(client, admin, device, session_factory, customer, change, field):
    response = client.post("/api/v1/incidents", json=body_for(device, **change), headers=admin)

    assert response.status_code == 422, response.json
    assert any(key == field or key.startswith(f"{field}.") for key in response.json["errors"]), response.json
    assert stored(session_factory, Incident, customer) == 0 and stored(session_factory, IncidentEvent, customer) == 0
    assert opened_events(session_factory, customer) == []


@pytest.mark.parametrize("category", ["Atasco de papel", "sabotage", "PAPER_JAM", "paper jam"])
def test_an_unknown_category_is_422_naming_it_and_nothing_written(client, admin, device, session_factory, customer,
                                                                   category):
    response = client.post("/api/v1/incidents", json=body_for(device, category=category), headers=admin)

    assert response.status_code == 422, response.json
    assert response.json["code"] == "servicedesk.unknown_category"
    assert list(response.json["errors"]) == ["category"] and "paper_jam" in response.json["errors"]["category"][0]
    assert stored(session_factory, Incident, customer) == 0 and opened_events(session_factory, customer) == []


def test_an_unknown_category_is_named_with_the_other_fields_to_blame(client, admin, device, session_factory, customer):
    response = client.post("/api/v1/incidents", json=body_for(device, category="sabotage", description=" "),
                           headers=admin)

    assert response.status_code == 422, response.json
    assert response.json["code"] == "request.invalid"
    assert set(response.json["errors"]) == {"category", "description"}
    assert stored(session_factory, Incident, customer) == 0


def test_every_category_opens_an_incident(client, admin, open_one):
    keys = [item["key"] for item in client.get("/api/v1/incident-categories", headers=admin).json["items"]]

    assert [open_one(category=key)["category"] for key in keys] == keys


@pytest.mark.parametrize("role", ["admin", "device_admin", "stock_admin", "billing", "knowledge_user", "agent",
                                  "operator"])
def test_any_signed_in_user_reads_the_categories(client, bearer, customer, role):
    staff = role in ("agent", "operator")
    response = client.get("/api/v1/incident-categories", headers=bearer(role, customer_id=None if staff else customer))

    assert response.status_code == 200, response.json
    assert response.json == {"items": [{"key": key} for key in (
        "paper_jam", "print_quality", "error_code", "no_power", "scanning", "toner", "noise", "other")]}


def test_the_categories_need_a_signed_in_user(client):
    response = client.get("/api/v1/incident-categories")

    assert response.status_code == 401 and response.json["code"] == "auth.required"


def test_the_openapi_document_describes_the_categories(client):
    document = client.get("/openapi.json").json
    answer = document["paths"]["/api/v1/incident-categories"]["get"]["responses"]["200"]["content"]["application/json"]

    assert answer["schema"]["$ref"].endswith("/CategoriesOut")
    assert document["components"]["schemas"]["CategoryOut"]["properties"]["key"]["enum"][0] == "paper_jam"
    assert "servicedesk.unknown_category" in document["x-error-codes"]


def test_missing_fields_are_named(client, admin, session_factory, customer):
    response = client.post("/api/v1/incidents", json={}, headers=admin)

    assert response.status_code == 422
    assert {"device_id", "category", "description", "contact"} <= set(response.json["errors"])


def test_unknown_device_is_404_and_nothing_written(client, admin, session_factory, customer):
    response = client.post("/api/v1/incidents", json={"device_id": str(uuid.uuid4()), "category": "paper_jam",
                                                      "description": "d", "contact": CONTACT}, headers=admin)

    assert response.status_code == 404
    assert response.json["code"] == "servicedesk.device_not_found"
    assert stored(session_factory, Incident, customer) == 0 and opened_events(session_factory, customer) == []


def test_a_megabyte_description_is_413(client, admin, device, session_factory, customer):
    response = client.post("/api/v1/incidents", json=body_for(device, description="x" * (1024 * 1024)), headers=admin)

    assert response.status_code == 413
    assert stored(session_factory, Incident, customer) == 0


def test_device_removed_from_the_account_takes_no_incidents_even_from_an_agent(client, agent, device, session_factory,
                                                                               customer):
    assert client.post(f"/api/v1/devices/{device['id']}/removal", headers=agent).status_code == 200

    response = client.post("/api/v1/incidents", json=body_for(device), headers=agent)

    assert response.status_code == 409
    assert response.json["code"] == "servicedesk.device_out_of_service"
    assert stored(session_factory, Incident, customer) == 0


def test_incidents_stay_listed_by_status_and_device(client, admin, agent, device, open_one):
    first, second = open_one(), open_one()
    status(client, second, "acknowledged", agent)

    acknowledged = client.get("/api/v1/incidents?status=acknowledged", headers=admin).json["items"]
    of_device = client.get(f"/api/v1/incidents?device_id={device['id']}", headers=admin).json["items"]

    assert [item["id"] for item in acknowledged] == [second["id"]]
    assert {item["id"] for item in of_device} == {first["id"], second["id"]}
    assert client.get("/api/v1/incidents?status=nonsense", headers=admin).status_code == 422
