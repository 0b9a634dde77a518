"""What the use cases need, built once per process and injected (tests pass their own banks or clock)."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from payment_service.adapters.banks import BankAdapter
from portal_shared.db import utcnow
from portal_shared.outbox import Outbox


@dataclass(frozen=True)
class PaymentContext:
    session_factory: sessionmaker[Session]
    outbox: Outbox
    banks: Mapping[str, BankAdapter]
    portal_base_url: str
    callback_base_url: str
    reconcile_after_seconds: int = 120
    expire_seconds: int = 1800
    clock: Callable[[], datetime] = field(default=utcnow)

    def return_url(self, payment_id) -> str:
        return f"{self.portal_base_url}/payments/return?payment={payment_id}"

    def notify_url(self, bank: str) -> str:
        return f"{self.callback_base_url}/api/v1/payments/callbacks/{bank}"
