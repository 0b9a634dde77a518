"""Fixtures: servicedesk-service described to portal_shared.testing.fixtures (migrated database, app, client,
bearer, deliver through the inbox, isolated broker, processes), and the events servicedesk receives."""
from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from portal_shared.contracts import Event
from portal_shared.db import transaction
from portal_shared.testing.events import customer_registered, user_created
from portal_shared.testing.service import ServiceUnderTest
from servicedesk_service.adapters.orm import CustomerAccount

pytest_plugins = ["portal_shared.testing.fixtures"]


@pytest.fixture(scope="session")
def service_under_test() -> ServiceUnderTest:
    return ServiceUnderTest.from_layout("servicedesk_service", default_port=8004)


@pytest.fixture
def registration() -> Callable[..., Event]:
    """identity.customer.registered v1 events, as identity would publish them."""
    return customer_registered


@pytest.fixture
def user_creation() -> Callable[..., Event]:
    """identity.user.created v1 events, as identity would publish them."""
    return user_created


class SettableClock:
    """A CLOCK for the app that tests move by hand (aware datetimes)."""

    def __init__(self, moment: datetime):
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment

    def set_local(self, text: str, zone: str = "America/Mexico_City") -> None:
        self.moment = datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone))


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock(datetime(2026, 3, 10, 17, 0, tzinfo=timezone.utc))


@pytest.fixture
def app(make_app, clock):
    return make_app(CLOCK=clock)


@pytest.fixture
def token_for(signer) -> Callable[..., dict[str, str]]:
    """Authorization headers for a named user (the shared `bearer` draws a random one)."""

    def make(user_id: uuid.UUID, *roles: str, customer_id: uuid.UUID | None = None) -> dict[str, str]:
        token = signer.issue(user_id=str(user_id), customer_id=str(customer_id) if customer_id else None,
                             roles=list(roles), username="tester")
        return {"Authorization": f"Bearer {token}"}

    return make


@pytest.fixture
def customer(deliver) -> uuid.UUID:
    """A customer registered through identity's event."""
    event = customer_registered()
    deliver(event)
    return event.data["customer_id"]


@pytest.fixture
def account_of(session_factory) -> Callable[[uuid.UUID], str]:
    """A customer's first account number, as identity's event registered it."""

    def first(customer_id: uuid.UUID) -> str:
        with transaction(session_factory) as session:
            number = session.scalar(sa.select(CustomerAccount.account_number)
                                    .where(CustomerAccount.customer_id == uuid.UUID(str(customer_id)))
                                    .order_by(CustomerAccount.account_number).limit(1))
        assert number is not None, f"customer {customer_id} has no account in servicedesk's directory"
        return number

    return first


@pytest.fixture
def make_device(client, bearer, account_of) -> Callable[..., dict]:
    """Register a device through the API as an operator, under the customer's first account
    unless named; returns its JSON."""

    def make(customer_id: uuid.UUID, **fields) -> dict:
        body = {
            "serial_number": f"SN-{uuid.uuid4().hex[:12].upper()}",
            "model": "imageRUNNER ADVANCE DX C5840i",
            "customer_id": str(customer_id),
            "account_number": fields.pop("account_number", None) or account_of(customer_id),
            "install_address": "Blvd. Manuel Ávila Camacho 138, CDMX",
            "location": "Piso 3, junto a recepción",
            "response_hours": 4,
            "counters": ["total", "black", "colour"],
            **fields,
        }
        response = client.post("/api/v1/devices", json=body, headers=bearer("operator"))
        assert response.status_code == 201, response.json
        return response.json

    return make


@pytest.fixture
def device_admin(deliver, customer) -> uuid.UUID:
    """A device admin of `customer`, in the directory."""
    event = user_created(customer_id=customer, roles=["device_admin"])
    deliver(event)
    return event.data["user_id"]
