"""Who reaches what in the service desk, through the gateway with tokens from real sign-ins.

A device admin reaches only the devices assigned to them; a knowledge user only knowledge; a
stock admin opens no incidents; and one customer never reaches another's devices, incidents or
stock locations, which answer 404 exactly like unknown ids.
"""
from __future__ import annotations

import re
import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from desk import (
    DeskCustomer,
    admin_of,
    assert_problem,
    assign,
    create_stock_location,
    desk_customer,
    ids,
    incident_body,
    invite,
    open_incident,
    register_device,
    toner_order,
)
from portal_gateway.policy import ANY_USER, POLICY, PUBLIC
from portal_gateway.routing import api_prefix
from portal_shared.auth.roles import ADMIN, DEVICE_ADMIN, KNOWLEDGE_USER, STOCK_ADMIN
from stack import Api, Stack

PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
# Customer-side paths whose {id} is one of a customer's service-desk objects.
DESK_PREFIXES = ("devices", "incidents", "stock-locations", "toner-orders")


def concrete(pattern: str, real_ids: dict[tuple[str, str], str]) -> str:
    """The policy pattern with each placeholder replaced by a real id of that kind."""
    prefix = api_prefix(pattern) or pattern

    def real(match: re.Match) -> str:
        key = (prefix, match.group(0))
        assert key in real_ids, f"no real id for {match.group(0)} in {pattern}: add one to the test"
        return real_ids[key]

    return PLACEHOLDER.sub(real, pattern)


def admits(who, role: str) -> bool:
    return who is PUBLIC or who is ANY_USER or (isinstance(who, frozenset) and role in who)


# A valid body for each customer-side write on a desk object, so that validation never answers
# before the ownership check does.
VALID_BODIES: dict[tuple[str, str], dict] = {
    ("PATCH", "/api/v1/devices/{id}"): {"location": "Sótano, cuarto de máquinas"},
    ("PUT", "/api/v1/devices/{id}/assignees"): {"user_ids": []},
    ("PUT", "/api/v1/devices/{id}/stock-location"): {"stock_location_id": None},
    ("POST", "/api/v1/devices/{id}/meter-readings"): {"counters": {"bn": 1000, "color": 100}},
    ("POST", "/api/v1/incidents/{id}/comments"): {"text": "¿Alguna novedad?"},
    ("POST", "/api/v1/incidents/{id}/status"): {"status": "cancelled"},
    ("PATCH", "/api/v1/stock-locations/{id}"): {"name": "Almacén renombrado"},
}


def test_device_admin_reaches_only_assigned_devices(stack: Stack, api: Api, operator: Api, activated_admin):
    company = desk_customer(stack, api, activated_admin, (DEVICE_ADMIN,))
    person = company.people[DEVICE_ADMIN]
    assigned, other = register_device(operator, company), register_device(operator, company)
    assign(api, company, assigned, person)

    assert ids(api.get("/api/v1/devices", token=person.token)) == {assigned["id"]}
    assert api.get(f"/api/v1/devices/{assigned['id']}", token=person.token).status_code == 200
    # The admin reaches both: the other device exists within the company.
    assert ids(api.get("/api/v1/devices", token=company.admin.token)) == {assigned["id"], other["id"]}

    unknown = str(uuid.uuid4())
    for device_id in (other["id"], unknown):
        assert_problem(api.get(f"/api/v1/devices/{device_id}", token=person.token), 404, what="GET device")
        assert_problem(api.get(f"/api/v1/devices/{device_id}/meter-readings", token=person.token), 404,
                       what="GET readings")
        assert_problem(api.post(f"/api/v1/devices/{device_id}/meter-readings", {"counters": {"bn": 500, "color": 50}},
                                token=person.token), 404, what="POST reading")
        assert_problem(api.post("/api/v1/incidents", incident_body(device_id), token=person.token), 404,
                       what="POST incident")
    assert ids(api.get(f"/api/v1/devices/{other['id']}/meter-readings", token=company.admin.token)) == set()
    assert ids(api.get("/api/v1/incidents", token=company.admin.token)) == set()


