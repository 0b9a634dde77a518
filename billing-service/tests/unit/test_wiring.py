"""Configuration defaults and the wiring of the console scripts and gunicorn (no servers needed)."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from billing_service.config import Config
from billing_service.service_layer.context import build_context
from billing_service.service_layer.subscriptions import handlers_for
from portal_shared.contracts import SCHEMAS
from portal_shared.testing.checks import WiringChecks, run_console_script

SUBSCRIBED = {
    ("identity.access.revoked", 1),
    ("identity.customer.registered", 1),
    ("payment.initiated", 1),
    ("payment.confirmed", 1),
    ("payment.failed", 1),
    ("servicedesk.meter_reading.accepted", 1),
    ("servicedesk.meter_reading.accepted", 2),
}


class TestWiring(WiringChecks):
    """portal_shared's checks, on billing-service's Config, console scripts and gunicorn_conf."""

    def test_consumer_runs_the_subscriptions_with_the_inbox(self, monkeypatch, tmp_path, service_under_test):
        """Billing's handlers are bound to the consumer's own context: the one its inbox is read with."""
        kwargs = run_console_script(monkeypatch, tmp_path, service_under_test, "consumer", runs="run_consumer")
        assert kwargs["service"] == service_under_test.name
        assert kwargs["inbox_table"] is service_under_test.inbox_table
        assert set(kwargs["handlers"]) == SUBSCRIBED
        registered = kwargs["handlers"][("identity.customer.registered", 1)]
        assert registered.args[0].session_factory is kwargs["session_factory"]
        with kwargs["session_factory"]() as session:
            assert session.scalar(sa.text("SELECT 1")) == 1


def test_statements_console_script_resolves():
    from importlib.metadata import entry_points

    (script,) = entry_points(group="console_scripts", name="billing-statements")
    assert callable(script.load())


def test_credit_block_days_from_the_environment(monkeypatch):
    monkeypatch.delenv("CREDIT_BLOCK_DAYS", raising=False)
    assert Config().CREDIT_BLOCK_DAYS == 60
    monkeypatch.setenv("CREDIT_BLOCK_DAYS", "90")
    assert Config().CREDIT_BLOCK_DAYS == 90
    assert build_context(Config().as_dict(), sessionmaker()).credit_block_days == 90


def test_every_subscription_has_a_published_schema():
    handlers = handlers_for(build_context(Config().as_dict(), sessionmaker()))
    assert set(handlers) == SUBSCRIBED
    assert set(handlers) <= set(SCHEMAS)
