"""Writing billing's events to its outbox, in the caller's transaction.

An import of thousands of invoices announces thousands of events: they go in as one
multi-row insert rather than one statement each. The rows are exactly what
portal_shared.outbox.Outbox.add_event writes, so the same relay publishes them.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from sqlalchemy.orm import Session

from billing_service.adapters.orm import OUTBOX
from portal_shared.contracts import Event
from portal_shared.correlation import get_correlation_id
from portal_shared.db import utcnow
from portal_shared.outbox import CHANNEL_EVENTS

PublishMany = Callable[[Session, Sequence[Event]], None]


def add_events(session: Session, events: Sequence[Event]) -> None:
    if not events:
        return
    now = utcnow()
    fallback_correlation = get_correlation_id()
    session.execute(
        OUTBOX.insert(),
        [
            {
                "message_id": str(event.id),
                "channel": CHANNEL_EVENTS,
                "topic": event.routing_key,
                "payload": json.dumps(event.to_message()),
                "correlation_id": event.correlation_id or fallback_correlation,
                "created_at": now,
            }
            for event in events
        ],
    )
