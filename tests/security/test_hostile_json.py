"""Every POST, PUT, PATCH and DELETE route of every service, through the gateway and at the
service's own port, sent the bodies that used to reach a 500 or be silently ignored: only 4xx
problem+json answers, naming the body, and nothing written.

The routes are the gateway's policy table (every route the portal serves); a path parameter is a
random id, since the body is refused before any view looks the id up. At the gateway each request
carries a token of a role the policy admits (people of a company of the test's own, and the
operator), so it reaches the gateway's own body check; a route only an agent may use is refused
there before its body is read (401), still a 4xx problem. At each service the body is checked
before the token, so every route there must refuse the body itself.
"""
from __future__ import annotations

import re
import uuid

import pytest
import requests

from portal_gateway import routing
from portal_gateway.policy import POLICY, PUBLIC, Policy
from desk import desk_customer
from fuzzing import token_of_admitted_role
from stack import CLIENT_ADDRESS_HEADER, Api, Stack, client_address

BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")
JSON = "application/json"
HOSTILE = {
    "nested 1,000 deep": (b"[" * 1000 + b"]" * 1000, JSON),
    "integer of 5,000 digits": (b'{"amount": ' + b"9" * 5000 + b"}", JSON),
    "lone surrogate": (b'{"name": "\\ud800", "email": "\\udfff@example.com"}', JSON),
    "byte order mark": (b'\xef\xbb\xbf{"name": "x"}', JSON),
    "text/plain": (b'{"name": "x"}', "text/plain"),
    "a form": (b"name=x&shipping_address=y", "application/x-www-form-urlencoded"),
    "no content type": (b'{"name": "x"}', None),
}
# What each service's database must still hold, row for row, after the sweep.
COUNTED = {
    "identity": "SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM customers) + (SELECT count(*) FROM audit_log)",
    "billing": "SELECT (SELECT count(*) FROM invoices) + (SELECT count(*) FROM exchange_rates) + (SELECT count(*) FROM statements)",
    "payment": "SELECT count(*) FROM payments",
    "servicedesk": "SELECT (SELECT count(*) FROM devices) + (SELECT count(*) FROM incidents) + (SELECT count(*) FROM stock_locations)"
                   " + (SELECT count(*) FROM device_readings) + (SELECT count(*) FROM meter_readings)",
}
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def concrete(pattern: str) -> str:
    return _PLACEHOLDER.sub(lambda m: "bbva" if m.group(1) == "bank" else str(uuid.uuid4()), pattern)


def routes() -> list[tuple[str, str]]:
    found = sorted({(method, pattern) for method, pattern, _who in POLICY if method in BODY_METHODS})
    assert len(found) >= 30, found
    return found


@pytest.fixture
def tokens(stack: Stack, operator: Api, activated_admin, register_customer) -> dict[str, str]:
    """Tokens of people of the test's own: the fuzzer signs the demo users' accounts into lockout."""
    api = Api(stack.gateway_url)
    company = desk_customer(stack, api, activated_admin, roles=("billing", "device_admin", "stock_admin"))
    found = {"admin": company.admin.token, **{role: person.token for role, person in company.people.items()},
             "operator": operator.token}
    customer = register_customer()
    found["activation"] = api.login(customer["rfc"], customer["rfc"])["access_token"]
    return found


def counts(stack: Stack) -> dict[str, int]:
    return {service: stack.scalar(service, query) for service, query in COUNTED.items()}


def test_hostile_bodies_get_4xx_problems_on_every_route_and_write_nothing(stack: Stack, tokens):
    policy = Policy()
    http = requests.Session()
    http.headers[CLIENT_ADDRESS_HEADER] = client_address()
    before = counts(stack)
    wrong: list[str] = []
    sent = 0
    for method, pattern in routes():
        path = concrete(pattern)
        service = routing.resolve(path)
        assert service is not None, path
        token = token_of_admitted_role(policy.match(method, path), tokens)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        for where, base in (("gateway", stack.gateway_url), (service.key, stack.service_urls[service.key])):
            at_gateway_unauthenticated = where == "gateway" and token is None and policy.match(method, path).who is not PUBLIC
            for what, (body, content_type) in HOSTILE.items():
                request_headers = dict(headers) if where == "gateway" else {}
                if content_type:
                    request_headers["Content-Type"] = content_type
                response = http.request(method, base + path, data=body, headers=request_headers, timeout=15)
                sent += 1
                name = f"{method} {pattern} at {where} with {what}"
                if not 400 <= response.status_code < 500:
                    wrong.append(f"{name}: {response.status_code} {response.text[:200]}")
                elif response.headers.get("Content-Type", "").split(";")[0] != "application/problem+json":
                    wrong.append(f"{name}: {response.status_code} answered {response.headers.get('Content-Type')}")
                elif at_gateway_unauthenticated:
                    if response.status_code != 401:
                        wrong.append(f"{name}: {response.status_code} without a token, expected 401")
                elif "body" not in (response.json().get("errors") or {}):
                    wrong.append(f"{name}: {response.status_code} does not name the body: {response.text[:200]}")
    print(f"\nhostile bodies: {sent} requests on {len(routes())} routes")
    assert not wrong, f"{len(wrong)} of {sent} answers were not a 4xx problem naming the body:\n" + "\n".join(wrong[:40])
    assert counts(stack) == before, "a refused body wrote something"
