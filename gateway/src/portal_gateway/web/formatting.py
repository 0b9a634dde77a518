"""How money, rates and dates read on the billing pages, the same in Spanish and English.

Mexico writes amounts as 1,234.50 (as in English), so the Spanish pages do not use the
generic "es" locale's 1.234,50. Times are shown in Mexico City's time.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from babel.dates import format_skeleton
from flask import Flask
from flask_babel import get_locale
from portal_shared.mexico import MEXICO_CITY


def to_decimal(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def money(value: object) -> str:
    number = to_decimal(value)
    return "—" if number is None else f"{number:,.2f}"


def rate(value: object) -> str:
    number = to_decimal(value)
    return "—" if number is None else f"{number:,.4f}"


def _spanish() -> bool:
    return str(get_locale() or "es").startswith("es")


def day(value: object) -> str:
    """An ISO date (or the date part of a timestamp) as dd/mm/yyyy in Spanish, yyyy-mm-dd in English."""
    if not value:
        return "—"
    try:
        parsed = date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return parsed.strftime("%d/%m/%Y") if _spanish() else parsed.isoformat()


def period(value: object) -> str:
    """A statement's month ("2026-11") as people say it: "noviembre de 2026", "November 2026"."""
    try:
        year, month = (int(part) for part in str(value).split("-"))
        first = date(year, month, 1)
    except ValueError:
        return str(value) if value else "—"
    return format_skeleton("yMMMM", first, locale=str(get_locale() or "es"))


def moment(value: object) -> str:
    """An ISO timestamp in Mexico City's time, to the minute."""
    if not value:
        return "—"
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value)
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(MEXICO_CITY)
    return parsed.strftime("%d/%m/%Y %H:%M" if _spanish() else "%Y-%m-%d %H:%M")


def init_formatting(app: Flask) -> None:
    app.add_template_filter(money, "money")
    app.add_template_filter(rate, "rate")
    app.add_template_filter(day, "day")
    app.add_template_filter(period, "period")
    app.add_template_filter(moment, "moment")
