"""pytest fixtures for a service's tests, loaded with pytest_plugins = ["portal_shared.testing.fixtures"].

They need a session fixture `service_under_test` (a ServiceUnderTest) from the service's conftest.
A conftest fixture of the same name takes precedence over any of these.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from portal_shared.auth.signing import TokenSigner, generate_private_key
from portal_shared.contracts import Event
from portal_shared.db import make_engine, make_session_factory
from portal_shared.testing.processes import IsolatedBroker, ServiceProcesses, isolated_broker
from portal_shared.testing.servers import amqp_server_url
from portal_shared.testing.service import ServiceUnderTest, delivery_through_the_inbox, migrated_database


@pytest.fixture(scope="session")
def database_url(service_under_test: ServiceUnderTest) -> Iterator[str]:
    """One migrated PostgreSQL database for the whole run, dropped at its end."""
    with migrated_database(f"{service_under_test.extension_prefix}_test", service_under_test.migrations_dir) as url:
        yield url


@pytest.fixture(scope="session")
def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def session_factory(engine):
    return make_session_factory(engine)


@pytest.fixture(scope="session")
def signer() -> TokenSigner:
    return TokenSigner([generate_private_key()])


@pytest.fixture
def make_app(service_under_test: ServiceUnderTest, database_url, signer) -> Iterator[Callable[..., Any]]:
    """Build the service's app for tests; keyword arguments override settings. Engines are disposed afterwards."""
    built = []

    def make(**overrides: Any):
        settings = {"TESTING": True, "DATABASE_URL": database_url, "AMQP_URL": amqp_server_url(), "JWKS": signer.jwks()}
        app = service_under_test.create_app({**settings, **overrides})
        built.append(app)
        return app

    yield make
    for app in built:
        service_under_test.dispose(app)


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def bearer(signer) -> Callable[..., dict[str, str]]:
    """Authorization headers for a token with the given roles and customer."""

    def make(*roles: str, customer_id: uuid.UUID | None = None, token_type: str = "access") -> dict[str, str]:
        token = signer.issue(
            user_id=str(uuid.uuid4()),
            customer_id=str(customer_id) if customer_id else None,
            roles=list(roles),
            username="tester",
            token_type=token_type,
        )
        return {"Authorization": f"Bearer {token}"}

    return make


@pytest.fixture
def deliver(service_under_test: ServiceUnderTest, session_factory) -> Callable[[Event], bool]:
    """Apply an event the way the consumer does: inbox row and effect in one transaction."""
    return delivery_through_the_inbox(service_under_test, session_factory)


@pytest.fixture
def broker(service_under_test: ServiceUnderTest) -> Iterator[IsolatedBroker]:
    """An exchange and queue prefix of this test's own on the real RabbitMQ."""
    with isolated_broker(service_under_test.name) as broker:
        yield broker


@pytest.fixture
def processes(database_url, broker, tmp_path) -> Iterator[ServiceProcesses]:
    """Start the service's console scripts on the test database and broker; each must stop cleanly on SIGTERM."""
    running = ServiceProcesses(database_url, broker, tmp_path)
    yield running
    running.stop_all()
