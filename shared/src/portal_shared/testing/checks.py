"""Checks every service passes, as test classes a service's test module subclasses:

    class TestHealth(HealthChecks):
        pass

pytest collects the inherited test methods there, with the fixtures of portal_shared.testing.fixtures
and the service's `service_under_test`. The names here do not start with "Test", so they are not
collected where they are defined.
"""
from __future__ import annotations

import importlib
from importlib.metadata import entry_points, version
from pathlib import Path

import sqlalchemy as sa
from alembic import command

from portal_shared import messaging
from portal_shared.db import make_engine
from portal_shared.db.migrate import alembic_config, upgrade_head
from portal_shared.service import entrypoints
from portal_shared.testing.servers import temporary_database
from portal_shared.testing.service import ServiceUnderTest, schema_differences

# Port 1 on loopback: nothing listens there, so a connect is refused at once.
UNREACHABLE_AMQP_URL = "amqp://guest:guest@127.0.0.1:1/%2F"
UNREACHABLE_DATABASE_URL = "postgresql://nobody@127.0.0.1:1/none"


class HealthChecks:
    """/healthz answers while the process lives; /readyz only while database and broker are reachable."""

    def test_healthz_names_the_installed_version(self, client, service_under_test: ServiceUnderTest):
        response = client.get("/healthz")
        assert response.status_code == 200
        assert response.json == {"status": "ok", "version": version(service_under_test.name)}

    def test_readyz_with_database_and_broker(self, client):
        response = client.get("/readyz")
        assert response.status_code == 200
        assert response.json["checks"] == {"database": "ok", "broker": "ok"}

    def test_readyz_reports_an_unreachable_broker(self, make_app):
        response = make_app(AMQP_URL=UNREACHABLE_AMQP_URL).test_client().get("/readyz")
        assert response.status_code == 503
        assert response.json["checks"]["database"] == "ok"
        assert response.json["checks"]["broker"].startswith("unavailable")

    def test_readyz_reports_an_unreachable_database(self, make_app):
        app = make_app(DATABASE_URL=UNREACHABLE_DATABASE_URL, AMQP_URL=UNREACHABLE_AMQP_URL)
        response = app.test_client().get("/readyz")
        assert response.status_code == 503
        assert response.json["checks"]["database"].startswith("unavailable")

    def test_openapi_document_is_served(self, client, service_under_test: ServiceUnderTest):
        response = client.get("/openapi.json")
        assert response.status_code == 200
        assert response.json["info"] == {"title": service_under_test.name, "version": "v1"}
        assert response.json["openapi"] == "3.0.3"
        assert response.json["components"]["securitySchemes"]["bearerAuth"] == {
            "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
        }

    def test_unknown_route_is_a_problem(self, client):
        response = client.get("/api/v1/nothing")
        assert response.status_code == 404
        assert response.headers["Content-Type"] == "application/problem+json"

    def test_correlation_id_is_echoed(self, client):
        response = client.get("/healthz", headers={"X-Correlation-ID": "abc-123"})
        assert response.headers["X-Correlation-ID"] == "abc-123"


class MigrationChecks:
    """The migrations build exactly the schema the models describe, on PostgreSQL and on SQLite."""

    def test_postgresql_schema_matches_models_and_downgrades(self, database_url, service_under_test: ServiceUnderTest):
        assert schema_differences(database_url, service_under_test.metadata) == []
        with temporary_database(f"{service_under_test.extension_prefix}_down") as url:
            upgrade_head(service_under_test.migrations_dir, url)
            command.downgrade(alembic_config(service_under_test.migrations_dir, url), "base")
            engine = make_engine(url)
            try:
                assert set(sa.inspect(engine).get_table_names()) == {"alembic_version"}
            finally:
                engine.dispose()

    def test_sqlite_default_database_migrates(self, tmp_path, service_under_test: ServiceUnderTest):
        url = f"sqlite:///{tmp_path / service_under_test.config_class.DATABASE_FILE}"
        upgrade_head(service_under_test.migrations_dir, url)
        assert schema_differences(url, service_under_test.metadata) == []


