"""Fixtures: a migrated PostgreSQL database per run, the app, and delivery through the inbox."""
from __future__ import annotations

import json
import random
import string
import uuid
from collections.abc import Callable

import pytest

from portal_shared.auth.signing import TokenSigner, generate_private_key
from portal_shared.contracts import Event, new_event, parse_event
from portal_shared.db import make_engine, make_session_factory, transaction
from portal_shared.db.migrate import upgrade_head
from portal_shared.inbox import record_once
from portal_shared.testing import amqp_server_url, temporary_database
from servicedesk_service import create_app
from servicedesk_service.adapters.orm import INBOX
from servicedesk_service.config import SERVICE_NAME
from servicedesk_service.entrypoints.migrate import MIGRATIONS_DIR
from servicedesk_service.service_layer.subscriptions import HANDLERS


@pytest.fixture(scope="session")
def database_url():
    with temporary_database("servicedesk_test") as url:
        upgrade_head(MIGRATIONS_DIR, url)
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
def signer():
    return TokenSigner([generate_private_key()])


@pytest.fixture
def app(database_url, signer):
    app = create_app(
        {"TESTING": True, "DATABASE_URL": database_url, "AMQP_URL": amqp_server_url(), "JWKS": signer.jwks()}
    )
    yield app
    app.extensions["servicedesk.engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


def random_rfc() -> str:
    letters = "".join(random.choices(string.ascii_uppercase, k=3))
    return f"{letters}{random.randint(0, 999999):06d}{''.join(random.choices(string.ascii_uppercase + string.digits, k=3))}"


@pytest.fixture
def registration() -> Callable[..., Event]:
    """An identity.customer.registered v1 event, as identity would publish it."""

    def make(*, customer_id: uuid.UUID | None = None, name: str = "Comercializadora Ejemplo SA de CV") -> Event:
        return new_event(
            "identity.customer.registered",
            1,
            {
                "customer_id": customer_id or uuid.uuid4(),
                "rfc": random_rfc(),
                "name": name,
                "system_account_number": f"SYS-{random.randint(0, 10**8):08d}",
                "account_numbers": [uuid.uuid4().hex[:12]],
            },
            producer="identity-service",
            correlation_id=uuid.uuid4().hex,
        )

    return make


@pytest.fixture
def user_creation() -> Callable[..., Event]:
    """An identity.user.created v1 event, as identity would publish it."""

    def make(
        *,
        user_id: uuid.UUID | None = None,
        customer_id: uuid.UUID | None = None,
        roles: list[str] | None = None,
        email: str | None = "persona@example.com",
        username: str | None = None,
    ) -> Event:
        return new_event(
            "identity.user.created",
            1,
            {
                "user_id": user_id or uuid.uuid4(),
                "customer_id": customer_id,
                "username": username or f"user-{uuid.uuid4().hex[:8]}",
                "email": email,
                "roles": ["device_admin"] if roles is None else roles,
            },
            producer="identity-service",
            correlation_id=uuid.uuid4().hex,
        )

    return make


@pytest.fixture
def deliver(session_factory) -> Callable[[Event], bool]:
    """Apply an event the way the consumer does: inbox row and effect in one transaction.

    The event first makes the round trip through JSON, so handlers see what the wire carries.
    Returns False when the inbox already held the event (nothing applied).
    """

    def apply(event: Event) -> bool:
        event = parse_event(json.loads(json.dumps(event.to_message())))
        handler = HANDLERS[(event.type, event.version)]
        with transaction(session_factory) as session:
            if not record_once(session, INBOX, event_id=str(event.id), consumer=SERVICE_NAME, event_type=event.type):
                return False
            handler(session, event)
            return True

    return apply
