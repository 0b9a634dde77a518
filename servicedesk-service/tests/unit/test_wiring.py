"""Configuration defaults, the wiring of the console scripts and gunicorn, and the use cases' context (no servers
needed)."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy.orm import sessionmaker

from portal_shared.contracts import SCHEMAS
from portal_shared.testing.checks import WiringChecks
from servicedesk_service.adapters.orm import OUTBOX
from servicedesk_service.config import Config
from servicedesk_service.service_layer.subscriptions import HANDLERS
from servicedesk_service.service_layer.wiring import build_context


class TestWiring(WiringChecks):
    """portal_shared's checks, on servicedesk-service's Config, console scripts and gunicorn_conf."""


def test_every_subscription_has_a_published_schema():
    assert set(HANDLERS) == {
        ("identity.access.revoked", 1), ("identity.customer.registered", 1), ("identity.user.created", 1),
        ("identity.user.roles_changed", 1),
    }
    assert set(HANDLERS) <= set(SCHEMAS)


def test_the_context_is_built_from_the_settings():
    def clock():
        return datetime(2026, 3, 10, 17, 0, tzinfo=timezone.utc)

    settings = {**Config().as_dict(), "CLOCK": clock, "PEER_TIMEOUT_SECONDS": 0.5, "LOW_TONER_PERCENT": 20,
                "CUSTOMER_TIME_ZONE": "America/Tijuana", "IDENTITY_URL": "http://identity.test"}
    session_factory = sessionmaker()

    context = build_context(settings, session_factory)

    assert context.session_factory is session_factory and context.clock is clock
    assert context.outbox.table is OUTBOX
    assert (context.peer_timeout_seconds, context.low_toner_percent) == (0.5, 20)
    assert context.customer_time_zone == "America/Tijuana"
    assert context.peers.identity.base_url == "http://identity.test"
    assert context.calendar.due_at(clock(), 1) == clock().replace(hour=18)  # 11:00 in Mexico City, plus one hour
    context.peer_calls.shutdown()


def test_a_calendar_setting_that_does_not_parse_stops_the_context():
    with pytest.raises(RuntimeError, match="SERVICE_HOURS"):
        build_context({**Config().as_dict(), "SERVICE_HOURS": "whenever"}, sessionmaker())
