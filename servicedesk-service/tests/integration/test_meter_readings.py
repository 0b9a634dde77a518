"""Meter readings: the rules, one per device and calendar day, series, and the accepted event in the outbox."""
from __future__ import annotations

import json
import threading
import uuid

import pytest
import requests
import sqlalchemy as sa
from werkzeug.serving import make_server

from portal_shared.contracts import parse_event
from portal_shared.db import transaction
from servicedesk_service.adapters.orm import OUTBOX, CounterReplacement, MeterReading


def readings_path(device) -> str:
    return f"/api/v1/devices/{device['id']}/meter-readings"


def stored_readings(session_factory, device_id) -> int:
    with transaction(session_factory) as session:
        return session.scalar(sa.select(sa.func.count()).select_from(MeterReading)
                              .where(MeterReading.device_id == uuid.UUID(str(device_id))))


def accepted_events(session_factory, device_id) -> list:
    with transaction(session_factory) as session:
        payloads = session.scalars(sa.select(OUTBOX.c.payload).where(
            OUTBOX.c.topic == "servicedesk.meter_reading.accepted.v1")).all()
    events = [parse_event(json.loads(payload)) for payload in payloads]
    return [event for event in events if str(event.data["device_id"]) == str(device_id)]


@pytest.fixture
def device(make_device, customer):
    return make_device(customer, account_number="005300")


@pytest.fixture
def admin(bearer, customer):
    return bearer("admin", customer_id=customer)


def test_accepted_reading_is_in_history_and_outbox(client, admin, clock, session_factory, device, customer):
    clock.set_local("2026-03-10T09:30:00")

    response = client.post(readings_path(device), json={"counter": "total", "value": 1500}, headers=admin)

    assert response.status_code == 201, response.json
    assert response.json["read_on"] == "2026-03-10" and response.json["series"] == 1
    assert response.json["previous_value"] is None
    history = client.get(readings_path(device), headers=admin).json["items"]
    assert [(item["counter"], item["value"]) for item in history] == [("total", 1500)]
    [event] = accepted_events(session_factory, device["id"])
    assert event.data["value"] == 1500 and event.data["account_number"] == "005300"
    assert str(event.data["customer_id"]) == str(customer) and event.data["series"] == 1


def test_lower_than_previous_states_previous_value_and_date(client, admin, clock, session_factory, device):
    clock.set_local("2026-03-10T09:30:00")
    client.post(readings_path(device), json={"counter": "total", "value": 1500}, headers=admin)
    clock.set_local("2026-03-11T09:30:00")

    response = client.post(readings_path(device), json={"counter": "total", "value": 1499}, headers=admin)

    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    assert "1500" in response.json["detail"] and "2026-03-10" in response.json["detail"]
    assert "1500" in response.json["errors"]["value"][0]
    assert response.json["previous_value"] == 1500 and response.json["previous_read_on"] == "2026-03-10"
    assert stored_readings(session_factory, device["id"]) == 1
    assert len(accepted_events(session_factory, device["id"])) == 1


def test_equal_to_previous_and_other_counters_are_their_own_series(client, admin, clock, device):
    clock.set_local("2026-03-10T09:30:00")
    client.post(readings_path(device), json={"counter": "total", "value": 1500}, headers=admin)
    clock.set_local("2026-03-11T09:30:00")
    assert client.post(readings_path(device), json={"counter": "black", "value": 10}, headers=admin).status_code == 201
    clock.set_local("2026-03-12T09:30:00")
    same = client.post(readings_path(device), json={"counter": "total", "value": 1500}, headers=admin)
    assert same.status_code == 201 and same.json["previous_value"] == 1500


def test_second_reading_the_same_day_is_409(client, admin, clock, session_factory, device):
    clock.set_local("2026-03-10T08:00:00")
    client.post(readings_path(device), json={"counter": "total", "value": 1500}, headers=admin)
    clock.set_local("2026-03-10T18:00:00")

    response = client.post(readings_path(device), json={"counter": "black", "value": 2000}, headers=admin)

    assert response.status_code == 409
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json["read_on"] == "2026-03-10" and "2026-03-10" in response.json["detail"]
    assert stored_readings(session_factory, device["id"]) == 1


def test_2359_and_0001_local_are_two_days(client, admin, clock, device):
    # 23:59 in Mexico City is already the next day in UTC; the day counted is the local one.
    clock.set_local("2026-03-10T23:59:00")
    first = client.post(readings_path(device), json={"counter": "total", "value": 100}, headers=admin)
    clock.set_local("2026-03-11T00:01:00")
    second = client.post(readings_path(device), json={"counter": "total", "value": 101}, headers=admin)

    assert (first.status_code, second.status_code) == (201, 201)
    assert (first.json["read_on"], second.json["read_on"]) == ("2026-03-10", "2026-03-11")


