"""Money rules of a payment: cents only, and USD priced in MXN at the rate fixed when it starts."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
RATE_PLACES = Decimal("0.0001")
# Mexico City has kept UTC-6 all year since DST was abolished in 2022; a fixed offset needs no tz database.
MEXICO_CITY = timezone(timedelta(hours=-6), "America/Mexico_City")


def is_whole_cents(amount: Decimal) -> bool:
    return amount == amount.quantize(CENT)


def mxn_for(amount: Decimal, currency: str, rate: Decimal | None) -> Decimal:
    """The MXN paid for `amount` of an invoice in `currency`: (usd * rate) rounded half-up to the cent."""
    if currency == "MXN":
        return amount.quantize(CENT, rounding=ROUND_HALF_UP)
    if rate is None:
        raise ValueError("a USD amount needs an exchange rate")
    return (amount * rate).quantize(CENT, rounding=ROUND_HALF_UP)


def mexico_city_today(now: datetime) -> date:
    """The business day in Mexico City: which exchange rate is current, which day a payment was made."""
    return now.astimezone(MEXICO_CITY).date()
