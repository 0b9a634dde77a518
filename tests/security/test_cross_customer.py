"""One customer's people never reach another customer's data: customer B's admin, billing and
device admin ask for every id of customer A's that the policy names, on every method the policy
lets their role call, through the gateway and straight at the service that owns the path.

Every answer is a 403 or 404 problem+json whose body holds nothing of A's (ids, RFC, account
numbers, name); A's lists asked for with A's customer id or account in the query show B only
B's; and afterwards A's objects are as A left them. e2e/test_servicedesk_roles.py covers the
service desk's ids through the gateway for admins; this adds billing, payment and identity, the
other roles, the direct calls and the query-string variants.
"""
from __future__ import annotations

import uuid

from attacks import assert_problem_status, targets
from desk import DeskCustomer, desk_customer, ids, incident_body
from e2e.test_servicedesk_roles import PLACEHOLDER, VALID_BODIES, _real_ids_of, admits, concrete
from portal_gateway.policy import POLICY, PUBLIC
from portal_gateway.routing import api_prefix
from portal_shared.auth.roles import ADMIN, BILLING, DEVICE_ADMIN
from stack import Api, Stack

ATTACKERS = (ADMIN, BILLING, DEVICE_ADMIN)
# Not one customer's: the knowledge base is the vendor's and everybody's; a bank callback names a bank.
NOT_CUSTOMER_DATA = {"knowledge", "payments/callbacks"}
BODIES = {
    **VALID_BODIES,
    ("PATCH", "/api/v1/users/{id}"): {"name": "Intruso"},
    ("POST", "/api/v1/payments/{id}/status-check"): {},  # takes no body: it only asks the bank
    ("POST", "/api/v1/payments/{id}/cancel"): {},  # takes no body: it asks the bank to cancel
}


def _customer_data(pattern: str) -> bool:
    tail = pattern.removeprefix("/api/v1/")
    return not any(tail.startswith(prefix) for prefix in NOT_CUSTOMER_DATA)


def _markers(a: DeskCustomer, real_ids: dict, api: Api) -> set[str]:
    """Everything that would show A's data in an answer."""
    customer = a.customer
    found = {customer["id"], customer["rfc"], customer["name"], customer["system_account_number"],
             *customer["account_numbers"]}
    found |= {value for (prefix, _), value in real_ids.items() if prefix not in ("knowledge", "payments")}
    found.add(real_ids[("payments", "{id}")])
    found |= ids(api.get("/api/v1/users", token=a.admin.token))
    # Short values (small numbers) would match anywhere: only distinctive text is looked for.
    return {str(value) for value in found if len(str(value)) >= 8}


def _audit_ids(api: Api, a: DeskCustomer) -> set:
    """A's audit entries' ids (small integers: compared as ids of listed items, not as text)."""
    audit = api.get("/api/v1/audit-log", token=a.admin.token)
    assert audit.status_code == 200, audit.text
    assert audit.json()["items"], "A's audit log is empty: nothing to look for"
    return {entry["id"] for entry in audit.json()["items"]}


def _leaks(response, markers: set[str], asked: str) -> set[str]:
    # The id asked for may be echoed back in a not-found message: that tells B nothing new.
    return {marker for marker in markers if marker in response.text and marker not in asked}


