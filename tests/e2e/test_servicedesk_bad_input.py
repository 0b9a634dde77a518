"""Bad input to the service desk through the gateway: a 4xx problem+json naming the field, and nothing written."""
from __future__ import annotations

import json
import uuid

import pytest

from desk import DeskCustomer, assert_problem, desk_customer, incident_body, reading_values, register_device
from stack import Api, Stack

# Just under the 1 MiB body limit once wrapped in JSON: the field's own length rule must refuse it.
ONE_MB = "x" * 1_000_000
# Over the limit: refused before any service reads it.
ONE_MIB = "x" * (1024 * 1024)


@pytest.fixture()
def company(stack: Stack, api: Api, operator: Api, activated_admin) -> tuple[DeskCustomer, dict]:
    owner = desk_customer(stack, api, activated_admin)
    return owner, register_device(operator, owner)


def written(stack: Stack, api: Api, owner: DeskCustomer, device: dict) -> tuple:
    """Everything a bad request could have left behind: the readings, the incidents, the events."""
    readings = api.get(f"/api/v1/devices/{device['id']}/meter-readings", token=owner.admin.token)
    incidents = api.get("/api/v1/incidents", token=owner.admin.token)
    assert readings.status_code == incidents.status_code == 200
    return (
        readings.json()["items"],
        incidents.json()["items"],
        stack.scalar("servicedesk", "SELECT count(*) FROM meter_readings"),
        stack.scalar("servicedesk", "SELECT count(*) FROM incidents"),
        stack.scalar("servicedesk", "SELECT count(*) FROM outbox"),
    )


def raw_post(api: Api, path: str, text: str, token: str):
    """A body sent as written, so that a float such as 1e3 reaches the service as the client typed it."""
    return api.request("POST", path, data=text.encode(), headers={"Content-Type": "application/json"}, token=token)


@pytest.mark.parametrize(
    ("case", "body", "field", "status"),
    [
        ("negative", '{"counters": {"bn": -1, "color": 10}}', "counters.bn", 422),
        ("decimal text", '{"counters": {"bn": "12.5", "color": 10}}', "counters.bn", 422),
        ("decimal number", '{"counters": {"bn": 12.5, "color": 10}}', "counters.bn", 422),
        ("words", '{"counters": {"bn": "abc", "color": 10}}', "counters.bn", 422),
        ("float in exponent form", '{"counters": {"bn": 1e3, "color": 10}}', "counters.bn", 422),
        ("integer as text", '{"counters": {"bn": "1000", "color": 10}}', "counters.bn", 422),
        ("null value", '{"counters": {"bn": null, "color": 10}}', "counters.bn", 422),
        ("missing counter", '{"counters": {"bn": 1000}}', "counters.color", 422),
        ("no counters", '{"counters": {}}', "counters", 422),
        ("counters not an object", '{"counters": [1000, 10]}', "counters", 422),
        ("the one-counter body of old", '{"counter": "bn", "value": 1000}', "counters", 422),
        ("unknown counter", '{"counters": {"bn": 1000, "color": 10, "a3_color": 1000}}', "counters.a3_color", 422),
        ("1 MB counter", json.dumps({"counters": {ONE_MB: 1000}}), "counters", 422),
        ("1 MiB counter", json.dumps({"counters": {ONE_MIB: 1000}}), "body", 413),
        ("unknown field", '{"counters": {"bn": 1000, "color": 10}, "note": "x"}', "note", 422),
        ("a customer dating the reading", '{"counters": {"bn": 1000, "color": 10}, "read_on": "2020-01-01"}',
         "read_on", 422),
        ("malformed JSON", '{"counters": {"bn": 1000, ', "body", 400),
    ],
)
def test_meter_reading_refuses_bad_input(stack: Stack, api: Api, company, case, body, field, status):
    owner, device = company
    before = written(stack, api, owner, device)
    response = raw_post(api, f"/api/v1/devices/{device['id']}/meter-readings", body, owner.admin.token)
    assert_problem(response, status, field, what=case)
    assert written(stack, api, owner, device) == before, f"{case} wrote something"


