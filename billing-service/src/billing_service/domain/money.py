"""Money rules: Decimal amounts, cents rounded half-up, exchange rates with four decimals."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CURRENCIES = ("MXN", "USD")
CENT = Decimal("0.01")
RATE_UNIT = Decimal("0.0001")
ZERO = Decimal("0.00")
# NUMERIC(18, 2): sixteen digits before the point.
MAX_AMOUNT = Decimal("9999999999999999.99")


def to_cents(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def to_rate(value: Decimal) -> Decimal:
    return Decimal(value).quantize(RATE_UNIT, rounding=ROUND_HALF_UP)


def decimal_places(value: Decimal) -> int:
    exponent = Decimal(value).as_tuple().exponent
    return 0 if not isinstance(exponent, int) or exponent >= 0 else -exponent


def mxn_for(amount: Decimal, currency: str, rate: Decimal | None) -> Decimal | None:
    """What an amount is worth in MXN: USD at `rate`, per item, rounded to the cent.

    None for USD without a rate: an unknown MXN value is never shown as zero.
    """
    if currency == "MXN":
        return to_cents(amount)
    if rate is None:
        return None
    return to_cents(Decimal(amount) * Decimal(rate))
