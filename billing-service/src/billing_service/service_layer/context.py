"""What billing's use cases and message handlers need, built once per process and handed to each
(tests hand their own publisher or clock)."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from billing_service.adapters.cfdi_pdf import render_cfdi
from billing_service.adapters.orm import OUTBOX
from billing_service.adapters.pdf import StatementBrand, StatementDocument, render_statement
from billing_service.domain.cfdi import Cfdi, is_company_rfc
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
    # An invoice's CFDI printed, under the same brand as the statements.
    render_cfdi_pdf: Callable[[Cfdi], bytes]
    clock: Clock
    # Credit status turns from "overdue" to "blocked" after this many days past due.
    credit_block_days: int
    # Every imported CFDI must be issued by this RFC.
    vendor_rfc: str

    def today(self) -> date:
        """Billing's day is Mexico City's, whatever the server's zone."""
        return mexico_today(self.clock())


def build_context(config: Mapping[str, Any], session_factory: sessionmaker[Session]) -> BillingContext:
    # Checked here, so the web tier, the consumer and the statements command refuse a bad brand
    # or vendor RFC when they start.
    brand = StatementBrand.of(brand_from_settings(config, logo_types=(PNG, JPEG)))
    vendor_rfc = str(config["VENDOR_RFC"]).strip().upper()
    if not is_company_rfc(vendor_rfc):
        raise ValueError(f"VENDOR_RFC {config['VENDOR_RFC']!r} is not a company's RFC (3 letters, YYMMDD, "
                         f"a 3-character homoclave)")
    return BillingContext(
        session_factory=session_factory,
        publish=Outbox(OUTBOX).add_events,
        render_pdf=partial(render_statement, brand=brand),
        render_cfdi_pdf=partial(render_cfdi, brand=brand),
        clock=utcnow,
        credit_block_days=int(config["CREDIT_BLOCK_DAYS"]),
        vendor_rfc=vendor_rfc,
    )