@pytest.mark.parametrize(
    ("case", "read_on"),
    [("not a date", "ayer"), ("no such day", "2026-02-30"), ("a time too", "2026-03-09T10:00:00"),
     ("1 MB", "9" * 1_000_000), ("tomorrow", "2999-01-01")],
)
def test_operator_reading_of_an_earlier_day_refuses_a_bad_read_on(stack: Stack, api: Api, operator: Api, company,
                                                                   case, read_on):
    owner, device = company
    before = written(stack, api, owner, device)
    response = operator.post(f"/api/v1/devices/{device['id']}/meter-readings",
                             {"counters": {"bn": 1000, "color": 10}, "read_on": read_on})
    assert_problem(response, 422, "read_on", what=case)
    assert written(stack, api, owner, device) == before, f"{case} wrote something"


@pytest.mark.parametrize(
    ("case", "changes", "field", "status"),
    [
        ("1 MB description", {"description": ONE_MB}, "description", 422),
        ("1 MiB description", {"description": ONE_MIB}, "body", 413),
        ("blank description", {"description": "   "}, "description", 422),
        ("no contact", {"contact": None}, "contact", 422),
        ("contact e-mail", {"contact": {"name": "Laura", "phone": "5555123456", "email": "no-es-correo"}},
         "email", 422),
        ("device id not a uuid", {"device_id": "123"}, "device_id", 422),
    ],
)
def test_incident_refuses_bad_input(stack: Stack, api: Api, company, case, changes, field, status):
    owner, device = company
    before = written(stack, api, owner, device)
    body = {**incident_body(device["id"]), **changes}
    response = api.post("/api/v1/incidents", body, token=owner.admin.token)
    problem = assert_problem(response, status, what=case)
    # Nested fields are named inside their parent (contact.email).
    named = problem.get("errors", {})
    assert field in named or any(isinstance(v, dict) and field in v for v in named.values()) \
        or any(key.endswith(f".{field}") for key in named), f"{case}: {field} not named in {problem}"
    assert written(stack, api, owner, device) == before, f"{case} wrote something"


def test_unknown_device_answers_404_and_writes_nothing(stack: Stack, api: Api, company):
    owner, device = company
    before = written(stack, api, owner, device)
    unknown = str(uuid.uuid4())
    token = owner.admin.token
    assert_problem(api.get(f"/api/v1/devices/{unknown}", token=token), 404, what="GET unknown device")
    assert_problem(api.get(f"/api/v1/devices/{unknown}/meter-readings", token=token), 404, what="GET readings")
    assert_problem(api.post(f"/api/v1/devices/{unknown}/meter-readings", {"counters": {"bn": 10, "color": 1}},
                            token=token), 404, what="POST reading")
    assert_problem(api.post("/api/v1/incidents", incident_body(unknown), token=token), 404, what="POST incident")
    # Not an id at all: no such resource either, never a server error.
    assert api.get("/api/v1/devices/not-a-device", token=token).status_code == 404
    assert written(stack, api, owner, device) == before


@pytest.mark.parametrize(("case", "params"), [("q missing", {}), ("q blank", {"q": "   "}), ("q empty", {"q": ""})])
def test_knowledge_search_needs_a_query(api: Api, company, case, params):
    owner, _device = company
    response = api.get("/api/v1/knowledge", token=owner.admin.token, params=params)
    assert_problem(response, 422, "q", what=case)


def test_a_valid_reading_after_the_refusals_is_accepted(stack: Stack, api: Api, company):
    """The refusals above are the rules at work, not a broken endpoint: the same device takes a good reading."""
    owner, device = company
    refused = raw_post(api, f"/api/v1/devices/{device['id']}/meter-readings",
                       '{"counters": {"bn": 12.5, "color": 10}}', owner.admin.token)
    assert refused.status_code == 422
    accepted = api.post(f"/api/v1/devices/{device['id']}/meter-readings", {"counters": {"BN": 1000, "color": 10}},
                        token=owner.admin.token)
    assert accepted.status_code == 201, accepted.text
    [reading] = written(stack, api, owner, device)[0]
    assert reading_values(reading) == {"bn": 1000, "color": 10}