def test_0001_utc_is_still_the_previous_local_day(client, admin, clock, device):
    clock.set_local("2026-03-10T20:00:00")
    client.post(readings_path(device), json={"counter": "total", "value": 100}, headers=admin)
    clock.set_local("2026-03-11T00:01:00", zone="UTC")  # 18:01 of the 10th in Mexico City

    assert client.post(readings_path(device), json={"counter": "total", "value": 101}, headers=admin).status_code == 409


def test_counter_replacement_starts_a_new_series(client, admin, bearer, clock, session_factory, device):
    clock.set_local("2026-03-10T09:00:00")
    client.post(readings_path(device), json={"counter": "total", "value": 90000}, headers=admin)
    assert client.post(f"/api/v1/devices/{device['id']}/counter-replacements", json={"counter": "total", "reason": "x"},
                       headers=admin).status_code == 403

    replaced = client.post(f"/api/v1/devices/{device['id']}/counter-replacements",
                           json={"counter": "total", "reason": "Tarjeta de contadores reemplazada"}, headers=bearer("agent"))
    clock.set_local("2026-03-11T09:00:00")
    after = client.post(readings_path(device), json={"counter": "total", "value": 12}, headers=admin)
    clock.set_local("2026-03-12T09:00:00")
    lower_in_new_series = client.post(readings_path(device), json={"counter": "total", "value": 11}, headers=admin)

    assert replaced.status_code == 201 and replaced.json["series"] == 2
    assert after.status_code == 201, after.json
    assert after.json["series"] == 2 and after.json["previous_value"] is None
    assert lower_in_new_series.status_code == 422
    assert "12" in lower_in_new_series.json["detail"] and "2026-03-11" in lower_in_new_series.json["detail"]
    events = accepted_events(session_factory, device["id"])
    assert sorted((e.data["series"], e.data["value"], e.data["previous_value"]) for e in events) == [
        (1, 90000, None), (2, 12, None)]


def test_counter_replacement_of_unknown_counter_is_422(client, bearer, session_factory, device):
    response = client.post(f"/api/v1/devices/{device['id']}/counter-replacements",
                           json={"counter": "magenta", "reason": "x"}, headers=bearer("agent"))
    assert response.status_code == 422 and "counter" in response.json["errors"]
    with transaction(session_factory) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(CounterReplacement)
                              .where(CounterReplacement.device_id == uuid.UUID(device["id"]))) == 0


@pytest.mark.parametrize(
    "body, field",
    [
        ({"counter": "total", "value": -1}, "value"),
        ({"counter": "total", "value": 12.5}, "value"),
        ({"counter": "total", "value": "12"}, "value"),
        ({"counter": "total"}, "value"),
        ({"counter": "magenta", "value": 10}, "counter"),
        ({"value": 10}, "counter"),
        ({"counter": "total", "value": 10, "note": "x"}, "note"),
        ({"counter": "x" * (1024 * 1024), "value": 10}, "body"),
    ],
)
def test_bad_input_is_named_and_nothing_written(client, admin, session_factory, device, body, field):
    response = client.post(readings_path(device), json=body, headers=admin)

    assert response.status_code == (413 if field == "body" else 422), response.json
    assert response.headers["Content-Type"] == "application/problem+json"
    assert field in response.json["errors"]
    assert stored_readings(session_factory, device["id"]) == 0
    assert accepted_events(session_factory, device["id"]) == []


def test_unknown_device_is_404(client, admin, session_factory):
    device_id = uuid.uuid4()
    response = client.post(f"/api/v1/devices/{device_id}/meter-readings", json={"counter": "total", "value": 1},
                           headers=admin)
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"
    assert stored_readings(session_factory, device_id) == 0


def test_20_concurrent_submissions_one_day_exactly_one_accepted(app, admin, clock, session_factory, device):
    clock.set_local("2026-03-10T12:00:00")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    url = f"http://127.0.0.1:{server.server_port}{readings_path(device)}"
    start = threading.Barrier(20)
    statuses: list[int] = []

    def submit() -> None:
        start.wait()
        # One value for all, so the day rule alone decides (no submission is lower than another).
        statuses.append(requests.post(url, json={"counter": "total", "value": 1000}, headers=admin, timeout=30).status_code)

    try:
        threads = [threading.Thread(target=submit) for _ in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        server.shutdown()
        serving.join(timeout=10)

    assert sorted(statuses) == [201] + [409] * 19
    assert stored_readings(session_factory, device["id"]) == 1
    assert len(accepted_events(session_factory, device["id"])) == 1


def test_unique_constraint_holds_without_the_check(session_factory, device, clock):
    """The database itself refuses a second reading of the device and day, whatever the code checks."""
    from datetime import date
    row = {"device_id": uuid.UUID(device["id"]), "counter": "total", "series": 1, "value": 1,
           "read_on": date(2026, 3, 10), "recorded_at": clock()}
    with transaction(session_factory) as session:
        session.add(MeterReading(id=uuid.uuid4(), **row))
    with pytest.raises(sa.exc.IntegrityError):
        with transaction(session_factory) as session:
            session.add(MeterReading(id=uuid.uuid4(), **{**row, "counter": "black", "value": 5}))