class ConfigChecks:
    """The service's Config: its SQLite default under VAR_DIR, environment overrides, the body limit."""

    def test_default_database_is_an_absolute_sqlite_file_under_var_dir(
        self, monkeypatch, tmp_path, service_under_test: ServiceUnderTest
    ):
        config_class = service_under_test.config_class
        monkeypatch.delenv("DATABASE_URL", raising=False)
        monkeypatch.setenv("VAR_DIR", str(tmp_path / "state"))
        assert config_class().DATABASE_URL == f"sqlite:///{tmp_path / 'state' / config_class.DATABASE_FILE}"

        monkeypatch.delenv("VAR_DIR")
        monkeypatch.chdir(tmp_path)
        expected = Path(tmp_path).resolve() / "var" / config_class.DATABASE_FILE
        assert config_class().DATABASE_URL == f"sqlite:///{expected}"

    def test_environment_overrides_and_body_limit(self, monkeypatch, service_under_test: ServiceUnderTest):
        database_url = f"postgresql://portal:portal@postgres:5432/{service_under_test.short_name}"
        monkeypatch.setenv("DATABASE_URL", database_url)
        monkeypatch.setenv("JWKS_URL", "http://identity:8001/.well-known/jwks.json")
        config = service_under_test.config_class()
        assert config.DATABASE_URL == database_url
        assert config.JWKS_URL == "http://identity:8001/.well-known/jwks.json"
        assert config.MAX_CONTENT_LENGTH == 1024 * 1024



class ConsoleScriptChecks:
    """<name>-migrate, -relay and -consumer resolve; relay and consumer run on the service's tables.

    No servers needed: messaging's run_relay / run_consumer are replaced by recorders."""

    def test_console_scripts_resolve(self, service_under_test: ServiceUnderTest):
        prefix = f"{service_under_test.short_name}-"
        scripts = {ep.name: ep for ep in entry_points(group="console_scripts") if ep.name.startswith(prefix)}
        assert {f"{prefix}migrate", f"{prefix}relay", f"{prefix}consumer"} <= set(scripts)
        for script in scripts.values():
            assert callable(script.load())

    def test_consumer_runs_the_subscriptions_with_the_inbox(
        self, monkeypatch, tmp_path, service_under_test: ServiceUnderTest
    ):
        kwargs = run_console_script(monkeypatch, tmp_path, service_under_test, "consumer", runs="run_consumer")
        assert kwargs["service"] == service_under_test.name
        assert kwargs["inbox_table"] is service_under_test.inbox_table
        assert kwargs["handlers"] == service_under_test.handlers
        with kwargs["session_factory"]() as session:
            assert session.scalar(sa.text("SELECT 1")) == 1

    def test_relay_drains_the_outbox_table(self, monkeypatch, tmp_path, service_under_test: ServiceUnderTest):
        kwargs = run_console_script(monkeypatch, tmp_path, service_under_test, "relay", runs="run_relay")
        assert kwargs["service"] == service_under_test.name
        assert kwargs["outbox_table"] is service_under_test.outbox_table
        assert str(kwargs["engine"].url).endswith(service_under_test.config_class.DATABASE_FILE)


class GunicornChecks:
    """The service's gunicorn_conf module: its port, and HOST, PORT and WEB_CONCURRENCY from the environment."""

    def test_gunicorn_settings(self, monkeypatch, service_under_test: ServiceUnderTest):
        conf = importlib.import_module(service_under_test.gunicorn_conf)
        for name in ("PORT", "HOST", "WEB_CONCURRENCY"):
            monkeypatch.delenv(name, raising=False)
        assert importlib.reload(conf).bind == f"127.0.0.1:{service_under_test.default_port}"

        monkeypatch.setenv("PORT", "9102")
        monkeypatch.setenv("HOST", "0.0.0.0")
        monkeypatch.setenv("WEB_CONCURRENCY", "3")
        conf = importlib.reload(conf)
        assert conf.bind == "0.0.0.0:9102"
        assert (conf.workers, conf.worker_class, conf.threads, conf.keepalive) == (3, "gthread", 8, 30)


class WiringChecks(ConfigChecks, ConsoleScriptChecks, GunicornChecks):
    """Configuration defaults, gunicorn settings and the wiring of the console scripts (no servers needed)."""


def run_console_script(monkeypatch, tmp_path: Path, service: ServiceUnderTest, script: str, *, runs: str) -> dict:
    """Call the console script <short name>-<script> on a SQLite file in tmp_path, with
    portal_shared.messaging's `runs` (run_relay or run_consumer) replaced by a recorder;
    returns the keyword arguments it was called with."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / service.config_class.DATABASE_FILE}")
    calls = []
    monkeypatch.setattr(messaging, runs, lambda **kwargs: calls.append(kwargs))
    monkeypatch.setattr(entrypoints, "configure_logging", lambda *a, **k: None)
    (entry_point,) = entry_points(group="console_scripts", name=f"{service.short_name}-{script}")
    entry_point.load()()
    (kwargs,) = calls
    return kwargs
