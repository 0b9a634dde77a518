"""Fixtures: payment-service described to portal_shared.testing.fixtures (migrated database, app, client,
bearer, deliver through the inbox, isolated broker, processes), and the events payment receives."""
from __future__ import annotations

from collections.abc import Callable

import pytest

from portal_shared.contracts import Event
from portal_shared.testing.events import account_opened
from portal_shared.testing.service import ServiceUnderTest

pytest_plugins = ["portal_shared.testing.fixtures"]


@pytest.fixture(scope="session")
def service_under_test() -> ServiceUnderTest:
    return ServiceUnderTest.from_layout("payment_service", default_port=8003)


@pytest.fixture
def announcement() -> Callable[..., Event]:
    """billing.account.opened v1 events, as billing would publish them."""
    return account_opened
