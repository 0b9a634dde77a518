"""Meter readings: one per device and calendar day holding every counter of the device, the rules (each
counter never lower than its series' previous value), series, the accepted event in the outbox, and
readings staff record for an earlier day (read_on)."""
from __future__ import annotations

import json
import uuid
from datetime import datetime

import pytest
import requests
import sqlalchemy as sa

from portal_shared.contracts import parse_event
from portal_shared.db import transaction
from portal_shared.testing.concurrency import at_once, serving
from servicedesk_service.adapters.orm import OUTBOX, AuditEntry, CounterReplacement, DeviceReading, MeterReading


def readings_path(device) -> str:
    return f"/api/v1/devices/{device['id']}/meter-readings"


def reading(total: int = 1000, black: int = 600, colour: int = 400, **extra) -> dict:
    """A body naming every counter of the test device (total, black, colour)."""
    return {"counters": {"total": total, "black": black, "colour": colour}, **extra}


def values(answer: dict) -> dict[str, int]:
    return {item["counter"]: item["value"] for item in answer["counters"]}


def stored_readings(session_factory, device_id) -> int:
    """The device's readings (days) stored."""
    with transaction(session_factory) as session:
        return session.scalar(sa.select(sa.func.count()).select_from(DeviceReading)
                              .where(DeviceReading.device_id == uuid.UUID(str(device_id))))


def stored_counters(session_factory, device_id) -> int:
    with transaction(session_factory) as session:
        return session.scalar(sa.select(sa.func.count()).select_from(MeterReading)
                              .where(MeterReading.device_id == uuid.UUID(str(device_id))))


def accepted_events(session_factory, device_id) -> list:
    with transaction(session_factory) as session:
        payloads = session.scalars(sa.select(OUTBOX.c.payload).where(
            OUTBOX.c.topic == "servicedesk.meter_reading.accepted.v2")).all()
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


def test_a_reading_holds_every_counter_and_is_in_history_and_outbox(client, admin, clock, session_factory, device,
                                                                    customer):
    clock.set_local("2026-03-10T09:30:00")

    response = client.post(readings_path(device), json=reading(1500, 900, 600), headers=admin)

    assert response.status_code == 201, response.json
    assert response.json["read_on"] == "2026-03-10" and response.json["device_id"] == device["id"]
    # In the device's counter order, each a first reading of series 1.
    assert response.json["counters"] == [
        {"counter": "total", "value": 1500, "previous_value": None, "series": 1},
        {"counter": "black", "value": 900, "previous_value": None, "series": 1},
        {"counter": "colour", "value": 600, "previous_value": None, "series": 1},
    ]
    history = client.get(readings_path(device), headers=admin).json["items"]
    assert [(item["id"], item["read_on"], values(item)) for item in history] == [
        (response.json["id"], "2026-03-10", {"total": 1500, "black": 900, "colour": 600})]
    assert stored_readings(session_factory, device["id"]) == 1 and stored_counters(session_factory, device["id"]) == 3
    [event] = accepted_events(session_factory, device["id"])
    assert str(event.data["reading_id"]) == response.json["id"]
    assert event.data["account_number"] == device["account_number"] and str(event.data["customer_id"]) == str(customer)
    assert event.data["serial_number"] == device["serial_number"]
    assert event.data["read_on"].isoformat() == "2026-03-10"
    assert event.data["counters"] == [
        {"counter": "total", "value": 1500, "previous_value": None, "series": 1},
        {"counter": "black", "value": 900, "previous_value": None, "series": 1},
        {"counter": "colour", "value": 600, "previous_value": None, "series": 1},
    ]


def test_the_next_days_reading_carries_each_counters_previous_value(client, admin, clock, session_factory, device):
    clock.set_local("2026-03-10T09:30:00")
    client.post(readings_path(device), json=reading(1500, 900, 600), headers=admin)
    clock.set_local("2026-03-11T09:30:00")

    response = client.post(readings_path(device), json=reading(1600, 900, 700), headers=admin)

    assert response.status_code == 201, response.json
    assert [(c["counter"], c["value"], c["previous_value"]) for c in response.json["counters"]] == [
        ("total", 1600, 1500), ("black", 900, 900), ("colour", 700, 600)]  # equal to the previous is accepted
    history = client.get(readings_path(device), headers=admin).json["items"]
    assert [item["read_on"] for item in history] == ["2026-03-11", "2026-03-10"]  # newest day first
    latest = accepted_events(session_factory, device["id"])[-1]
    assert [(c["counter"], c["previous_value"]) for c in latest.data["counters"]] == [
        ("total", 1500), ("black", 900), ("colour", 600)]


