"""Valid sample events of the published contracts, as their producers would send them.

Consumers' tests build their input with these; every value is fresh (random ids, RFCs and
account numbers) unless named, because a test run shares one database across its tests.
"""
from __future__ import annotations

import random
import string
import uuid

from portal_shared.contracts import Event, new_event

SAMPLE_COMPANY = "Comercializadora Ejemplo SA de CV"


def random_rfc() -> str:
    """A company RFC's shape: three letters, six digits, three letters or digits."""
    letters = "".join(random.choices(string.ascii_uppercase, k=3))
    check = "".join(random.choices(string.ascii_uppercase + string.digits, k=3))
    return f"{letters}{random.randint(0, 999999):06d}{check}"


def random_account_number() -> str:
    # Account numbers are unique across customers; tests share one database, so they never repeat.
    return uuid.uuid4().hex[:12]


def customer_registered(
    *, customer_id: uuid.UUID | None = None, name: str = SAMPLE_COMPANY, account_numbers: list[str] | None = None
) -> Event:
    """identity.customer.registered v1 (two fresh account numbers unless named)."""
    return new_event(
        "identity.customer.registered",
        1,
        {
            "customer_id": customer_id or uuid.uuid4(),
            "rfc": random_rfc(),
            "name": name,
            "system_account_number": f"SYS-{random.randint(0, 10**8):08d}",
            "account_numbers": account_numbers or [random_account_number(), random_account_number()],
        },
        producer="identity-service",
        correlation_id=uuid.uuid4().hex,
    )


def user_created(
    *,
    user_id: uuid.UUID | None = None,
    customer_id: uuid.UUID | None = None,
    roles: list[str] | None = None,
    email: str | None = "persona@example.com",
    username: str | None = None,
) -> Event:
    """identity.user.created v1 (a device_admin unless roles are named; staff when customer_id is None)."""
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


def account_opened(
    *, account_id: uuid.UUID | None = None, customer_id: uuid.UUID | None = None, account_number: str | None = None
) -> Event:
    """billing.account.opened v1."""
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
