"""Configuration defaults and the wiring of the console scripts and gunicorn (no servers needed)."""
from __future__ import annotations

from billing_service.service_layer.subscriptions import HANDLERS
from portal_shared.contracts import SCHEMAS
from portal_shared.testing.checks import WiringChecks


class TestWiring(WiringChecks):
    """portal_shared's checks, on billing-service's Config, console scripts and gunicorn_conf."""


def test_every_subscription_has_a_published_schema():
    assert set(HANDLERS) == {("identity.customer.registered", 1)}
    assert set(HANDLERS) <= set(SCHEMAS)
