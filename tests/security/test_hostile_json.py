"""Every POST, PUT, PATCH and DELETE route of every service, through the gateway and at the
service's own port, sent the bodies that used to reach a 500 or be silently ignored: only 4xx
problem+json answers, naming the body, and nothing written.

The routes are the gateway's policy table (every route the portal serves); a path parameter is a
random id, since the body is refused before any view looks the id up. Each request carries a
token of a role the policy admits, so the gateway lets it through to its own body check and the
service's.
"""
from __future__ import annotations

import re
import uuid

import pytest
import requests

from portal_gateway import routing
from portal_gateway.policy import POLICY, Policy
from fuzzing import token_for
from test_api_fuzz import tokens  # noqa: F401 - the fixture: one token per role
from stack import CLIENT_ADDRESS_HEADER, Stack, client_address

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
                   " + (SELECT count(*) FROM meter_readings)",
}
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def concrete(pattern: str) -> str:
    return _PLACEHOLDER.sub(lambda m: "bbva" if m.group(1) == "bank" else str(uuid.uuid4()), pattern)


def routes() -> list[tuple[str, str]]:
    found = sorted({(method, pattern) for method, pattern, _who in POLICY if method in BODY_METHODS})
    assert len(found) >= 30, found
    return found


def counts(stack: Stack) -> dict[str, int]:
    return {service: stack.scalar(service, query) for service, query in COUNTED.items()}


def test_hostile_bodies_get_4xx_problems_on_every_route_and_write_nothing(stack: Stack, tokens):  # noqa: F811
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
        token = token_for(policy, method, path, tokens)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        for where, base in (("gateway", stack.gateway_url), (service.key, stack.service_urls[service.key])):
            for what, (body, content_type) in HOSTILE.items():
                request_headers = dict(headers)
                if content_type:
                    request_headers["Content-Type"] = content_type
                response = http.request(method, base + path, data=body, headers=request_headers, timeout=15)
                sent += 1
                name = f"{method} {pattern} at {where} with {what}"
                if not 400 <= response.status_code < 500:
                    wrong.append(f"{name}: {response.status_code} {response.text[:200]}")
                elif response.headers.get("Content-Type", "").split(";")[0] != "application/problem+json":
                    wrong.append(f"{name}: {response.status_code} answered {response.headers.get('Content-Type')}")
                elif "body" not in (response.json().get("errors") or {}):
                    wrong.append(f"{name}: {response.status_code} does not name the body: {response.text[:200]}")
    print(f"\nhostile bodies: {sent} requests on {len(routes())} routes")
    assert not wrong, f"{len(wrong)} of {sent} answers were not a 4xx problem naming the body:\n" + "\n".join(wrong[:40])
    assert counts(stack) == before, "a refused body wrote something"
