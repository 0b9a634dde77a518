"""The service skeleton: ServiceConfig, build_service_app, gunicorn_settings (no servers needed)."""
from __future__ import annotations

from importlib.metadata import version

import pytest
from flask import request

from portal_shared.auth import JwksKeySource, StaticKeySource, TokenVerifier
from portal_shared.auth.signing import TokenSigner, generate_private_key
from portal_shared.service.app import build_service_app, token_verifier_from
from portal_shared.service.config import ServiceConfig
from portal_shared.service.gunicorn import gunicorn_settings


class SampleConfig(ServiceConfig):
    SERVICE_NAME = "sample-service"
    DATABASE_FILE = "sample.db"


@pytest.fixture
def settings(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'sample.db'}")
    # Port 1 on loopback: nothing listens there, so the broker check fails at once.
    monkeypatch.setenv("AMQP_URL", "amqp://guest:guest@127.0.0.1:1/%2F")
    return {"TESTING": True, "JWKS": TokenSigner([generate_private_key()]).jwks()}


def test_config_defaults_name_the_service_and_its_sqlite_file(monkeypatch, tmp_path):
    for name in ("DATABASE_URL", "AMQP_URL", "JWKS_URL", "LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    config = SampleConfig().as_dict()
    assert config["DATABASE_URL"] == f"sqlite:///{tmp_path.resolve() / 'sample.db'}"
    assert config["AMQP_URL"] == "amqp://guest:guest@127.0.0.1:5672/%2F"
    assert config["JWKS_URL"] == "http://127.0.0.1:8001/.well-known/jwks.json"
    assert (config["LOG_LEVEL"], config["MAX_CONTENT_LENGTH"]) == ("INFO", 1024 * 1024)
    assert (config["API_TITLE"], config["API_VERSION"], config["OPENAPI_VERSION"]) == ("sample-service", "v1", "3.0.3")


def test_an_empty_database_url_means_the_default(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "")
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    assert SampleConfig().DATABASE_URL == f"sqlite:///{tmp_path.resolve() / 'sample.db'}"


def test_app_skeleton_serves_health_openapi_and_problems(settings):
    # sample-service is not an installed distribution: its version is given.
    service = build_service_app(__name__, SampleConfig, {**settings, "VERSION": "1.2.3"}, extension_prefix="sample")
    # A view that reads its body: the 1 MiB limit applies when the body is read.
    service.app.add_url_rule("/echo", "echo", lambda: {"got": len(request.get_data())}, methods=["POST"])
    try:
        client = service.app.test_client()
        assert client.get("/healthz").json == {"status": "ok", "version": "1.2.3"}
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json["checks"]["database"] == "ok"
        assert ready.json["checks"]["broker"].startswith("unavailable")
        document = client.get("/openapi.json").json
        assert document["info"] == {"title": "sample-service", "version": "v1"}
        assert "bearerAuth" in document["components"]["securitySchemes"]
        missing = client.get("/nowhere")
        assert (missing.status_code, missing.content_type) == (404, "application/problem+json")
        too_big = client.post("/echo", data=b"x" * (2 * 1024 * 1024), content_type="application/json")
        assert (too_big.status_code, too_big.content_type) == (413, "application/problem+json")
        assert service.app.extensions["sample.engine"] is service.engine
        assert service.app.extensions["sample.session_factory"] is service.session_factory
    finally:
        service.engine.dispose()


def test_healthz_version_is_the_installed_distributions(settings):
    class InstalledConfig(SampleConfig):
        SERVICE_NAME = "portal-shared"  # any installed distribution stands for a service here

    service = build_service_app(__name__, InstalledConfig, settings, extension_prefix="installed")
    try:
        assert service.app.test_client().get("/healthz").json["version"] == version("portal-shared")
    finally:
        service.engine.dispose()
    with pytest.raises(LookupError, match="sample-service is not installed"):
        build_service_app(__name__, SampleConfig, settings, extension_prefix="sample")


def test_token_verifier_precedence(settings):
    given = TokenVerifier.__new__(TokenVerifier)
    assert token_verifier_from({**settings, "TOKEN_VERIFIER": given}) is given
    from_jwks = token_verifier_from(settings)
    assert isinstance(from_jwks, TokenVerifier)
    assert isinstance(from_jwks._keys, StaticKeySource)  # the given key set, not a fetch
    from_url = token_verifier_from({"JWKS_URL": "http://127.0.0.1:1/jwks.json"})
    assert isinstance(from_url, TokenVerifier)
    assert isinstance(from_url._keys, JwksKeySource)


def test_gunicorn_settings_from_the_environment(monkeypatch):
    for name in ("HOST", "PORT", "WEB_CONCURRENCY", "GUNICORN_TIMEOUT", "LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    settings = gunicorn_settings(default_port=8100, default_timeout=60)
    assert settings["bind"] == "127.0.0.1:8100"
    assert (settings["workers"], settings["worker_class"], settings["threads"], settings["keepalive"]) == (
        2, "gthread", 8, 30,
    )
    assert (settings["timeout"], settings["loglevel"], settings["control_socket_disable"]) == (60, "info", True)

    monkeypatch.setenv("HOST", "0.0.0.0")
    monkeypatch.setenv("PORT", "9100")
    monkeypatch.setenv("GUNICORN_TIMEOUT", "90")
    settings = gunicorn_settings(default_port=8100)
    assert (settings["bind"], settings["timeout"]) == ("0.0.0.0:9100", 90)