def test_customer_b_never_reaches_customer_a(stack: Stack, api: Api, operator: Api, billing_customer, activated_admin):
    a, real_ids = _real_ids_of(stack, api, operator, billing_customer)
    b = desk_customer(stack, api, activated_admin, (BILLING, DEVICE_ADMIN))
    attackers = {ADMIN: b.admin.token, BILLING: b.people[BILLING].token, DEVICE_ADMIN: b.people[DEVICE_ADMIN].token}
    markers = _markers(a, real_ids, api)
    a_audit = _audit_ids(api, a)
    a_user = real_ids[("users", "{id}")]
    before = {path: api.get(path, token=a.admin.token).json() for path in (
        f"/api/v1/users/{a_user}", f"/api/v1/devices/{real_ids[('devices', '{id}')]}",
        f"/api/v1/incidents/{real_ids[('incidents', '{id}')]}",
        f"/api/v1/stock-locations/{real_ids[('stock-locations', '{id}')]}",
        f"/api/v1/toner-orders/{real_ids[('toner-orders', '{id}')]}",
        f"/api/v1/invoices/{real_ids[('invoices', '{id}')]}", f"/api/v1/payments/{real_ids[('payments', '{id}')]}")}

    wrong: list[str] = []
    tried: set[str] = set()
    for method, pattern, who in POLICY:
        admitted = [role for role in attackers if admits(who, role)]
        if who is PUBLIC or not PLACEHOLDER.search(pattern) or not _customer_data(pattern) or not admitted:
            continue
        body = None
        if method not in ("GET", "DELETE"):
            assert (method, pattern) in BODIES, f"{method} {pattern}: add a valid body to BODIES"
            body = BODIES[(method, pattern)]
        path = concrete(pattern, real_ids)
        for role in admitted:
            token = attackers[role]
            for where, base in targets(stack, path).items():
                response = api.http.request(method, base + path, json=body, timeout=15,
                                            headers={"Authorization": f"Bearer {token}"})
                what = f"B's {role} {method} {pattern} at {where}: {response.status_code}"
                try:
                    assert_problem_status(response, {403, 404}, what)
                except AssertionError as failure:
                    wrong.append(str(failure))
                if leaked := _leaks(response, markers, path):
                    wrong.append(f"{what} shows A's {sorted(leaked)}")
                tried.add(f"{api_prefix(pattern)} {method}")
    assert not wrong, "\n".join(wrong)
    for kind in ("users", "invoices", "statements", "payments", "devices", "incidents", "stock-locations", "toner-orders"):
        assert f"{kind} GET" in tried, f"no GET of A's {kind} was tried: {sorted(tried)}"

    # Lists, asked for with A's customer id and account in the query: B's own, never A's.
    query = {"customer_id": a.id, "account": a.account, "customer": a.id, "page_size": 100}
    for method, pattern, who in POLICY:
        if method != "GET" or PLACEHOLDER.search(pattern) or who is PUBLIC or not _customer_data(pattern):
            continue
        for role, token in attackers.items():
            if not admits(who, role):
                continue
            for where, base in targets(stack, pattern).items():
                response = api.http.get(base + pattern, params=query, timeout=15,
                                        headers={"Authorization": f"Bearer {token}"})
                what = f"B's {role} GET {pattern}?customer_id=A at {where}: {response.status_code}"
                if response.status_code >= 500 or response.status_code == 200 and "json" not in response.headers.get("Content-Type", ""):
                    wrong.append(f"{what} {response.text[:200]}")
                if leaked := _leaks(response, markers, ""):
                    wrong.append(f"{what} shows A's {sorted(leaked)}")
                if pattern.endswith("audit-log") and response.status_code == 200:
                    if shown := {item["id"] for item in response.json()["items"]} & a_audit:
                        wrong.append(f"{what} lists A's audit entries {sorted(shown)}")

    # Writes that name A's objects in the body, not the path.
    invoice = real_ids[("invoices", "{id}")]
    writes = [
        ("/api/v1/payments", {"bank": "bbva", "items": [{"invoice_id": invoice, "amount": "1.00"}]}, (ADMIN, BILLING)),
        ("/api/v1/incidents", incident_body(real_ids[("devices", "{id}")]), (ADMIN, DEVICE_ADMIN)),
    ]
    payments_of_invoice = "SELECT count(*) FROM payment_items WHERE invoice_id = CAST(:i AS uuid)"
    paid_before = stack.scalar("payment", payments_of_invoice, i=invoice)
    for path, body, roles in writes:
        for role in roles:
            for where, base in targets(stack, path).items():
                response = api.http.post(base + path, json=body, timeout=15, headers={
                    "Authorization": f"Bearer {attackers[role]}", "Idempotency-Key": uuid.uuid4().hex})
                what = f"B's {role} POST {path} naming A's object at {where}"
                try:
                    # 422 too: payment-service names the unknown invoice as a field error.
                    assert_problem_status(response, {403, 404, 422}, what)
                except AssertionError as failure:
                    wrong.append(str(failure))
                if leaked := _leaks(response, markers, str(body)):
                    wrong.append(f"{what} shows A's {sorted(leaked)}")
    assert not wrong, "\n".join(wrong)
    assert stack.scalar("payment", payments_of_invoice, i=invoice) == paid_before

    # A's objects are as A left them (the PATCH, DELETE and POSTs above changed nothing).
    for path, was in before.items():
        now = api.get(path, token=a.admin.token)
        assert now.status_code == 200, f"{path}: {now.status_code}"
        assert now.json() == was, path
