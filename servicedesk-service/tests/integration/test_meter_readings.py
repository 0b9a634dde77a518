"""Meter readings: the rules, one per device and calendar day, series, the accepted event in the outbox, and
readings staff record for an earlier day (read_on)."""
from __future__ import annotations

import json
import threading
import uuid
from datetime import datetime

import pytest
import requests
import sqlalchemy as sa
from werkzeug.serving import make_server

from portal_shared.contracts import parse_event
from portal_shared.db import transaction
from servicedesk_service.adapters.orm import OUTBOX, AuditEntry, CounterReplacement, MeterReading


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
    return make_device(customer)


@pytest.fixture
def admin(bearer, customer):
    return bearer("admin", customer_id=customer)


@pytest.fixture
def operator_id() -> uuid.UUID:
    return uuid.uuid4()


@pytest.fixture
def operator(token_for, operator_id):
    return token_for(operator_id, "operator")


def audit_rows(session_factory, customer_id) -> list[AuditEntry]:
    with transaction(session_factory) as session:
        return list(session.scalars(sa.select(AuditEntry).where(AuditEntry.customer_id == uuid.UUID(str(customer_id)))
                                    .order_by(AuditEntry.id)))


def test_accepted_reading_is_in_history_and_outbox(client, admin, clock, session_factory, device, customer):
    clock.set_local("2026-03-10T09:30:00")

    response = client.post(readings_path(device), json={"counter": "total", "value": 1500}, headers=admin)

    assert response.status_code == 201, response.json
    assert response.json["read_on"] == "2026-03-10" and response.json["series"] == 1
    assert response.json["previous_value"] is None
    history = client.get(readings_path(device), headers=admin).json["items"]
    assert [(item["counter"], item["value"]) for item in history] == [("total", 1500)]
    [event] = accepted_events(session_factory, device["id"])
    assert event.data["value"] == 1500 and event.data["account_number"] == device["account_number"]
    assert str(event.data["customer_id"]) == str(customer) and event.data["series"] == 1


def test_lower_than_previous_states_previous_value_and_date(client, admin, clock, session_factory, device):
    clock.set_local("2026-03-10T09:30:00")
    client.post(readings_path(device), json={"counter": "total", "value": 1500}, headers=admin)
    clock.set_local("2026-03-11T09:30:00")

    response = client.post(readings_path(device), json={"counter": "total", "value": 1499}, headers=admin)

    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json["code"] == "servicedesk.reading_below_previous"
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
    assert response.json["code"] == "servicedesk.reading_already_today"
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
    assert response.json["code"] == "servicedesk.unknown_counter"
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
    assert response.json["code"] == "servicedesk.device_not_found"
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


def test_operator_records_a_reading_of_an_earlier_day(client, operator, operator_id, clock, session_factory, device,
                                                       customer):
    clock.set_local("2026-03-10T09:30:00")

    response = client.post(readings_path(device), json={"counter": "total", "value": 41000, "read_on": "2026-02-01"},
                           headers=operator)

    assert response.status_code == 201, response.json
    assert response.json["read_on"] == "2026-02-01" and response.json["previous_value"] is None
    assert datetime.fromisoformat(response.json["recorded_at"]) == clock()  # when it was recorded: now
    with transaction(session_factory) as session:
        stored = session.get(MeterReading, uuid.UUID(response.json["id"]))
        assert stored.recorded_by == operator_id
    [event] = accepted_events(session_factory, device["id"])
    assert event.data["read_on"].isoformat() == "2026-02-01" and event.data["value"] == 41000
    [*_, entry] = audit_rows(session_factory, customer)
    assert entry.action == "device.meter_reading_submitted"
    assert entry.actor_id == operator_id and entry.actor_roles == ["operator"]
    assert entry.detail["read_on"] == "2026-02-01" and entry.detail["reading_id"] == response.json["id"]


def test_agent_records_an_earlier_day_too(client, bearer, clock, device):
    clock.set_local("2026-03-10T09:30:00")
    response = client.post(readings_path(device), json={"counter": "black", "value": 7, "read_on": "2026-03-09"},
                           headers=bearer("agent"))
    assert response.status_code == 201, response.json
    assert response.json["read_on"] == "2026-03-09"


def test_a_past_reading_then_a_lower_one_today_is_refused_with_its_value_and_date(client, admin, operator, clock,
                                                                                  session_factory, device):
    clock.set_local("2026-03-10T09:30:00")
    assert client.post(readings_path(device), json={"counter": "total", "value": 5000, "read_on": "2026-03-09"},
                       headers=operator).status_code == 201

    lower = client.post(readings_path(device), json={"counter": "total", "value": 4900}, headers=admin)
    higher = client.post(readings_path(device), json={"counter": "total", "value": 5250}, headers=admin)

    assert lower.status_code == 422, lower.json
    assert lower.json["previous_value"] == 5000 and lower.json["previous_read_on"] == "2026-03-09"
    assert "5000" in lower.json["errors"]["value"][0] and "2026-03-09" in lower.json["errors"]["value"][0]
    assert higher.status_code == 201, higher.json
    assert (higher.json["read_on"], higher.json["previous_value"]) == ("2026-03-10", 5000)
    history = client.get(readings_path(device), headers=admin).json["items"]
    assert [(item["read_on"], item["value"]) for item in history] == [("2026-03-10", 5250), ("2026-03-09", 5000)]