def test_one_counter_lower_is_named_with_its_previous_value_and_nothing_is_stored(client, admin, clock,
                                                                                  session_factory, device):
    clock.set_local("2026-03-10T09:30:00")
    client.post(readings_path(device), json=reading(1500, 900, 600), headers=admin)
    clock.set_local("2026-03-11T09:30:00")

    # total and colour went up; black is lower than the day before.
    response = client.post(readings_path(device), json=reading(1600, 899, 700), headers=admin)

    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json["code"] == "servicedesk.reading_below_previous"
    assert response.json["errors"] == {"counters.black": [
        "The reading 899 of counter black is lower than its previous accepted reading 900 of 2026-03-10."]}
    assert response.json["field_codes"] == {"counters.black": ["servicedesk.reading_below_previous"]}
    assert response.json["previous"] == {"black": {"value": 900, "read_on": "2026-03-10"}}
    assert "900" in response.json["detail"] and "2026-03-10" in response.json["detail"]
    assert stored_readings(session_factory, device["id"]) == 1 and stored_counters(session_factory, device["id"]) == 3
    assert len(accepted_events(session_factory, device["id"])) == 1


def test_every_lower_counter_is_named(client, admin, clock, device):
    clock.set_local("2026-03-10T09:30:00")
    client.post(readings_path(device), json=reading(1500, 900, 600), headers=admin)
    clock.set_local("2026-03-11T09:30:00")

    response = client.post(readings_path(device), json=reading(1499, 950, 10), headers=admin)

    assert response.status_code == 422
    assert sorted(response.json["errors"]) == ["counters.colour", "counters.total"]
    assert response.json["previous"] == {"total": {"value": 1500, "read_on": "2026-03-10"},
                                         "colour": {"value": 600, "read_on": "2026-03-10"}}


def test_a_missing_counter_is_named_as_required_and_nothing_is_stored(client, admin, clock, session_factory, device):
    response = client.post(readings_path(device), json={"counters": {"total": 1500, "black": 900}}, headers=admin)

    assert response.status_code == 422, response.json
    assert response.json["code"] == "request.invalid"
    assert list(response.json["errors"]) == ["counters.colour"]
    assert response.json["field_codes"] == {"counters.colour": ["field.required"]}
    assert stored_readings(session_factory, device["id"]) == 0
    assert accepted_events(session_factory, device["id"]) == []


def test_an_unknown_counter_is_named_and_nothing_is_stored(client, admin, session_factory, device):
    response = client.post(readings_path(device), json={"counters": {"total": 1, "black": 1, "colour": 1,
                                                                     "magenta": 1}}, headers=admin)

    assert response.status_code == 422, response.json
    assert response.json["code"] == "servicedesk.unknown_counter"
    assert list(response.json["errors"]) == ["counters.magenta"]
    assert "total, black, colour" in response.json["errors"]["counters.magenta"][0]
    assert stored_readings(session_factory, device["id"]) == 0


def test_counter_names_are_matched_as_the_device_keeps_them(client, admin, device):
    response = client.post(readings_path(device), json={"counters": {"Total": 1, " BLACK ": 1, "colour": 1}},
                           headers=admin)
    assert response.status_code == 201, response.json
    assert [c["counter"] for c in response.json["counters"]] == ["total", "black", "colour"]


def test_second_reading_the_same_day_is_409(client, admin, clock, session_factory, device):
    clock.set_local("2026-03-10T08:00:00")
    client.post(readings_path(device), json=reading(1500), headers=admin)
    clock.set_local("2026-03-10T18:00:00")

    response = client.post(readings_path(device), json=reading(2000), headers=admin)

    assert response.status_code == 409
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json["code"] == "servicedesk.reading_already_today"
    assert response.json["read_on"] == "2026-03-10" and "2026-03-10" in response.json["detail"]
    assert stored_readings(session_factory, device["id"]) == 1 and stored_counters(session_factory, device["id"]) == 3


