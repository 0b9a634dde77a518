"""/healthz answers while the process lives; /readyz only while database and broker are reachable."""
from __future__ import annotations

from servicedesk_service import create_app


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_readyz_with_database_and_broker(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["checks"] == {"database": "ok", "broker": "ok"}


def test_readyz_reports_an_unreachable_broker(database_url, signer):
    # Port 1 on loopback: nothing listens there, so the connect is refused at once.
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "AMQP_URL": "amqp://guest:guest@127.0.0.1:1/%2F",
                      "JWKS": signer.jwks()})
    try:
        response = app.test_client().get("/readyz")
    finally:
        app.extensions["servicedesk.engine"].dispose()
    assert response.status_code == 503
    assert response.json["checks"]["database"] == "ok"
    assert response.json["checks"]["broker"].startswith("unavailable")


def test_readyz_reports_an_unreachable_database(signer):
    app = create_app({"TESTING": True, "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none",
                      "AMQP_URL": "amqp://guest:guest@127.0.0.1:1/%2F", "JWKS": signer.jwks()})
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["database"].startswith("unavailable")


def test_openapi_document_is_served(client):
    response = client.get("/openapi.json")
    assert response.status_code == 200
    assert response.json["info"] == {"title": "servicedesk-service", "version": "v1"}
    assert response.json["openapi"] == "3.0.3"
    # Devices, incidents and the rest arrive later; until then no endpoint is published unserved.
    assert response.json["paths"] == {}
