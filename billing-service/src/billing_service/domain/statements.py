"""Statements of account: their numbers and their arithmetic."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from billing_service.domain.calendar import Period
from billing_service.domain.money import CURRENCIES, ZERO
from portal_shared.mexico import to_cents

Totals = dict[str, Decimal]


def statement_id(period: Period, sequence: int) -> str:
    """YYMM then the account's sequence within the period, at least two digits: 2610 + 01 -> "261001".

    The four-digit prefix is fixed-width, so ids of different periods or sequences never meet.
    """
    if sequence < 1:
        raise ValueError("statement sequences start at 1")
    return f"{period.year % 100:02d}{period.month:02d}{sequence:02d}"


def totals(pairs: Iterable[tuple[str, Decimal]]) -> Totals:
    """Sum (currency, amount) pairs per currency; both currencies always present."""
    result = {currency: ZERO for currency in CURRENCIES}
    for currency, amount in pairs:
        result[currency] = to_cents(result[currency] + amount)
    return result


def closing_balance(opening: Mapping[str, Decimal], invoiced: Mapping[str, Decimal], paid: Mapping[str, Decimal]) -> Totals:
    """Per currency: what was owed, plus what was billed, minus what was paid in the month."""
    return {c: to_cents(opening.get(c, ZERO) + invoiced.get(c, ZERO) - paid.get(c, ZERO)) for c in CURRENCIES}