def test_2359_and_0001_local_are_two_days(client, admin, clock, device):
    # 23:59 in Mexico City is already the next day in UTC; the day counted is the local one.
    clock.set_local("2026-03-10T23:59:00")
    first = client.post(readings_path(device), json=reading(100), headers=admin)
    clock.set_local("2026-03-11T00:01:00")
    second = client.post(readings_path(device), json=reading(101), headers=admin)

    assert (first.status_code, second.status_code) == (201, 201)
    assert (first.json["read_on"], second.json["read_on"]) == ("2026-03-10", "2026-03-11")


def test_0001_utc_is_still_the_previous_local_day(client, admin, clock, device):
    clock.set_local("2026-03-10T20:00:00")
    client.post(readings_path(device), json=reading(100), headers=admin)
    clock.set_local("2026-03-11T00:01:00", zone="UTC")  # 18:01 of the 10th in Mexico City

    assert client.post(readings_path(device), json=reading(101), headers=admin).status_code == 409


def test_counter_replacement_starts_a_new_series_of_that_counter_only(client, admin, bearer, clock, session_factory,
                                                                      device):
    clock.set_local("2026-03-10T09:00:00")
    client.post(readings_path(device), json=reading(90000, 60000, 30000), headers=admin)
    assert client.post(f"/api/v1/devices/{device['id']}/counter-replacements", json={"counter": "total", "reason": "x"},
                       headers=admin).status_code == 403

    replaced = client.post(f"/api/v1/devices/{device['id']}/counter-replacements",
                           json={"counter": "total", "reason": "Tarjeta de contadores reemplazada"}, headers=bearer("agent"))
    clock.set_local("2026-03-11T09:00:00")
    after = client.post(readings_path(device), json=reading(12, 60010, 30005), headers=admin)
    clock.set_local("2026-03-12T09:00:00")
    lower_in_new_series = client.post(readings_path(device), json=reading(11, 60020, 30010), headers=admin)

    assert replaced.status_code == 201 and replaced.json["series"] == 2
    assert after.status_code == 201, after.json
    assert [(c["counter"], c["series"], c["previous_value"]) for c in after.json["counters"]] == [
        ("total", 2, None), ("black", 1, 60000), ("colour", 1, 30000)]
    assert lower_in_new_series.status_code == 422
    assert list(lower_in_new_series.json["errors"]) == ["counters.total"]
    assert "12" in lower_in_new_series.json["detail"] and "2026-03-11" in lower_in_new_series.json["detail"]
    events = accepted_events(session_factory, device["id"])
    assert sorted((c["series"], c["value"], c["previous_value"]) for e in events for c in e.data["counters"]
                  if c["counter"] == "total") == [(1, 90000, None), (2, 12, None)]


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
        (reading(black=-1), "counters.black"),
        (reading(black=12.5), "counters.black"),
        (reading(black="12"), "counters.black"),
        (reading(black=None), "counters.black"),
        (reading(black=10**16), "counters.black"),
        ({"counters": {}}, "counters"),
        ({"counters": [1, 2, 3]}, "counters"),
        ({"counters": 10}, "counters"),
        ({}, "counters"),
        ({"counter": "total", "value": 10}, "counters"),  # the one-counter body of old
        ({"counters": {"total": 1, "TOTAL": 2, "black": 1, "colour": 1}}, "counters.total"),
        (reading(note="x"), "note"),
        ({"counters": {"x" * 51: 10}}, "counters"),  # a name too long is said on counters, not echoed back
        ({"counters": {"x" * 1_000_000: 10}}, "counters"),
        ({"counters": {"x" * (1024 * 1024): 10}}, "body"),
    ],
)
def test_bad_input_is_named_and_nothing_written(client, admin, session_factory, device, body, field):
    response = client.post(readings_path(device), json=body, headers=admin)

    assert response.status_code == (413 if field == "body" else 422), response.json
    assert response.headers["Content-Type"] == "application/problem+json"
    assert field in response.json["errors"], response.json["errors"]
    assert len(response.get_data()) < 2000  # the refusal does not echo the input back
    assert stored_readings(session_factory, device["id"]) == 0
    assert accepted_events(session_factory, device["id"]) == []


def test_unknown_device_is_404(client, admin, session_factory):
    device_id = uuid.uuid4()
    response = client.post(f"/api/v1/devices/{device_id}/meter-readings", json=reading(), headers=admin)
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json["code"] == "servicedesk.device_not_found"
    assert stored_readings(session_factory, device_id) == 0


