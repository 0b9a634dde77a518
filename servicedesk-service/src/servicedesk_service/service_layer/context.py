"""What the use cases and the views need, built once per process and injected (tests pass their own clock
and settings): nothing is built at import time or inside a use case."""
from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from portal_shared.outbox import Outbox
from servicedesk_service.adapters.peers import PortalServices
from servicedesk_service.domain.calendar import BusinessCalendar


@dataclass(frozen=True)
class ServicedeskContext:
    session_factory: sessionmaker[Session]
    # Events and mail leave through the outbox, in the transaction of the change they announce.
    outbox: Outbox
    # What "now" is for the rules that depend on it (one reading per calendar day, SLA clocks).
    clock: Callable[[], datetime]
    # The business hours response times are counted in.
    calendar: BusinessCalendar
    # The staff overview: identity, billing and payment, the threads that ask them at once, and
    # how long the page waits for them in all.
    peers: PortalServices
    peer_calls: Executor
    peer_timeout_seconds: float
    # The zone every customer's calendar day is counted in (identity does not publish one per customer).
    customer_time_zone: str
    # A toner reported at or under this percent is low.
    low_toner_percent: int
