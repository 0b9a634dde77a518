"""identity.customer.registered, identity.user.created and identity.user.roles_changed (v1) → the directory, once."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from portal_shared.contracts import new_event
from portal_shared.db import transaction
from servicedesk_service.adapters.orm import INBOX, Customer, User, UserRole
from servicedesk_service.service_layer.handlers import UnknownUser


def inbox_rows(session_factory, event) -> int:
    with transaction(session_factory) as session:
        return session.scalar(sa.select(sa.func.count()).select_from(INBOX).where(INBOX.c.event_id == str(event.id)))


def customer_row(session_factory, customer_id):
    with transaction(session_factory) as session:
        customer = session.get(Customer, customer_id)
        return None if customer is None else (customer.rfc, customer.name, customer.system_account_number)


def user_row(session_factory, user_id):
    with transaction(session_factory) as session:
        user = session.get(User, user_id)
        return None if user is None else (user.customer_id, user.username, user.email, user.roles)


def role_count(session_factory, user_id) -> int:
    with transaction(session_factory) as session:
        return session.scalar(sa.select(sa.func.count()).select_from(UserRole).where(UserRole.user_id == user_id))


def test_registration_adds_the_customer(registration, deliver, session_factory):
    event = registration()

    assert deliver(event) is True

    data = event.data
    assert customer_row(session_factory, data["customer_id"]) == (data["rfc"], data["name"], data["system_account_number"])
    assert inbox_rows(session_factory, event) == 1


def test_registration_redelivered_changes_nothing(registration, deliver, session_factory):
    event = registration()
    deliver(event)
    before = customer_row(session_factory, event.data["customer_id"])

    assert deliver(event) is False

    assert customer_row(session_factory, event.data["customer_id"]) == before
    assert inbox_rows(session_factory, event) == 1


def test_registration_repeated_under_a_new_event_id_keeps_the_first(registration, deliver, session_factory):
    first = registration()
    deliver(first)
    again = registration(customer_id=first.data["customer_id"], name="Otro Nombre SA")

    assert deliver(again) is True

    assert customer_row(session_factory, first.data["customer_id"])[1] == first.data["name"]


def test_user_created_adds_user_with_roles(registration, user_creation, deliver, session_factory):
    customer = registration()
    deliver(customer)
    event = user_creation(customer_id=customer.data["customer_id"], roles=["stock_admin", "admin", "admin"])

    assert deliver(event) is True

    assert user_row(session_factory, event.data["user_id"]) == (
        customer.data["customer_id"], event.data["username"], "persona@example.com", ["admin", "stock_admin"],
    )


def test_user_may_arrive_before_its_customer(user_creation, registration, deliver, session_factory):
    customer_id = uuid.uuid4()
    user = user_creation(customer_id=customer_id)

    assert deliver(user) is True
    assert deliver(registration(customer_id=customer_id)) is True

    assert user_row(session_factory, user.data["user_id"])[0] == customer_id
    assert customer_row(session_factory, customer_id) is not None


def test_staff_user_without_customer_or_email(user_creation, deliver, session_factory):
    event = user_creation(customer_id=None, roles=["agent"], email=None)

    assert deliver(event) is True

    assert user_row(session_factory, event.data["user_id"]) == (None, event.data["username"], None, ["agent"])


def test_user_created_redelivered_changes_nothing(user_creation, deliver, session_factory):
    event = user_creation(customer_id=uuid.uuid4(), roles=["billing", "knowledge_user"])
    deliver(event)

    assert deliver(event) is False
    assert deliver(user_creation(user_id=event.data["user_id"], roles=["admin"])) is True

    assert user_row(session_factory, event.data["user_id"])[3] == ["billing", "knowledge_user"]
    assert role_count(session_factory, event.data["user_id"]) == 2
    assert inbox_rows(session_factory, event) == 1


def roles_change(user_id, roles, occurred_at):
    return new_event("identity.user.roles_changed", 1, {"user_id": user_id, "customer_id": None, "roles": roles},
                     producer="identity-service", occurred_at=occurred_at)


def test_roles_change_replaces_roles_and_a_late_older_change_is_ignored(user_creation, deliver, session_factory):
    created = user_creation(customer_id=uuid.uuid4(), roles=["billing"])
    deliver(created)
    later = created.occurred_at + timedelta(minutes=2)
    earlier = created.occurred_at + timedelta(minutes=1)

    assert deliver(roles_change(created.data["user_id"], ["admin", "device_admin"], later)) is True
    assert deliver(roles_change(created.data["user_id"], ["knowledge_user"], earlier)) is True

    assert user_row(session_factory, created.data["user_id"])[3] == ["admin", "device_admin"]


def test_roles_change_before_the_user_exists_fails_so_it_is_retried(deliver, session_factory):
    event = roles_change(uuid.uuid4(), ["admin"], datetime.now(timezone.utc))
    with pytest.raises(UnknownUser):
        deliver(event)
    # The failed attempt rolled back with its inbox row, so the retry will be applied.
    assert inbox_rows(session_factory, event) == 0