def test_stock_admin_cannot_open_incidents(stack: Stack, api: Api, operator: Api, activated_admin):
    company = desk_customer(stack, api, activated_admin, (STOCK_ADMIN,))
    device = register_device(operator, company)

    refused = api.post("/api/v1/incidents", incident_body(device["id"]), token=company.people[STOCK_ADMIN].token)
    assert_problem(refused, 403, what="stock admin opening an incident")
    assert ids(api.get("/api/v1/incidents", token=company.admin.token)) == set()


def _previous_month(today: date) -> str:
    last = today.replace(day=1) - timedelta(days=1)
    return f"{last.year:04d}-{last.month:02d}"


def _real_ids_of(stack: Stack, api: Api, operator: Api, billing_customer) -> tuple[DeskCustomer, dict]:
    """A company with one of everything the policy names by id, and those ids."""
    billed = billing_customer([("MXN", "900.00")])
    company = DeskCustomer(billed.customer, admin_of(api, billed.email, billed.password, billed.token))
    company.people[KNOWLEDGE_USER] = invite(stack, api, company.admin, KNOWLEDGE_USER)
    device = register_device(operator, company)
    incident = open_incident(api, company.admin.token, device["id"])
    location = create_stock_location(api, company.admin.token)
    paid = api.post("/api/v1/payments", {"bank": "bbva", "items": [{"invoice_id": billed.invoices[0]["id"],
                                                                     "amount": "100.00"}]},
                    token=billed.token, headers={"Idempotency-Key": uuid.uuid4().hex})
    assert paid.status_code == 201, paid.text

    # A statement exists only for a month that has ended: bill the account last month too.
    today = datetime.now(ZoneInfo("America/Mexico_City")).date()
    old = {"invoice_number": f"T{uuid.uuid4().hex[:12].upper()}", "account_number": billed.account,
           "issue_date": (today.replace(day=1) - timedelta(days=3)).isoformat(),
           "due_date": (today + timedelta(days=20)).isoformat(), "currency": "MXN", "amount": "50.00"}
    assert operator.post("/api/v1/invoices/import", {"invoices": [old]}).status_code == 200
    generated = operator.post("/api/v1/statements", {"period": _previous_month(today)})
    assert generated.status_code == 200, generated.text
    statements = ids(api.get("/api/v1/statements", token=billed.token, params={"account": billed.account}))
    assert statements, "no statement of last month for the account"

    article = operator.post("/api/v1/knowledge", {
        # Titles are unique and the stack is shared by every suite of the run.
        "title": f"Cambiar el tóner {uuid.uuid4().hex[:8]}", "body": "Abra la puerta frontal.",
        "tags": ["toner"], "models": [device["model"]],
    })
    assert article.status_code == 201, article.text
    real_ids = {
        ("devices", "{id}"): device["id"],
        ("incidents", "{id}"): incident["id"],
        ("users", "{id}"): company.people[KNOWLEDGE_USER].id,
        ("customers", "{id}"): company.id,
        ("invoices", "{id}"): billed.invoices[0]["id"],
        ("statements", "{id}"): sorted(statements)[0],
        ("payments", "{id}"): paid.json()["id"],
        ("payments", "{bank}"): "bbva",
        ("payment-receipts", "{id}"): paid.json()["id"],
        ("stock-locations", "{id}"): location["id"],
        ("toner-orders", "{id}"): toner_order(api, operator, company, device)["id"],
        ("knowledge", "{id}"): article.json()["id"],
        ("staff", "{id}"): company.id,
    }
    return company, real_ids


