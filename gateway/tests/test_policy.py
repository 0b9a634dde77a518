"""The role policy, rule by rule, for every role, no token and the activation token.

Expectations come twice: derived from the policy table (so every rule is exercised), and
from tables written by hand from docs/api.md (identity's, billing's and payment's routes),
so a wrong rule fails.
"""
from __future__ import annotations

import re

import pytest
from portal_gateway.policy import ACTIVATION, ANY_USER, POLICY, PUBLIC
from portal_gateway.routing import resolve

NO_TOKEN = "no token"
ACTIVATION_TOKEN = "activation token"
ALL_CUSTOMER = {"admin", "billing", "device_admin", "stock_admin", "stock_device_admin", "knowledge_user"}
EVERY_ROLE = ALL_CUSTOMER | {"agent", "operator"}

# Written from docs/api.md by hand, not from the policy module: who gets through for identity's routes.
IDENTITY_EXPECTED: dict[tuple[str, str], set[str]] = {
    ("GET", "/.well-known/jwks.json"): EVERY_ROLE | {NO_TOKEN, ACTIVATION_TOKEN},
    ("POST", "/api/v1/auth/login"): EVERY_ROLE | {NO_TOKEN, ACTIVATION_TOKEN},
    ("POST", "/api/v1/auth/refresh"): EVERY_ROLE | {NO_TOKEN, ACTIVATION_TOKEN},
    ("POST", "/api/v1/auth/logout"): EVERY_ROLE | {NO_TOKEN, ACTIVATION_TOKEN},
    ("POST", "/api/v1/auth/recover"): EVERY_ROLE | {NO_TOKEN, ACTIVATION_TOKEN},
    ("POST", "/api/v1/auth/reset"): EVERY_ROLE | {NO_TOKEN, ACTIVATION_TOKEN},
    ("POST", "/api/v1/auth/verify-email"): EVERY_ROLE | {NO_TOKEN, ACTIVATION_TOKEN},
    ("POST", "/api/v1/auth/activate"): EVERY_ROLE | {NO_TOKEN, ACTIVATION_TOKEN},
    ("POST", "/api/v1/auth/links/check"): EVERY_ROLE | {NO_TOKEN, ACTIVATION_TOKEN},
    ("POST", "/api/v1/auth/first-login"): {ACTIVATION_TOKEN},
    ("GET", "/api/v1/me"): EVERY_ROLE,
    ("POST", "/api/v1/auth/password"): EVERY_ROLE,
    ("POST", "/api/v1/auth/verify-email/resend"): EVERY_ROLE,
    ("GET", "/api/v1/users"): {"admin", "agent"},
    ("POST", "/api/v1/users"): {"admin"},
    ("GET", "/api/v1/users/{id}"): {"admin", "agent"},
    ("PATCH", "/api/v1/users/{id}"): {"admin", "agent"},
    ("DELETE", "/api/v1/users/{id}"): {"admin"},
    ("GET", "/api/v1/audit-log"): {"admin", "agent"},
    ("POST", "/api/v1/customers"): {"operator"},
    ("GET", "/api/v1/customers"): {"operator", "agent"},
    ("GET", "/api/v1/customers/{id}"): {"operator", "agent"},
    ("POST", "/api/v1/customers/{id}/activation-link"): {"operator"},
}

READERS = {"admin", "billing", "agent"}  # agent reads any customer's billing, never writes

# Written from docs/api.md by hand: who gets through for billing-service's and payment-service's routes.
BILLING_PAYMENT_EXPECTED: dict[tuple[str, str], set[str]] = {
    ("GET", "/api/v1/accounts"): READERS | {"operator"},  # DESIGN §3, served by billing-service
    ("GET", "/api/v1/invoices"): READERS,
    ("GET", "/api/v1/invoices/{id}"): READERS,
    ("GET", "/api/v1/invoices/{id}/cfdi.xml"): READERS,
    ("GET", "/api/v1/invoices/{id}/cfdi.pdf"): READERS,
    ("GET", "/api/v1/invoices/cfdi.zip"): READERS,
    ("GET", "/api/v1/payment-receipts"): READERS | {"operator"},
    ("GET", "/api/v1/payment-receipts/{id}"): READERS,
    ("GET", "/api/v1/payment-receipts/{id}.xml"): READERS,
    ("GET", "/api/v1/payment-receipts/{id}.pdf"): READERS,
    ("POST", "/api/v1/invoices/import"): {"operator"},
    ("GET", "/api/v1/balances"): READERS,
    ("GET", "/api/v1/statements"): READERS,
    ("GET", "/api/v1/statements/{id}/pdf"): READERS,
    ("POST", "/api/v1/statements"): {"operator"},
    ("GET", "/api/v1/exchange-rates/current"): READERS,
    ("POST", "/api/v1/exchange-rates"): {"operator"},
    ("POST", "/api/v1/exchange-rates/banxico"): {"operator"},
    ("GET", "/api/v1/credit-status"): {"agent", "operator"},
    ("POST", "/api/v1/payments"): {"admin", "billing"},
    ("GET", "/api/v1/payments"): READERS,
    ("GET", "/api/v1/payments/in-transit"): {"admin", "billing"},
    ("GET", "/api/v1/payments/{id}"): READERS,
    ("POST", "/api/v1/payments/{id}/status-check"): READERS,
    ("POST", "/api/v1/payments/{id}/cancel"): {"admin", "billing"},
    ("POST", "/api/v1/payments/callbacks/{bank}"): EVERY_ROLE | {NO_TOKEN, ACTIVATION_TOKEN},
}

