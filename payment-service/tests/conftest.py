"""Fixtures: a migrated PostgreSQL database per run, the app, and delivery through the inbox."""
from __future__ import annotations

import json
import uuid
from collections.abc import Callable

import pytest

from payment_service import create_app
from payment_service.adapters.orm import INBOX
from payment_service.config import SERVICE_NAME
from payment_service.entrypoints.migrate import MIGRATIONS_DIR
from payment_service.service_layer.subscriptions import HANDLERS
from portal_shared.auth.signing import TokenSigner, generate_private_key
from portal_shared.contracts import Event, new_event, parse_event
from portal_shared.db import make_engine, make_session_factory, transaction
from portal_shared.db.migrate import upgrade_head
from portal_shared.inbox import record_once
from portal_shared.testing import amqp_server_url, temporary_database


@pytest.fixture(scope="session")
def database_url():
    with temporary_database("payment_test") as url:
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
    app.extensions["payment.engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


def random_account_number() -> str:
    # Account numbers are unique across customers; tests share one database, so they never repeat.
    return uuid.uuid4().hex[:12]


@pytest.fixture
def announcement() -> Callable[..., Event]:
    """A billing.account.opened v1 event, as billing would publish it."""

    def make(
        *, account_id: uuid.UUID | None = None, customer_id: uuid.UUID | None = None, account_number: str | None = None
    ) -> Event:
        return new_event(
            "billing.account.opened",
            1,
            {
                "account_id": account_id or uuid.uuid4(),
                "customer_id": customer_id or uuid.uuid4(),
                "account_number": account_number or random_account_number(),
            },
            producer="billing-service",
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