def test_20_concurrent_submissions_one_day_exactly_one_accepted(app, admin, clock, session_factory, device):
    clock.set_local("2026-03-10T12:00:00")
    with serving(app) as base:
        # Different values, none lower than another's previous (there is none): the day rule alone decides.
        statuses = at_once(20, lambda n: requests.post(f"{base}{readings_path(device)}", json=reading(1000 + n, 600 + n, 400),
                                                       headers=admin, timeout=30).status_code)

    assert sorted(statuses) == [201] + [409] * 19
    assert stored_readings(session_factory, device["id"]) == 1 and stored_counters(session_factory, device["id"]) == 3
    [event] = accepted_events(session_factory, device["id"])
    assert len(event.data["counters"]) == 3


def test_unique_constraints_hold_without_the_check(session_factory, device, clock):
    """The database itself refuses a second reading of the device and day, and a counter twice in one reading,
    whatever the code checks."""
    from datetime import date
    device_id = uuid.UUID(device["id"])
    day = {"device_id": device_id, "read_on": date(2026, 3, 10), "recorded_at": clock()}
    first = uuid.uuid4()
    counter = {"device_reading_id": first, "device_id": device_id, "counter": "total", "series": 1, "value": 1,
               **{k: v for k, v in day.items() if k != "device_id"}}
    with transaction(session_factory) as session:
        session.add(DeviceReading(id=first, **day))
        session.flush()
        session.add(MeterReading(id=uuid.uuid4(), **counter))
    with pytest.raises(sa.exc.IntegrityError):
        with transaction(session_factory) as session:
            session.add(DeviceReading(id=uuid.uuid4(), **day))
    with pytest.raises(sa.exc.IntegrityError):
        with transaction(session_factory) as session:
            session.add(MeterReading(id=uuid.uuid4(), **{**counter, "value": 5}))


def test_operator_records_a_reading_of_an_earlier_day(client, operator, operator_id, clock, session_factory, device,
                                                       customer):
    clock.set_local("2026-03-10T09:30:00")

    response = client.post(readings_path(device), json=reading(41000, 30000, 11000, read_on="2026-02-01"),
                           headers=operator)

    assert response.status_code == 201, response.json
    assert response.json["read_on"] == "2026-02-01"
    assert all(c["previous_value"] is None for c in response.json["counters"])
    assert datetime.fromisoformat(response.json["recorded_at"]) == clock()  # when it was recorded: now
    with transaction(session_factory) as session:
        stored = session.get(DeviceReading, uuid.UUID(response.json["id"]))
        assert stored.recorded_by == operator_id
        assert {row.recorded_by for row in stored.counters} == {operator_id}
    [event] = accepted_events(session_factory, device["id"])
    assert event.data["read_on"].isoformat() == "2026-02-01"
    assert [c["value"] for c in event.data["counters"]] == [41000, 30000, 11000]
    [*_, entry] = audit_rows(session_factory, customer)
    assert entry.action == "device.meter_reading_submitted"
    assert entry.actor_id == operator_id and entry.actor_roles == ["operator"]
    assert entry.detail["read_on"] == "2026-02-01" and entry.detail["reading_id"] == response.json["id"]
    assert entry.detail["counters"] == {"total": 41000, "black": 30000, "colour": 11000}


def test_agent_records_an_earlier_day_too(client, bearer, clock, device):
    clock.set_local("2026-03-10T09:30:00")
    response = client.post(readings_path(device), json=reading(read_on="2026-03-09"), headers=bearer("agent"))
    assert response.status_code == 201, response.json
    assert response.json["read_on"] == "2026-03-09"


def test_a_past_reading_then_a_lower_one_today_is_refused_with_its_value_and_date(client, admin, operator, clock,
                                                                                  session_factory, device):
    clock.set_local("2026-03-10T09:30:00")
    assert client.post(readings_path(device), json=reading(5000, 3000, 2000, read_on="2026-03-09"),
                       headers=operator).status_code == 201

    lower = client.post(readings_path(device), json=reading(4900, 3000, 2000), headers=admin)
    higher = client.post(readings_path(device), json=reading(5250, 3100, 2150), headers=admin)

    assert lower.status_code == 422, lower.json
    assert lower.json["previous"] == {"total": {"value": 5000, "read_on": "2026-03-09"}}
    assert "5000" in lower.json["errors"]["counters.total"][0] and "2026-03-09" in lower.json["errors"]["counters.total"][0]
    assert higher.status_code == 201, higher.json
    assert (higher.json["read_on"], higher.json["counters"][0]["previous_value"]) == ("2026-03-10", 5000)
    history = client.get(readings_path(device), headers=admin).json["items"]
    assert [(item["read_on"], values(item)["total"]) for item in history] == [("2026-03-10", 5250),
                                                                               ("2026-03-09", 5000)]


