"""Configuration defaults and the wiring of the console scripts and gunicorn (no servers needed)."""
from __future__ import annotations

from portal_shared.contracts import SCHEMAS
from portal_shared.testing.checks import WiringChecks
from servicedesk_service.service_layer.subscriptions import HANDLERS


class TestWiring(WiringChecks):
    """portal_shared's checks, on servicedesk-service's Config, console scripts and gunicorn_conf."""


def test_every_subscription_has_a_published_schema():
    assert set(HANDLERS) == {
        ("identity.access.revoked", 1), ("identity.customer.registered", 1), ("identity.user.created", 1),
        ("identity.user.roles_changed", 1),
    }
    assert set(HANDLERS) <= set(SCHEMAS)
