"""Settings refuse long-lived access tokens; every console script resolves to a callable."""
from __future__ import annotations

from importlib.metadata import entry_points

import pytest

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
    assert set(scripts) == {"identity-migrate", "identity-relay", "identity-mailer", "identity-seed-demo"}
    for script in scripts.values():
        assert callable(script.load())
