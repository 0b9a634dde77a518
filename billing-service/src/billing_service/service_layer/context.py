"""What billing's use cases and message handlers need, built once per process and handed to each
(tests hand their own publisher or clock)."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from billing_service.adapters.orm import OUTBOX
from billing_service.adapters.pdf import StatementBrand, StatementDocument, render_statement
from portal_shared.brand import JPEG, PNG, brand_from_settings
from portal_shared.contracts import Event
from portal_shared.db import utcnow
from portal_shared.mexico import mexico_today
from portal_shared.outbox import Outbox

Publish = Callable[[Session, Sequence[Event]], None]
Clock = Callable[[], datetime]


@dataclass(frozen=True)
class BillingContext:
    session_factory: sessionmaker[Session]
    # Events written in the caller's transaction: announced if and only if it commits.
    publish: Publish
    render_pdf: Callable[[StatementDocument], bytes]
    clock: Clock
    # Credit status turns from "overdue" to "blocked" after this many days past due.
    credit_block_days: int

    def today(self) -> date:
        """Billing's day is Mexico City's, whatever the server's zone."""
        return mexico_today(self.clock())


def build_context(config: Mapping[str, Any], session_factory: sessionmaker[Session]) -> BillingContext:
    return BillingContext(
        session_factory=session_factory,
        publish=Outbox(OUTBOX).add_events,
        # Checked here, so the web tier, the consumer and the statements command refuse a bad brand
        # when they start.
        render_pdf=partial(render_statement,
                           brand=StatementBrand.of(brand_from_settings(config, logo_types=(PNG, JPEG)))),
        clock=utcnow,
        credit_block_days=int(config["CREDIT_BLOCK_DAYS"]),
    )
