"""Configuration defaults and the wiring of the console scripts and gunicorn (no servers needed)."""
from __future__ import annotations

from billing_service.service_layer.subscriptions import HANDLERS
from portal_shared.contracts import SCHEMAS
from portal_shared.testing.checks import WiringChecks


class TestWiring(WiringChecks):
    """portal_shared's checks, on billing-service's Config, console scripts and gunicorn_conf."""


def test_statements_console_script_resolves():
    from importlib.metadata import entry_points

    (script,) = entry_points(group="console_scripts", name="billing-statements")
    assert callable(script.load())


def test_credit_block_days_from_the_environment(monkeypatch):
    from billing_service.config import Config

    monkeypatch.delenv("CREDIT_BLOCK_DAYS", raising=False)
    assert Config().CREDIT_BLOCK_DAYS == 60
    monkeypatch.setenv("CREDIT_BLOCK_DAYS", "90")
    assert Config().CREDIT_BLOCK_DAYS == 90


def test_every_subscription_has_a_published_schema():
    assert set(HANDLERS) == {
        ("identity.access.revoked", 1),
        ("identity.customer.registered", 1),
        ("payment.initiated", 1),
        ("payment.confirmed", 1),
        ("payment.failed", 1),
        ("servicedesk.meter_reading.accepted", 1),
    }
    assert set(HANDLERS) <= set(SCHEMAS)
