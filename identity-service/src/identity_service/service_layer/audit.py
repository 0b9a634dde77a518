"""The audit log: who changed what, written in the same transaction as the change."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from portal_shared.correlation import get_correlation_id

from identity_service.adapters.orm import AuditEntry
from identity_service.service_layer.context import Context


@dataclass(frozen=True)
class Actor:
    """Who acts: a signed-in user, or a command-line tool (no user id)."""

    user_id: str | None
    username: str
    customer_id: str | None
    roles: frozenset[str]

    def has_any(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


def system_actor(name: str) -> Actor:
    return Actor(user_id=None, username=name, customer_id=None, roles=frozenset())


def record(
    db: Session,
    ctx: Context,
    actor: Actor,
    *,
    action: str,
    target_type: str,
    target_id: str,
    customer_id: str | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    db.add(
        AuditEntry(
            occurred_at=ctx.clock(),
            actor_user_id=actor.user_id,
            actor_username=actor.username,
            customer_id=customer_id,
            action=action,
            target_type=target_type,
            target_id=target_id,
            before=before,
            after=after,
            correlation_id=get_correlation_id(),
        )
    )
