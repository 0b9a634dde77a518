"""Every event identity-service consumes, by type and version, and the handler that applies it.

The consumer entrypoint binds its queue to exactly these; a new subscription is one line here.
identity consumes only to tell people: handlers_for(notifier) hands each handler the notifier.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import partial

from sqlalchemy.orm import Session

from portal_shared.contracts import Event

from identity_service.service_layer import notifications
from identity_service.service_layer.notifications import Notifier

Handler = Callable[[Session, Event], object]

HANDLERS: dict[tuple[str, int], Callable[[Notifier, Session, Event], object]] = {
    ("billing.statement.published", 1): notifications.statement_published,
    ("servicedesk.incident.opened", 2): notifications.incident_opened,
    ("servicedesk.incident.status_changed", 1): notifications.incident_status_changed,
}


def handlers_for(notifier: Notifier) -> dict[tuple[str, int], Handler]:
    return {key: partial(handler, notifier) for key, handler in HANDLERS.items()}
