"""Each service's OpenAPI document, fuzzed through the gateway with schemathesis: no 5xx, and
every answer whose status the document describes matches the documented schema.

Bounded: MAX_EXAMPLES generated requests per operation (positive and negative data), no
shrinking, a per-request timeout and a time budget per service (about a minute for all four
on two cores). Requests carry a token of a role the gateway admits for the operation (the demo
users'), so they reach the service's validation rather than stopping at the role check.
"""
from __future__ import annotations

import uuid

import pytest

from fuzzing import fuzz_service
from stack import DEMO_PASSWORD, Api, Stack, random_rfc

MAX_EXAMPLES = 20
BUDGET_SECONDS = 60
DEMO_USERS = {
    "admin": "admin@comercializadora-demo.mx",
    "billing": "facturacion@comercializadora-demo.mx",
    "device_admin": "equipos@comercializadora-demo.mx",
    "stock_admin": "almacen@comercializadora-demo.mx",
    "operator": "operador@proveedor-demo.mx",
    "agent": "agente@proveedor-demo.mx",
}
# The fuzzer's wrong current passwords count against these accounts like failed sign-ins, so
# later suites sign in with users of their own, never these.
# Operations left out, each with its reason. Empty today: the bank callbacks are fuzzed too, but
# unsigned, so only their refusal path (401) is exercised; the signed path is e2e/test_payments.py's.
EXCLUDED: dict[str, str] = {}


@pytest.fixture(scope="module")
def tokens(stack: Stack, operator: Api) -> dict[str, str]:
    api = Api(stack.gateway_url)
    found = {role: api.login(email, DEMO_PASSWORD)["access_token"] for role, email in DEMO_USERS.items()}
    # POST /auth/first-login takes only the activation token of a customer's RFC sign-in.
    rfc, suffix = random_rfc(), uuid.uuid4().int % 10**8
    created = operator.post("/api/v1/customers", {"rfc": rfc, "name": f"Cliente fuzz {suffix}",
                                                  "system_account_number": f"F{suffix:08d}",
                                                  "account_numbers": [f"{suffix:08d}"]})
    assert created.status_code == 201, created.text
    found["activation"] = api.login(rfc, rfc)["access_token"]
    return found


@pytest.mark.parametrize("service", ["identity", "billing", "payment", "servicedesk"])
def test_openapi_fuzzing_finds_no_server_error_and_no_schema_violation(stack: Stack, tokens, service: str):
    report = fuzz_service(stack.gateway_url, service, tokens, excluded=EXCLUDED,
                          max_examples=MAX_EXAMPLES, budget_seconds=BUDGET_SECONDS)
    assert report.tried, f"{service}: its OpenAPI document lists no operation"
    assert all(count > 0 for count in report.tried.values()), report.tried
    assert not report.failures, "\n\n".join(f"{name}\n{failure}" for name, failure in report.failures.items())
