"""Bad input on every endpoint: problem+json that names the field."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("method", "path", "body", "role", "field"),
    [
        ("get", "/api/v1/invoices?status=unpaid", None, "agent", "status"),
        ("get", "/api/v1/invoices?page=0", None, "agent", "page"),
        ("get", "/api/v1/invoices?page_size=501", None, "agent", "page_size"),
        ("get", "/api/v1/invoices?customer_id=nope", None, "agent", "customer_id"),
        ("get", "/api/v1/invoices?colour=red", None, "agent", "colour"),
        ("get", "/api/v1/invoices/00000000-0000-0000-0000-000000000000?customer_id=x", None, "agent", "customer_id"),
        ("get", "/api/v1/balances?page=abc", None, "agent", "page"),
        ("get", "/api/v1/balances?account=", None, "agent", "account"),
        ("get", "/api/v1/statements?page_size=0", None, "agent", "page_size"),
        ("get", "/api/v1/statements/261001/pdf?customer_id=1", None, "agent", "customer_id"),
        ("get", "/api/v1/credit-status?customer_id=1", None, "agent", "customer_id"),
        ("post", "/api/v1/invoices/import", {"invoices": "all"}, "operator", "invoices"),
        ("post", "/api/v1/invoices/import", {}, "operator", "invoices"),
        ("post", "/api/v1/invoices/import", {"invoices": [], "extra": 1}, "operator", "extra"),
        ("post", "/api/v1/exchange-rates", {"rates": {}}, "operator", "rates"),
        ("post", "/api/v1/exchange-rates", {"rate": []}, "operator", "rate"),
        ("post", "/api/v1/statements", {"period": 202610}, "operator", "period"),
        ("post", "/api/v1/statements", {"period": "2026-10", "account": "1"}, "operator", "account"),
    ],
)
def test_bad_input_is_a_problem_naming_the_field(client, bearer, customer, method, path, body, role, field):
    if role == "agent" and "customer_id" not in path:
        path += ("&" if "?" in path else "?") + f"customer_id={customer['customer_id']}"
    response = getattr(client, method)(path, json=body, headers=bearer(role)) if body is not None else \
        getattr(client, method)(path, headers=bearer(role))
    assert response.status_code == 422, response.json
    assert response.content_type == "application/problem+json"
    assert field in response.json["errors"], response.json


@pytest.mark.parametrize("path", ["/api/v1/invoices/import", "/api/v1/exchange-rates", "/api/v1/statements"])
def test_a_body_that_is_not_json_is_a_problem(client, operator, path):
    response = client.post(path, data="{not json", content_type="application/json", headers=operator)
    assert response.status_code == 400
    assert response.content_type == "application/problem+json"
    assert "body" in response.json["errors"], response.json


def test_a_large_body_is_413_on_every_post(client, operator):
    blob = "x" * 2_000_000
    for path in ("/api/v1/exchange-rates", "/api/v1/statements"):
        response = client.post(path, data=blob, content_type="application/json", headers=operator)
        assert response.status_code == 413
        assert response.json["errors"] == {"body": ["Request body too large."]}
