"""The migrations build exactly the models' schema; health, readiness and OpenAPI are served."""
from __future__ import annotations

from importlib.metadata import version

from portal_shared.testing.service import schema_differences

from identity_service.adapters.orm import Base
from identity_service.service_layer.errors import ERRORS


def test_migrations_match_the_models(database_url):
    # Constraint names included: identity's migrations name every constraint as the models do.
    assert schema_differences(database_url, Base.metadata, ignore=frozenset()) == []


def test_health_and_readiness(client):
    assert client.get("/healthz").get_json() == {"status": "ok", "version": version("identity-service")}
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.get_json()
    assert ready.get_json()["checks"] == {"database": "ok", "broker": "ok"}


def test_openapi_lists_the_contract(client):
    document = client.get("/openapi.json").get_json()
    paths = document["paths"]
    for path in ("/api/v1/auth/login", "/api/v1/auth/first-login", "/api/v1/auth/refresh", "/api/v1/auth/logout",
                 "/api/v1/auth/recover", "/api/v1/auth/reset", "/api/v1/auth/verify-email", "/api/v1/auth/activate",
                 "/api/v1/auth/password", "/api/v1/auth/links/check", "/api/v1/auth/verify-email/resend",
                 "/api/v1/me", "/api/v1/users", "/api/v1/users/{user_id}",
                 "/api/v1/audit-log", "/api/v1/customers", "/api/v1/customers/{customer_id}",
                 "/api/v1/customers/{customer_id}/activation-link", "/.well-known/jwks.json"):
        assert path in paths, path
    # The refusals identity may answer, for the gateway to translate: its own and the common ones.
    codes = {error.code for error in ERRORS}
    assert {"identity.invalid_credentials", "identity.locked", "identity.link_used", "identity.link_superseded",
            "identity.link_expired", "identity.email_already_verified", "request.invalid"} <= codes
    assert set(document["x-error-codes"]) == codes
    assert set(document["components"]["schemas"]["Problem"]["properties"]["code"]["enum"]) == codes


def test_correlation_id_is_echoed(client):
    response = client.get("/healthz", headers={"X-Correlation-ID": "abc-123"})
    assert response.headers["X-Correlation-ID"] == "abc-123"


def test_unknown_route_is_a_problem(client):
    response = client.get("/api/v1/nothing")
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"
