"""Configuration defaults and the wiring of the relay and consumer processes (no servers needed)."""
from __future__ import annotations

import importlib
from pathlib import Path

import sqlalchemy as sa

from portal_shared.contracts import SCHEMAS
from servicedesk_service.adapters.orm import INBOX, OUTBOX
from servicedesk_service.config import Config
from servicedesk_service.entrypoints import consumer, relay
from servicedesk_service.service_layer.subscriptions import HANDLERS


def test_default_database_is_an_absolute_sqlite_file_under_var_dir(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("VAR_DIR", str(tmp_path / "state"))
    assert Config().DATABASE_URL == f"sqlite:///{tmp_path / 'state' / 'servicedesk.db'}"

    monkeypatch.delenv("VAR_DIR")
    monkeypatch.chdir(tmp_path)
    assert Config().DATABASE_URL == f"sqlite:///{Path(tmp_path).resolve() / 'var' / 'servicedesk.db'}"


def test_environment_overrides_and_body_limit(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://portal:portal@postgres:5432/servicedesk")
    monkeypatch.setenv("JWKS_URL", "http://identity:8001/.well-known/jwks.json")
    config = Config()
    assert config.DATABASE_URL == "postgresql://portal:portal@postgres:5432/servicedesk"
    assert config.JWKS_URL == "http://identity:8001/.well-known/jwks.json"
    assert config.MAX_CONTENT_LENGTH == 1024 * 1024


def test_every_subscription_has_a_published_schema():
    assert set(HANDLERS) == {
        ("identity.customer.registered", 1), ("identity.user.created", 1), ("identity.user.roles_changed", 1),
    }
    assert set(HANDLERS) <= set(SCHEMAS)


def test_consumer_runs_the_subscriptions_with_the_inbox(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'servicedesk.db'}")
    calls = []
    monkeypatch.setattr(consumer.messaging, "run_consumer", lambda **kwargs: calls.append(kwargs), raising=False)
    monkeypatch.setattr(consumer, "configure_logging", lambda *a, **k: None)

    consumer.main()

    (kwargs,) = calls
    assert kwargs["service"] == "servicedesk-service"
    assert kwargs["inbox_table"] is INBOX
    assert kwargs["handlers"] == HANDLERS
    with kwargs["session_factory"]() as session:
        assert session.scalar(sa.text("SELECT 1")) == 1


def test_relay_drains_the_outbox_table(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'servicedesk.db'}")
    calls = []
    monkeypatch.setattr(relay.messaging, "run_relay", lambda **kwargs: calls.append(kwargs), raising=False)
    monkeypatch.setattr(relay, "configure_logging", lambda *a, **k: None)

    relay.main()

    (kwargs,) = calls
    assert kwargs["service"] == "servicedesk-service"
    assert kwargs["outbox_table"] is OUTBOX
    assert str(kwargs["engine"].url).endswith("servicedesk.db")


def test_gunicorn_settings(monkeypatch):
    import servicedesk_service.gunicorn_conf as conf

    for name in ("PORT", "HOST", "WEB_CONCURRENCY"):
        monkeypatch.delenv(name, raising=False)
    assert importlib.reload(conf).bind == "127.0.0.1:8004"

    monkeypatch.setenv("PORT", "9102")
    monkeypatch.setenv("HOST", "0.0.0.0")
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    conf = importlib.reload(conf)
    assert conf.bind == "0.0.0.0:9102"
    assert (conf.workers, conf.worker_class, conf.threads, conf.keepalive) == (3, "gthread", 8, 30)