def test_knowledge_user_is_refused_everything_but_knowledge(stack: Stack, api: Api, operator: Api, billing_customer):
    company, real_ids = _real_ids_of(stack, api, operator, billing_customer)
    reader = company.people[KNOWLEDGE_USER]
    wrong: list[str] = []
    for method, pattern, who in POLICY:
        path = concrete(pattern, real_ids)
        body = None if method in ("GET", "DELETE") else {}
        response = api.request(method, path, json_body=body, token=reader.token)
        if admits(who, KNOWLEDGE_USER):
            if response.status_code == 403 or response.status_code >= 500:
                wrong.append(f"{method} {pattern}: {response.status_code}, expected the request to be let through")
        elif response.status_code != 403:
            wrong.append(f"{method} {pattern}: {response.status_code}, expected 403")
    assert not wrong, "\n".join(wrong)

    found = api.get("/api/v1/knowledge", token=reader.token, params={"q": "tóner"})
    assert found.status_code == 200, found.text
    assert real_ids[("knowledge", "{id}")] in {item["id"] for item in found.json()["items"]}
    assert api.get(f"/api/v1/knowledge/{real_ids[('knowledge', '{id}')]}", token=reader.token).status_code == 200


def _desk_objects(stack: Stack, api: Api, operator: Api, activated_admin) -> tuple[DeskCustomer, dict]:
    company = desk_customer(stack, api, activated_admin)
    device = register_device(operator, company)
    return company, {
        "devices": device,
        "incidents": open_incident(api, company.admin.token, device["id"]),
        "stock-locations": create_stock_location(api, company.admin.token),
        "toner-orders": toner_order(api, operator, company, device),
    }


def test_one_customer_never_reaches_anothers_desk_objects(stack: Stack, api: Api, operator: Api, activated_admin):
    a, a_objects = _desk_objects(stack, api, operator, activated_admin)
    b, b_objects = _desk_objects(stack, api, operator, activated_admin)
    b_ids = {prefix: item["id"] for prefix, item in b_objects.items()}

    tried: list[str] = []
    for method, pattern, who in POLICY:
        prefix = api_prefix(pattern)
        if prefix not in DESK_PREFIXES or not PLACEHOLDER.search(pattern) or not admits(who, ADMIN):
            continue
        if prefix not in b_ids:
            raise AssertionError(f"{method} {pattern}: the test makes no {prefix} object of customer B; add one")
        body = None
        if method not in ("GET", "DELETE"):
            assert (method, pattern) in VALID_BODIES, f"{method} {pattern}: add a valid body to VALID_BODIES"
            body = VALID_BODIES[(method, pattern)]
        for id_, whose in ((b_ids[prefix], "B's"), (str(uuid.uuid4()), "an unknown")):
            path = concrete(pattern, {(prefix, "{id}"): id_})
            response = api.request(method, path, json_body=body, token=a.admin.token)
            assert_problem(response, 404, what=f"A's admin, {method} {pattern} with {whose} id")
        tried.append(f"{method} {pattern}")
    # Each kind of object was tried at least by its GET.
    for prefix in b_ids:
        assert f"GET /api/v1/{prefix}/{{id}}" in tried, tried

    # An incident against B's device is refused the same way.
    assert_problem(api.post("/api/v1/incidents", incident_body(b_ids["devices"]), token=a.admin.token), 404,
                   what="A's incident on B's device")

    # A's lists hold A's objects and none of B's.
    for prefix in b_ids:
        listed = ids(api.get(f"/api/v1/{prefix}", token=a.admin.token))
        assert a_objects[prefix]["id"] in listed, prefix
        assert b_ids[prefix] not in listed, prefix

    # B's objects are as B left them.
    b_device = api.get(f"/api/v1/devices/{b_ids['devices']}", token=b.admin.token).json()
    assert b_device["location"] == b_objects["devices"]["location"]
    assert b_device["stock_location_id"] == b_objects["toner-orders"]["stock_location_id"]
    assert ids(api.get(f"/api/v1/devices/{b_ids['devices']}/meter-readings", token=b.admin.token)) == set()
    b_incident = api.get(f"/api/v1/incidents/{b_ids['incidents']}", token=b.admin.token).json()
    assert b_incident["status"] == "open"
    assert [entry["kind"] for entry in b_incident["history"]] == [e["kind"] for e in b_objects["incidents"]["history"]]
    b_location = api.get(f"/api/v1/stock-locations/{b_ids['stock-locations']}", token=b.admin.token).json()
    assert b_location["name"] == b_objects["stock-locations"]["name"]
    b_order = api.get(f"/api/v1/toner-orders/{b_ids['toner-orders']}", token=b.admin.token).json()
    assert b_order["status"] == "open"
