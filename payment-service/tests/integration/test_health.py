"""/healthz answers while the process lives; /readyz only while database and broker are reachable."""
from payment_service.service_layer.errors import ERRORS
from portal_shared.testing.checks import HealthChecks


class TestHealth(HealthChecks):
    """portal_shared's checks of health, readiness, OpenAPI and error bodies, on payment-service."""


def test_openapi_publishes_the_payment_endpoints(client):
    paths = client.get("/openapi.json").json["paths"]
    assert set(paths) == {
        "/api/v1/payments",
        "/api/v1/payments/{payment_id}",
        "/api/v1/payments/{payment_id}/status-check",
        "/api/v1/payments/in-transit",
        "/api/v1/payments/{payment_id}/cancel",
        "/api/v1/payments/callbacks/{bank}",
    }
    methods = {"get", "post", "put", "patch", "delete"}
    assert set(paths["/api/v1/payments/{payment_id}"]) & methods == {"get"}
    assert set(paths["/api/v1/payments/{payment_id}/status-check"]) & methods == {"post"}
    assert set(paths["/api/v1/payments"]) == {"get", "post"}
    post = paths["/api/v1/payments"]["post"]
    assert {"in": "header", "name": "Idempotency-Key"}.items() <= post["parameters"][0].items()
    assert "application/json" in post["requestBody"]["content"]


def test_openapi_lists_every_code_payment_answers_with(client):
    document = client.get("/openapi.json").json
    codes = {error.code for error in ERRORS}
    assert {"payment.amount_above_pending", "request.invalid"} <= codes
    assert set(document["components"]["schemas"]["Problem"]["properties"]["code"]["enum"]) == codes
    assert document["x-error-codes"]["payment.not_confirmed_by_bank"] == {"status": 409, "title": "Not confirmed by the bank"}
