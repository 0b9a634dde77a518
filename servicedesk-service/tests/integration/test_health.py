"""/healthz answers while the process lives; /readyz only while database and broker are reachable."""
from portal_shared.testing.checks import HealthChecks


class TestHealth(HealthChecks):
    """portal_shared's checks of health, readiness, OpenAPI and error bodies, on servicedesk-service."""


def test_openapi_publishes_the_device_endpoints(client):
    paths = client.get("/openapi.json").json["paths"]
    assert {
        "/api/v1/devices", "/api/v1/devices/{device_id}", "/api/v1/devices/{device_id}/assignees",
        "/api/v1/devices/{device_id}/locations", "/api/v1/devices/{device_id}/meter-readings",
        "/api/v1/devices/{device_id}/counter-replacements",
    } <= set(paths)
    assert {"get", "post"} <= set(paths["/api/v1/devices/{device_id}/meter-readings"])
