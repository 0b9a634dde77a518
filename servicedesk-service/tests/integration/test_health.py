"""/healthz answers while the process lives; /readyz only while database and broker are reachable."""
from portal_shared.testing.checks import HealthChecks


class TestHealth(HealthChecks):
    """portal_shared's checks of health, readiness, OpenAPI and error bodies, on servicedesk-service."""


def test_openapi_publishes_no_endpoint_yet(client):
    # Devices, incidents and the rest arrive later; until then no endpoint is published unserved.
    assert client.get("/openapi.json").json["paths"] == {}
