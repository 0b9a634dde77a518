"""The integration events identity publishes, added to the outbox in the caller's transaction."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy.orm import Session

from portal_shared.auth import Revocation
from portal_shared.contracts import new_event
from portal_shared.correlation import get_correlation_id

from identity_service.adapters.orm import Customer, User
from identity_service.config import SERVICE_NAME
from identity_service.service_layer.context import Context


def _publish(db: Session, ctx: Context, event_type: str, data: dict) -> None:
    event = new_event(event_type, 1, data, producer=SERVICE_NAME, correlation_id=get_correlation_id())
    ctx.outbox.add_event(db, event)


def customer_registered(db: Session, ctx: Context, customer: Customer, account_numbers: list[str]) -> None:
    _publish(
        db,
        ctx,
        "identity.customer.registered",
        {
            "customer_id": customer.id,
            "rfc": customer.rfc,
            "name": customer.name,
            "system_account_number": customer.system_account_number,
            "account_numbers": account_numbers,
        },
    )


def user_created(db: Session, ctx: Context, user: User, roles: list[str]) -> None:
    _publish(
        db,
        ctx,
        "identity.user.created",
        {
            "user_id": user.id,
            "customer_id": user.customer_id,
            "username": user.username,
            "email": user.email,
            "roles": sorted(roles),
        },
    )


def user_roles_changed(db: Session, ctx: Context, user: User, roles: list[str]) -> None:
    _publish(
        db,
        ctx,
        "identity.user.roles_changed",
        {"user_id": user.id, "customer_id": user.customer_id, "roles": sorted(roles)},
    )


def access_revoked(db: Session, ctx: Context, revocation: Revocation, *, reason: str) -> None:
    _publish(
        db,
        ctx,
        "identity.access.revoked",
        {
            "user_id": revocation.user_id,
            "customer_id": revocation.customer_id,
            "session_id": revocation.session_id,
            "issued_before": datetime.fromtimestamp(revocation.issued_before, tz=timezone.utc),
            "expires_at": datetime.fromtimestamp(revocation.expires_at, tz=timezone.utc),
            "reason": reason,
        },
    )
