"""Settings refuse long-lived access tokens; every console script resolves to a callable; gunicorn settings."""
from __future__ import annotations

import importlib
from importlib.metadata import entry_points

import pytest

from portal_shared.outbox import CHANNEL_EVENTS, CHANNEL_MAIL
from portal_shared.testing.checks import GunicornChecks, run_console_script

from identity_service.adapters.orm import outbox_table
from identity_service.config import load_config


def test_access_tokens_live_at_most_15_minutes():
    assert load_config()["ACCESS_TOKEN_TTL_SECONDS"] == 600
    assert load_config({"ACCESS_TOKEN_TTL_SECONDS": 900})["ACCESS_TOKEN_TTL_SECONDS"] == 900
    with pytest.raises(RuntimeError, match="ACCESS_TOKEN_TTL_SECONDS"):
        load_config({"ACCESS_TOKEN_TTL_SECONDS": 901})


def test_defaults_live_under_var_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("JWT_PRIVATE_KEY_PATH", raising=False)
    settings = load_config()
    assert settings["DATABASE_URL"] == f"sqlite:///{tmp_path / 'identity.db'}"
    assert settings["JWT_PRIVATE_KEY_PATH"] == str(tmp_path / "identity" / "jwt-private.pem")


def test_console_scripts_resolve():
    scripts = {ep.name: ep for ep in entry_points(group="console_scripts") if ep.name.startswith("identity-")}
    assert set(scripts) == {"identity-migrate", "identity-relay", "identity-consumer", "identity-mailer",
                            "identity-seed-demo"}
    for script in scripts.values():
        assert callable(script.load())


@pytest.mark.parametrize(("script", "channel"), [("relay", CHANNEL_EVENTS), ("mailer", CHANNEL_MAIL)])
def test_relay_and_mailer_drain_their_outbox_channel(monkeypatch, tmp_path, service_under_test, script, channel):
    kwargs = run_console_script(monkeypatch, tmp_path, service_under_test, script, runs="run_relay")
    assert (kwargs["service"], kwargs["outbox_table"], kwargs["channel"]) == ("identity-service", outbox_table, channel)


class TestGunicorn(GunicornChecks):
    """portal_shared's gunicorn checks on port 8001, and identity's longer worker timeout."""

    def test_workers_get_a_minute(self, monkeypatch):
        import identity_service.gunicorn_conf as conf

        monkeypatch.delenv("GUNICORN_TIMEOUT", raising=False)
        # Password hashing is slow on purpose: a burst of sign-ins must not get workers killed.
        assert importlib.reload(conf).timeout == 60
