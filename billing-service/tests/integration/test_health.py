"""/healthz answers while the process lives; /readyz only while database and broker are reachable."""
from portal_shared.testing.checks import HealthChecks


class TestHealth(HealthChecks):
    """portal_shared's checks of health, readiness, OpenAPI and error bodies, on billing-service."""


def test_openapi_lists_the_accounts_endpoint(client):
    assert set(client.get("/openapi.json").json["paths"]) == {"/api/v1/accounts"}