STOCK_KEEPERS = {"admin", "stock_admin", "stock_device_admin"}

# Written from docs/api.md by hand: who gets through for servicedesk's stock routes (e-Maintenance).
STOCK_EXPECTED: dict[tuple[str, str], set[str]] = {
    ("GET", "/api/v1/stock-locations"): STOCK_KEEPERS | {"agent"},
    ("POST", "/api/v1/stock-locations"): STOCK_KEEPERS,
    ("GET", "/api/v1/stock-locations/{id}"): STOCK_KEEPERS | {"agent"},
    ("PATCH", "/api/v1/stock-locations/{id}"): STOCK_KEEPERS,
    ("PUT", "/api/v1/devices/{id}/stock-location"): STOCK_KEEPERS,
    ("POST", "/api/v1/devices/{id}/toner-levels"): {"operator"},
    ("GET", "/api/v1/toner-orders"): STOCK_KEEPERS | {"agent", "operator"},  # the back office ships them
    ("GET", "/api/v1/toner-orders/{id}"): STOCK_KEEPERS | {"agent", "operator"},
    ("POST", "/api/v1/toner-orders/{id}/status"): {"agent", "operator"},
}

# Written from docs/api.md by hand: every signed-in user reads knowledge, only operators write it.
KNOWLEDGE_EXPECTED: dict[tuple[str, str], set[str]] = {
    ("GET", "/api/v1/knowledge"): EVERY_ROLE,
    ("GET", "/api/v1/knowledge/overview"): EVERY_ROLE,
    ("GET", "/api/v1/knowledge/{id}"): EVERY_ROLE,
    ("POST", "/api/v1/knowledge"): {"operator"},
    ("PATCH", "/api/v1/knowledge/{id}"): {"operator"},
    ("DELETE", "/api/v1/knowledge/{id}"): {"operator"},
}

# Written from docs/api.md by hand: customers read their devices' meters and submit today's readings;
# staff submit too, readings of an earlier day included.
METER_EXPECTED: dict[tuple[str, str], set[str]] = {
    ("GET", "/api/v1/devices/{id}/meter-readings"): {"admin", "device_admin", "stock_device_admin", "agent"},
    ("POST", "/api/v1/devices/{id}/meter-readings"): {"admin", "device_admin", "stock_device_admin", "agent",
                                                      "operator"},
}

HAND_WRITTEN = {**IDENTITY_EXPECTED, **BILLING_PAYMENT_EXPECTED, **STOCK_EXPECTED, **KNOWLEDGE_EXPECTED,
                **METER_EXPECTED}

CALLERS = [NO_TOKEN, ACTIVATION_TOKEN, *sorted(EVERY_ROLE)]


def concrete(pattern: str) -> str:
    return re.sub(r"\{[a-z_]+\}", "abc123", pattern)


def expected_from_table(who, caller: str) -> int:
    if who is PUBLIC:
        return 200
    if caller == NO_TOKEN:
        return 401
    if who is ACTIVATION:
        return 200 if caller == ACTIVATION_TOKEN else 403
    if caller == ACTIVATION_TOKEN:
        return 403
    if who is ANY_USER:
        return 200
    return 200 if caller in who else 403


def expected_by_hand(method: str, pattern: str, caller: str) -> int:
    if caller in HAND_WRITTEN[(method, pattern)]:
        return 200
    return 401 if caller == NO_TOKEN else 403


def call(client, tokens, method: str, path: str, caller: str):
    headers = {}
    if caller == ACTIVATION_TOKEN:
        headers["Authorization"] = f"Bearer {tokens.activation()}"
    elif caller != NO_TOKEN:
        headers["Authorization"] = f"Bearer {tokens.for_role(caller)}"
    return client.open(path, method=method, headers=headers, json={} if method in ("POST", "PATCH") else None)


@pytest.fixture(scope="module")
def role_tokens(tokens):
    cache = {}

    class Cached:
        def for_role(self, role):
            return cache.setdefault(role, tokens.for_role(role))

        def activation(self):
            return cache.setdefault(ACTIVATION_TOKEN, tokens.activation())

    return Cached()


