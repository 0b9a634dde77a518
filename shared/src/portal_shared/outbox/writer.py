"""Adds outgoing messages to the outbox inside the caller's transaction."""
from __future__ import annotations

import json
import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal_shared.contracts.envelope import Event
from portal_shared.correlation import get_correlation_id
from portal_shared.db.types import utcnow
from portal_shared.outbox.notify import notify_outbox
from portal_shared.outbox.table import CHANNEL_EVENTS, CHANNEL_MAIL


class Outbox:
    def __init__(self, table: sa.Table):
        self.table = table

    def add_event(self, session: Session, event: Event) -> None:
        """The event is sent if and only if the caller's transaction commits."""
        self.add_events(session, [event])

    def add_events(self, session: Session, events: Sequence[Event]) -> None:
        """Several events as one multi-row insert: an import of thousands announces thousands."""
        if not events:
            return
        now = utcnow()
        fallback_correlation = get_correlation_id()
        session.execute(
            self.table.insert(),
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
        notify_outbox(session, CHANNEL_EVENTS)

    def add_mail(self, session: Session, *, to: str, subject: str, text: str, html: str | None = None) -> str:
        return self.add_message(session, CHANNEL_MAIL, to, {"to": to, "subject": subject, "text": text, "html": html})

    def add_message(self, session: Session, channel: str, topic: str, payload: dict) -> str:
        """One row for `channel`'s relay (mail, or a channel of the service's own, e.g. billing's
        "stamp"), sent if and only if the caller's transaction commits."""
        message_id = str(uuid.uuid4())
        session.execute(
            self.table.insert().values(
                message_id=message_id,
                channel=channel,
                topic=topic,
                payload=json.dumps(payload),
                correlation_id=get_correlation_id(),
                created_at=utcnow(),
            )
        )
        notify_outbox(session, channel)
        return message_id
