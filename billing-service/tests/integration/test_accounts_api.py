"""GET /api/v1/accounts: scoped by the token's customer; staff name the customer."""
from __future__ import annotations

import uuid

import pytest

from billing_service.service_layer.errors import ERRORS


@pytest.fixture
def two_customers(registration, deliver):
    first, second = registration(), registration()
    deliver(first)
    deliver(second)
    return first.data, second.data


def numbers(response) -> set[str]:
    return {item["account_number"] for item in response.json["items"]}


@pytest.mark.parametrize("role", ["admin", "billing"])
def test_customer_user_sees_own_accounts_only(client, bearer, two_customers, role):
    mine, theirs = two_customers

    response = client.get("/api/v1/accounts", headers=bearer(role, customer_id=mine["customer_id"]))

    assert response.status_code == 200
    assert response.json["customer"]["id"] == str(mine["customer_id"])
    assert response.json["customer"]["rfc"] == mine["rfc"]
    assert numbers(response) == set(mine["account_numbers"])
    assert not numbers(response) & set(theirs["account_numbers"])
    for item in response.json["items"]:
        assert item["system_account_number"] == mine["system_account_number"]
        assert uuid.UUID(item["id"])


def test_customer_user_cannot_name_another_customer(client, bearer, two_customers):
    mine, theirs = two_customers

    response = client.get(
        f"/api/v1/accounts?customer_id={theirs['customer_id']}", headers=bearer("admin", customer_id=mine["customer_id"])
    )

    assert response.status_code == 403
    assert response.content_type == "application/problem+json"
    assert response.json["code"] == "auth.forbidden"
    assert theirs["account_numbers"][0] not in response.get_data(as_text=True)


def test_customer_user_may_name_own_customer(client, bearer, two_customers):
    mine, _ = two_customers
    response = client.get(
        f"/api/v1/accounts?customer_id={mine['customer_id']}", headers=bearer("billing", customer_id=mine["customer_id"])
    )
    assert response.status_code == 200
    assert numbers(response) == set(mine["account_numbers"])


@pytest.mark.parametrize("role", ["agent", "operator"])
def test_staff_must_name_the_customer(client, bearer, two_customers, role):
    _, theirs = two_customers

    without = client.get("/api/v1/accounts", headers=bearer(role))
    assert without.status_code == 422
    assert without.content_type == "application/problem+json"
    assert without.json["code"] == "request.invalid"
    assert "customer_id" in without.json["errors"]

    named = client.get(f"/api/v1/accounts?customer_id={theirs['customer_id']}", headers=bearer(role))
    assert named.status_code == 200
    assert numbers(named) == set(theirs["account_numbers"])


def test_unknown_customer_is_404(client, bearer):
    response = client.get(f"/api/v1/accounts?customer_id={uuid.uuid4()}", headers=bearer("agent"))
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"
    assert response.json["code"] == "billing.customer_unknown"


def test_malformed_customer_id_is_named(client, bearer):
    response = client.get("/api/v1/accounts?customer_id=not-a-uuid", headers=bearer("agent"))
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert "customer_id" in response.json["errors"]


def test_no_token_is_401(client):
    response = client.get("/api/v1/accounts")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.content_type == "application/problem+json"


def test_token_from_another_signer_is_401(client):
    from portal_shared.auth.signing import TokenSigner, generate_private_key

    forged = TokenSigner([generate_private_key()]).issue(user_id="x", customer_id=str(uuid.uuid4()), roles=["admin"])
    response = client.get("/api/v1/accounts", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401


@pytest.mark.parametrize("role", ["device_admin", "stock_admin", "stock_device_admin", "knowledge_user"])
def test_roles_without_billing_rights_get_403(client, bearer, two_customers, role):
    mine, _ = two_customers
    response = client.get("/api/v1/accounts", headers=bearer(role, customer_id=mine["customer_id"]))
    assert response.status_code == 403
    assert response.content_type == "application/problem+json"


def test_activation_token_is_not_enough(client, bearer, two_customers):
    mine, _ = two_customers
    response = client.get(
        "/api/v1/accounts", headers=bearer("admin", customer_id=mine["customer_id"], token_type="activation")
    )
    assert response.status_code == 403


def test_openapi_documents_the_accounts_endpoint(client):
    response = client.get("/openapi.json")
    assert response.status_code == 200
    document = response.json
    assert document["info"]["title"] == "billing-service"
    operation = document["paths"]["/api/v1/accounts"]["get"]
    assert operation["security"] == [{"bearerAuth": []}]
    assert {"200", "401", "403", "404", "422"} <= set(operation["responses"])
    assert "customer_id" in {parameter["name"] for parameter in operation["parameters"]}
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    # Every refusal billing may answer, for the gateway to translate.
    assert {error.code for error in ERRORS} == set(document["x-error-codes"])
    assert document["x-error-codes"]["billing.customer_unknown"] == {"status": 404, "title": "Customer not found"}