def test_a_future_day_is_refused_in_the_customers_time_zone(client, operator, clock, session_factory, device):
    # 23:30 in Mexico City is already the 11th in UTC; the 11th is still tomorrow for the customer.
    clock.set_local("2026-03-10T23:30:00")

    tomorrow = client.post(readings_path(device), json={"counter": "total", "value": 10, "read_on": "2026-03-11"},
                           headers=operator)
    today = client.post(readings_path(device), json={"counter": "total", "value": 10, "read_on": "2026-03-10"},
                        headers=operator)

    assert tomorrow.status_code == 422, tomorrow.json
    assert tomorrow.headers["Content-Type"] == "application/problem+json"
    assert "2026-03-11" in tomorrow.json["errors"]["read_on"][0] and tomorrow.json["today"] == "2026-03-10"
    assert tomorrow.json["code"] == "servicedesk.reading_date_in_future"
    assert today.status_code == 201 and today.json["read_on"] == "2026-03-10"
    assert stored_readings(session_factory, device["id"]) == 1


def test_a_day_not_after_the_counters_latest_is_refused_naming_that_date(client, operator, clock, session_factory,
                                                                         device):
    clock.set_local("2026-03-10T09:30:00")
    assert client.post(readings_path(device), json={"counter": "total", "value": 300, "read_on": "2026-03-05"},
                       headers=operator).status_code == 201

    earlier = client.post(readings_path(device), json={"counter": "total", "value": 200, "read_on": "2026-03-04"},
                          headers=operator)
    same_day = client.post(readings_path(device), json={"counter": "black", "value": 20, "read_on": "2026-03-05"},
                           headers=operator)
    # Another counter is its own series: its history may start before this one's latest.
    other_counter = client.post(readings_path(device), json={"counter": "black", "value": 20, "read_on": "2026-03-01"},
                                headers=operator)

    assert earlier.status_code == 422, earlier.json
    assert "2026-03-05" in earlier.json["errors"]["read_on"][0] and "2026-03-05" in earlier.json["detail"]
    assert earlier.json["latest_read_on"] == "2026-03-05"
    assert earlier.json["code"] == "servicedesk.reading_date_not_after_latest"
    assert same_day.status_code == 409 and same_day.json["read_on"] == "2026-03-05"  # one reading per device and day
    assert other_counter.status_code == 201, other_counter.json
    assert stored_readings(session_factory, device["id"]) == 2
    assert len(accepted_events(session_factory, device["id"])) == 2


def test_a_replaced_counters_new_series_is_not_dated_before_the_replacement(client, operator, bearer, clock, device):
    clock.set_local("2026-03-08T09:00:00")
    assert client.post(f"/api/v1/devices/{device['id']}/counter-replacements",
                       json={"counter": "total", "reason": "Tarjeta de contadores reemplazada"},
                       headers=bearer("agent")).status_code == 201
    clock.set_local("2026-03-10T09:00:00")

    before = client.post(readings_path(device), json={"counter": "total", "value": 5, "read_on": "2026-03-07"},
                         headers=operator)
    on_the_day = client.post(readings_path(device), json={"counter": "total", "value": 5, "read_on": "2026-03-08"},
                             headers=operator)

    assert before.status_code == 422 and "2026-03-08" in before.json["errors"]["read_on"][0]
    assert before.json["code"] == "servicedesk.reading_date_before_replacement"
    assert on_the_day.status_code == 201 and on_the_day.json["series"] == 2


@pytest.mark.parametrize("role", ["admin", "device_admin"])
def test_a_customer_sending_read_on_is_refused_naming_it(client, token_for, device_admin, clock, session_factory,
                                                          device, customer, role):
    clock.set_local("2026-03-10T09:30:00")
    user_id = device_admin if role == "device_admin" else uuid.uuid4()
    if role == "device_admin":
        assert client.put(f"/api/v1/devices/{device['id']}/assignees", json={"user_ids": [str(device_admin)]},
                          headers=token_for(uuid.uuid4(), "admin", customer_id=customer)).status_code == 200
    headers = token_for(user_id, role, customer_id=customer)

    for day in ("2026-03-09", "2026-03-10"):  # even today's date: the field is not the customer's to send
        response = client.post(readings_path(device), json={"counter": "total", "value": 10, "read_on": day},
                               headers=headers)
        assert response.status_code == 422, response.json
        assert response.headers["Content-Type"] == "application/problem+json"
        assert "read_on" in response.json["errors"]
        assert response.json["code"] == "servicedesk.reading_date_staff_only"
    assert stored_readings(session_factory, device["id"]) == 0
    assert accepted_events(session_factory, device["id"]) == []


@pytest.mark.parametrize(
    "read_on",
    ["yesterday", "2026-02-30", "2026-03-09T10:00:00", "09/03/2026", "", 20260309, None, ["2026-03-09"],
     "9" * 1_000_000],  # a million characters: inside the 1 MiB body limit, so the field itself is judged
    ids=["word", "no-such-day", "datetime", "dd/mm/yyyy", "empty", "number", "null", "list", "1MB"],
)
def test_bad_read_on_is_422_naming_it_and_nothing_written(client, operator, customer, session_factory, device,
                                                          read_on):
    before = audit_rows(session_factory, customer)

    response = client.post(readings_path(device), json={"counter": "total", "value": 10, "read_on": read_on},
                           headers=operator)

    assert response.status_code == 422, response.json
    assert response.headers["Content-Type"] == "application/problem+json"
    assert list(response.json["errors"]) == ["read_on"]
    assert len(response.get_data()) < 2000  # the refusal does not echo the input back
    assert stored_readings(session_factory, device["id"]) == 0
    assert accepted_events(session_factory, device["id"]) == []
    assert [row.id for row in audit_rows(session_factory, customer)] == [row.id for row in before]
