"""Writing billing's events to its outbox, in the caller's transaction.

An import of thousands of invoices announces thousands of events: they go in as one
multi-row insert rather than one statement each.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy.orm import Session

from billing_service.adapters.orm import OUTBOX
from portal_shared.contracts import Event
from portal_shared.outbox import Outbox

PublishMany = Callable[[Session, Sequence[Event]], None]


def add_events(session: Session, events: Sequence[Event]) -> None:
    Outbox(OUTBOX).add_events(session, events)