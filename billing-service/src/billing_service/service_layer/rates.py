"""Exchange rates (MXN per USD) by day: the operator's feed sets them, everyone reads the current one."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from billing_service.adapters.orm import ExchangeRate
from billing_service.adapters.publisher import PublishMany, add_events
from billing_service.config import SERVICE_NAME
from portal_shared.contracts import new_event
from portal_shared.correlation import get_correlation_id
from portal_shared.db import utcnow
from portal_shared.mexico import mexico_today, to_rate


@dataclass(frozen=True)
class RatesResult:
    set: int
    unchanged: int


def set_rates(session: Session, rates: Sequence[dict], *, publish_many: PublishMany = add_events) -> RatesResult:
    """Rows {date, rate}: new or changed days are stored and announced; repeated ones change nothing."""
    days = [row["date"] for row in rates]
    held = {
        rate.rate_date: rate
        for rate in session.scalars(
            sa.select(ExchangeRate).where(ExchangeRate.rate_date.in_(days)).with_for_update()
        )
    }
    events = []
    now = utcnow()
    for row in rates:
        value = to_rate(row["rate"])
        current = held.get(row["date"])
        if current is not None and current.rate == value:
            continue
        if current is None:
            session.add(ExchangeRate(rate_date=row["date"], rate=value, set_at=now))
        else:
            current.rate, current.set_at = value, now
        events.append(
            new_event(
                "billing.exchange_rate.set", 1, {"date": row["date"], "rate": value},
                producer=SERVICE_NAME, correlation_id=get_correlation_id(),
            )
        )
    session.flush()
    publish_many(session, events)
    return RatesResult(set=len(events), unchanged=len(rates) - len(events))


def current_rate(session: Session, today: date | None = None) -> tuple[date, Decimal] | None:
    """The latest rate on or before today (Mexico City), or None when none was ever set."""
    row = session.execute(
        sa.select(ExchangeRate.rate_date, ExchangeRate.rate)
        .where(ExchangeRate.rate_date <= (today or mexico_today()))
        .order_by(ExchangeRate.rate_date.desc())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else None
