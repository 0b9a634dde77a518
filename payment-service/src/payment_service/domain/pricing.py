"""Money rules of a payment: cents only, and USD priced in MXN at the rate fixed when it starts.

Rounding, conversion and Mexico City's day are the portal's (portal_shared.mexico), the same
in billing and payment.
"""
from __future__ import annotations

from decimal import Decimal

from portal_shared.mexico import mxn_for


def priced_in_mxn(amount: Decimal, currency: str, rate: Decimal | None) -> Decimal:
    """The MXN paid for `amount` of an invoice in `currency`; a USD amount without a rate cannot be paid."""
    priced = mxn_for(amount, currency, rate)
    if priced is None:
        raise ValueError("a USD amount needs an exchange rate")
    return priced
