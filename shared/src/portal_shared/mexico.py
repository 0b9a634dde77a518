"""Money and days as the portal counts them, in one home for every service.

Amounts are Decimal, rounded half-up to the cent; a USD→MXN exchange rate has four decimals;
a USD amount is worth (amount × rate) rounded to the cent, item by item. Days are Mexico City's
(the tz database's rules: a change of law is a tzdata update, not a code change): which rate is
current, on which day a payment was made, which month a statement covers.
"""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

MEXICO_CITY = ZoneInfo("America/Mexico_City")
CENT = Decimal("0.01")
RATE_UNIT = Decimal("0.0001")


def to_cents(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def to_rate(value: Decimal) -> Decimal:
    return Decimal(value).quantize(RATE_UNIT, rounding=ROUND_HALF_UP)


def is_whole_cents(amount: Decimal) -> bool:
    return amount == amount.quantize(CENT)


def mxn_for(amount: Decimal, currency: str, rate: Decimal | None) -> Decimal | None:
    """What `amount` of `currency` is worth in MXN: USD at `rate`, rounded to the cent.

    None for USD without a rate: the caller decides whether that is an unknown value to show as
    such (billing's balances) or a refusal (a payment needs a price).
    """
    if currency == "MXN":
        return to_cents(amount)
    if rate is None:
        return None
    return to_cents(Decimal(amount) * Decimal(rate))


def mexico_date(moment: datetime) -> date:
    """The day in Mexico City at an aware instant."""
    return moment.astimezone(MEXICO_CITY).date()


def mexico_today(now: datetime | None = None) -> date:
    return mexico_date(now or datetime.now(timezone.utc))


def start_of_day(day: date) -> datetime:
    """The instant a Mexico City day begins (aware, in Mexico City's offset)."""
    return datetime.combine(day, time.min, tzinfo=MEXICO_CITY)
