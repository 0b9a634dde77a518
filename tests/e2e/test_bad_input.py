"""Bad input through the gateway: a 4xx problem+json naming the field, and nothing written."""
from __future__ import annotations

import pytest

from stack import Api, Stack, random_rfc

PROBLEM = "application/problem+json"


def counts(stack: Stack) -> tuple[int, int, int]:
    return (
        stack.scalar("identity", "SELECT count(*) FROM customers"),
        stack.scalar("identity", "SELECT count(*) FROM users"),
        stack.scalar("identity", "SELECT count(*) FROM outbox"),
    )


def valid_customer() -> dict:
    return {"rfc": random_rfc(), "name": "Cliente Válido", "system_account_number": "S-BAD-1",
            "account_numbers": ["99000001"]}


@pytest.mark.parametrize(
    ("case", "body", "field", "statuses"),
    [
        ("malformed JSON", b'{"rfc": "ABC850101AB1", ', "body", {400}),
        ("wrong type", {**valid_customer(), "account_numbers": "99000001"}, "account_numbers", {422}),
        ("unknown field", {**valid_customer(), "is_admin": True}, "is_admin", {422}),
        ("invalid RFC", {**valid_customer(), "rfc": "ABC851301AB1"}, "rfc", {422}),
        ("2 MB body", {**valid_customer(), "name": "x" * (2 * 1024 * 1024)}, "body", {413}),
    ],
)
def test_customer_sign_up_refuses_bad_input(stack: Stack, operator: Api, case, body, field, statuses):
    before = counts(stack)
    if isinstance(body, bytes):
        response = operator.request("POST", "/api/v1/customers", data=body, headers={"Content-Type": "application/json"})
    else:
        response = operator.post("/api/v1/customers", body)
    assert response.status_code in statuses, f"{case}: {response.status_code} {response.text[:300]}"
    assert response.headers["Content-Type"].startswith(PROBLEM), case
    problem = response.json()
    assert problem["status"] == response.status_code
    assert field in problem.get("errors", {}), f"{case}: {problem}"
    assert counts(stack) == before, f"{case} wrote something"


def test_over_long_password_is_refused_and_nothing_changes(stack: Stack, api: Api, register_customer):
    customer = register_customer()
    activation = api.login(customer["rfc"], customer["rfc"])
    before = counts(stack)
    response = api.post("/api/v1/auth/first-login", {"email": "largo@example.com", "new_password": "Aa1-" * 100},
                        token=activation["access_token"])
    assert response.status_code == 422
    assert response.headers["Content-Type"].startswith(PROBLEM)
    assert "new_password" in response.json()["errors"]
    assert counts(stack) == before
    # The account is still waiting for its activation step.
    assert api.login(customer["rfc"], customer["rfc"])["must_change_password"] is True
