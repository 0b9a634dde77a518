"""Billing's money rules: its currencies and limits. Rounding and conversion are the portal's
(portal_shared.mexico), the same in billing and payment."""
from __future__ import annotations

from decimal import Decimal

CURRENCIES = ("MXN", "USD")
ZERO = Decimal("0.00")
# NUMERIC(18, 2): sixteen digits before the point.
MAX_AMOUNT = Decimal("9999999999999999.99")


def decimal_places(value: Decimal) -> int:
    exponent = Decimal(value).as_tuple().exponent
    return 0 if not isinstance(exponent, int) or exponent >= 0 else -exponent
