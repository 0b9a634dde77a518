"""Exchange rates (MXN per USD) by day: the operator's feed sets them, everyone reads the current one."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from billing_service.adapters.orm import ExchangeRate
from billing_service.config import SERVICE_NAME
from billing_service.service_layer.context import BillingContext
from billing_service.domain.banxico import BanxicoRefused, read_fix
from billing_service.service_layer.errors import ERRORS, NO_EXCHANGE_RATE
from portal_shared.contracts import new_event
from portal_shared.correlation import get_correlation_id
from portal_shared.db import transaction
from portal_shared.mexico import to_rate


@dataclass(frozen=True)
class RatesResult:
    set: int
    unchanged: int


def set_rates(ctx: BillingContext, rates: Sequence[dict]) -> RatesResult:
    """Rows {date, rate}: new or changed days are stored and announced; repeated ones change nothing."""
    with transaction(ctx.session_factory) as session:
        return _set(ctx, session, rates)


def import_fix(ctx: BillingContext, raw: bytes, *, csv_form: bool) -> dict:
    """Banxico's FIX file (SIE CSV download or API JSON) set as rates by day, like set_rates;
    a file that does not read in full sets nothing."""
    try:
        fix = read_fix(raw, csv_form=csv_form)
    except BanxicoRefused as refused:
        raise ERRORS[refused.code](refused.detail, errors=refused.errors) from None
    result = set_rates(ctx, [{"date": day, "rate": rate} for day, rate in fix.rates])
    return {"set": result.set, "unchanged": result.unchanged, "series": fix.series,
            "from": fix.first, "to": fix.last}


def _set(ctx: BillingContext, session: Session, rates: Sequence[dict]) -> RatesResult:
    days = [row["date"] for row in rates]
    held = {
        rate.rate_date: rate
        for rate in session.scalars(
            sa.select(ExchangeRate).where(ExchangeRate.rate_date.in_(days)).with_for_update()
        )
    }
    events = []
    now = ctx.clock()
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
    ctx.publish(session, events)
    return RatesResult(set=len(events), unchanged=len(rates) - len(events))


def todays_rate(ctx: BillingContext) -> dict:
    """The rate in force today in Mexico City: {date, rate}."""
    with transaction(ctx.session_factory) as session:
        found = current_rate(session, ctx.today())
    if found is None:
        raise NO_EXCHANGE_RATE("No exchange rate has been set yet.")
    return {"date": found[0], "rate": found[1]}


def current_rate(session: Session, today: date) -> tuple[date, Decimal] | None:
    """The latest rate on or before `today` (a Mexico City day), or None when none was ever set."""
    row = session.execute(
        sa.select(ExchangeRate.rate_date, ExchangeRate.rate)
        .where(ExchangeRate.rate_date <= today)
        .order_by(ExchangeRate.rate_date.desc())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else None