@pytest.mark.parametrize(("method", "pattern", "who"), POLICY, ids=[f"{m} {p}" for m, p, _ in POLICY])
def test_every_rule_admits_exactly_its_callers(client, role_tokens, echoes, method, pattern, who):
    path = concrete(pattern)
    service = resolve(path)
    assert service is not None, f"policy names {pattern}, but no route leads there"
    wrong = []
    for caller in CALLERS:
        response = call(client, role_tokens, method, path, caller)
        expected = expected_from_table(who, caller)
        if response.status_code != expected:
            wrong.append(f"{caller}: got {response.status_code}, expected {expected}")
            continue
        if expected == 200:
            seen = response.get_json()
            assert (seen["service"], seen["method"], seen["path"]) == (service.key, method, path)
        else:
            assert response.mimetype == "application/problem+json"
            assert response.get_json()["status"] == expected
    assert not wrong, wrong


@pytest.mark.parametrize(("method", "pattern"), sorted(HAND_WRITTEN), ids=[f"{m} {p}" for m, p in sorted(HAND_WRITTEN)])
def test_routes_match_the_hand_written_expectations(client, role_tokens, method, pattern):
    wrong = []
    for caller in CALLERS:
        response = call(client, role_tokens, method, concrete(pattern), caller)
        expected = expected_by_hand(method, pattern, caller)
        if response.status_code != expected:
            wrong.append(f"{caller}: got {response.status_code}, expected {expected}")
    assert not wrong, wrong


def test_every_identity_rule_has_a_hand_written_expectation():
    identity_rules = {(m, p) for m, p, _ in POLICY if resolve(concrete(p)).key == "identity"}
    assert identity_rules == set(IDENTITY_EXPECTED)


def test_billing_and_payment_rules_are_exactly_the_contracts():
    rules = {(m, p) for m, p, _ in POLICY if resolve(concrete(p)).key in ("billing", "payment")}
    assert rules == set(BILLING_PAYMENT_EXPECTED)


def test_every_stock_rule_has_a_hand_written_expectation():
    stock_paths = ("/api/v1/stock-locations", "/api/v1/toner-orders", "/stock-location", "/toner-levels")
    rules = {(m, p) for m, p, _ in POLICY if any(part in p for part in stock_paths)}
    assert rules == set(STOCK_EXPECTED)


def test_every_knowledge_rule_has_a_hand_written_expectation():
    rules = {(m, p) for m, p, _ in POLICY if p.startswith("/api/v1/knowledge")}
    assert rules == set(KNOWLEDGE_EXPECTED)


def test_every_meter_rule_has_a_hand_written_expectation():
    rules = {(m, p) for m, p, _ in POLICY if p.endswith("/meter-readings")}
    assert rules == set(METER_EXPECTED)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/statements/171001"),  # only the PDF of a statement is served
        ("GET", "/api/v1/exchange-rates"),  # only the current rate is read
        ("PATCH", "/api/v1/invoices/abc"),
        ("GET", "/api/v1/payments/callbacks/bbva"),
    ],
)
def test_billing_and_payment_paths_outside_the_contract_are_denied(client, role_tokens, method, path):
    for role in sorted(EVERY_ROLE):
        assert call(client, role_tokens, method, path, role).status_code == 403, role


@pytest.mark.parametrize(
    ("method", "path", "role"),
    [
        ("DELETE", "/api/v1/customers/abc", "operator"),  # a method the table does not list
        ("PUT", "/api/v1/me", "admin"),
        ("GET", "/api/v1/users/abc/extra", "admin"),  # a path below a listed one
        ("POST", "/api/v1/balances", "billing"),  # agent-style read-only route written to
        ("GET", "/api/v1/staff", "agent"),
    ],
)
def test_requests_outside_the_table_are_denied(client, role_tokens, echoes, method, path, role):
    before = sum(len(echo.received) for echo, _ in echoes.values())
    assert call(client, role_tokens, method, path, NO_TOKEN).status_code == 401
    assert call(client, role_tokens, method, path, role).status_code == 403
    assert sum(len(echo.received) for echo, _ in echoes.values()) == before, "a denied call reached a service"


def test_agent_reads_billing_but_cannot_pay(client, role_tokens):
    assert call(client, role_tokens, "GET", "/api/v1/invoices", "agent").status_code == 200
    assert call(client, role_tokens, "GET", "/api/v1/credit-status", "agent").status_code == 200
    assert call(client, role_tokens, "POST", "/api/v1/payments", "agent").status_code == 403
    assert call(client, role_tokens, "POST", "/api/v1/invoices/import", "agent").status_code == 403
    assert call(client, role_tokens, "POST", "/api/v1/payments", "billing").status_code == 200


def test_head_follows_the_get_rule(client, role_tokens):
    assert call(client, role_tokens, "HEAD", "/api/v1/invoices", "billing").status_code == 200
    assert call(client, role_tokens, "HEAD", "/api/v1/invoices", "knowledge_user").status_code == 403


def test_invalid_and_foreign_tokens_are_401(client, tokens):
    for token in ("not-a-jwt", tokens.foreign()):
        response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_expired_token_is_401(client, tokens):
    from datetime import datetime, timedelta, timezone

    expired = tokens.for_role("admin", now=datetime.now(timezone.utc) - timedelta(hours=1))
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {expired}"}).status_code == 401
