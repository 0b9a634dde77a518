"""The audit log of staff actions: written in the transaction of the action itself, read by agents.

Written in the same transaction, an action and its audit row commit or roll back together: a
refused or failed write leaves no trace claiming it happened, and no write escapes the log.
"""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal_shared.db import transaction
from servicedesk_service.adapters.orm import AuditEntry
from servicedesk_service.domain.audit import Actor
from servicedesk_service.service_layer.context import ServicedeskContext


def record(
    session: Session, actor: Actor, action: str, *, customer_id: uuid.UUID, subject_type: str,
    subject_id: Any, at: datetime, detail: dict[str, Any] | None = None,
) -> AuditEntry | None:
    """Keep a staff member's action; a customer user's own action is not kept (None)."""
    if not actor.audited:
        return None
    entry = AuditEntry(
        at=at, actor_id=actor.user_id, actor_roles=list(actor.roles), action=action, customer_id=customer_id,
        subject_type=subject_type, subject_id=str(subject_id), detail=_plain(detail or {}),
    )
    session.add(entry)
    session.flush()
    return entry


def _plain(value: Any) -> Any:
    """JSON-ready: ids and times as strings, so the JSON column stores what the API shows."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def entries(context: ServicedeskContext, *, customer_id: uuid.UUID | None, limit: int) -> list[AuditEntry]:
    """Newest first; the integer key orders entries made in the same instant."""
    query = sa.select(AuditEntry)
    if customer_id is not None:
        query = query.where(AuditEntry.customer_id == customer_id)
    with transaction(context.session_factory) as session:
        return list(session.scalars(query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)))
