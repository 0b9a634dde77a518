"""Fixtures: billing-service described to portal_shared.testing.fixtures (migrated database, app, client,
bearer, deliver through the inbox, isolated broker, processes), and the events billing receives."""
from __future__ import annotations

from collections.abc import Callable

import pytest

from portal_shared.contracts import Event
from portal_shared.testing.events import customer_registered
from portal_shared.testing.service import ServiceUnderTest

pytest_plugins = ["portal_shared.testing.fixtures"]


@pytest.fixture(scope="session")
def service_under_test() -> ServiceUnderTest:
    return ServiceUnderTest.from_layout("billing_service", default_port=8002)


@pytest.fixture
def registration() -> Callable[..., Event]:
    """identity.customer.registered v1 events, as identity would publish them."""
    return customer_registered