def test_a_future_day_is_refused_in_the_customers_time_zone(client, operator, clock, session_factory, device):
    # 23:30 in Mexico City is already the 11th in UTC; the 11th is still tomorrow for the customer.
    clock.set_local("2026-03-10T23:30:00")

    tomorrow = client.post(readings_path(device), json=reading(read_on="2026-03-11"), headers=operator)
    today = client.post(readings_path(device), json=reading(read_on="2026-03-10"), headers=operator)

    assert tomorrow.status_code == 422, tomorrow.json
    assert tomorrow.headers["Content-Type"] == "application/problem+json"
    assert "2026-03-11" in tomorrow.json["errors"]["read_on"][0] and tomorrow.json["today"] == "2026-03-10"
    assert tomorrow.json["code"] == "servicedesk.reading_date_in_future"
    assert today.status_code == 201 and today.json["read_on"] == "2026-03-10"
    assert stored_readings(session_factory, device["id"]) == 1


def test_a_day_not_after_the_devices_latest_is_refused_naming_that_date(client, operator, clock, session_factory,
                                                                        device):
    clock.set_local("2026-03-10T09:30:00")
    assert client.post(readings_path(device), json=reading(300, 200, 100, read_on="2026-03-05"),
                       headers=operator).status_code == 201

    earlier = client.post(readings_path(device), json=reading(200, 100, 50, read_on="2026-03-04"), headers=operator)
    same_day = client.post(readings_path(device), json=reading(400, 300, 100, read_on="2026-03-05"), headers=operator)

    assert earlier.status_code == 422, earlier.json
    assert "2026-03-05" in earlier.json["errors"]["read_on"][0] and "2026-03-05" in earlier.json["detail"]
    assert earlier.json["latest_read_on"] == "2026-03-05"
    assert earlier.json["code"] == "servicedesk.reading_date_not_after_latest"
    assert same_day.status_code == 409 and same_day.json["read_on"] == "2026-03-05"  # one reading per device and day
    assert stored_readings(session_factory, device["id"]) == 1
    assert len(accepted_events(session_factory, device["id"])) == 1


def test_a_replaced_counters_new_series_is_not_dated_before_the_replacement(client, operator, bearer, clock, device):
    clock.set_local("2026-03-08T09:00:00")
    assert client.post(f"/api/v1/devices/{device['id']}/counter-replacements",
                       json={"counter": "total", "reason": "Tarjeta de contadores reemplazada"},
                       headers=bearer("agent")).status_code == 201
    clock.set_local("2026-03-10T09:00:00")

    before = client.post(readings_path(device), json=reading(5, read_on="2026-03-07"), headers=operator)
    on_the_day = client.post(readings_path(device), json=reading(5, read_on="2026-03-08"), headers=operator)

    assert before.status_code == 422 and "2026-03-08" in before.json["errors"]["read_on"][0]
    assert before.json["code"] == "servicedesk.reading_date_before_replacement"
    assert on_the_day.status_code == 201
    assert [(c["counter"], c["series"]) for c in on_the_day.json["counters"]] == [
        ("total", 2), ("black", 1), ("colour", 1)]


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
        response = client.post(readings_path(device), json=reading(read_on=day), headers=headers)
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

    response = client.post(readings_path(device), json=reading(read_on=read_on), headers=operator)

    assert response.status_code == 422, response.json
    assert response.headers["Content-Type"] == "application/problem+json"
    assert list(response.json["errors"]) == ["read_on"]
    assert len(response.get_data()) < 2000  # the refusal does not echo the input back
    assert stored_readings(session_factory, device["id"]) == 0
    assert accepted_events(session_factory, device["id"]) == []
    assert [row.id for row in audit_rows(session_factory, customer)] == [row.id for row in before]
