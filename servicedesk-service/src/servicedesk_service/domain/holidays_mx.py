"""Public holidays as data: Mexico's statutory rest days and company holidays read from records.

Mexico's list is Ley Federal del Trabajo art. 74. Since the 2006 reform three of the days
are Mondays (first of February, third of March, third of November) instead of the fixed
5 Feb, 21 Mar and 20 Nov. The day of the federal presidential transition is a rest day every
six years: 1 December until 2018, 1 October from 2024 (the constitutional reform of 2014 moved
the inauguration). Fraction IX (election days set by the electoral laws) has no fixed rule, so
those days are added as company holidays when they are declared.
"""
from __future__ import annotations

import calendar as _calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

# The 2006 reform (DOF 17 January 2006) is the first year of the Monday rules.
MONDAY_RULES_SINCE = 2006
# Transition years share a residue modulo six (…, 2012, 2018, 2024, 2030, …).
_TRANSITION_YEAR_RESIDUE = 2024 % 6
_OCTOBER_TRANSITION_SINCE = 2024


@dataclass(frozen=True, order=True)
class Holiday:
    day: date
    name: str = ""


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th (1-based) given weekday (Monday = 0) of a month."""
    if not 1 <= n <= 5:
        raise ValueError(f"n must be between 1 and 5, got {n}")
    first = date(year, month, 1)
    offset = (weekday - first.weekday()) % 7
    day = 1 + offset + 7 * (n - 1)
    if day > _calendar.monthrange(year, month)[1]:
        raise ValueError(f"{year}-{month:02d} has no weekday {weekday} number {n}")
    return date(year, month, day)


def mexico_statutory_holidays(year: int) -> list[Holiday]:
    """The rest days of Ley Federal del Trabajo art. 74 for one year, in date order."""
    if not 1 <= year <= 9999:
        raise ValueError(f"year out of range: {year}")
    monday = 0
    if year >= MONDAY_RULES_SINCE:
        constitution = nth_weekday(year, 2, monday, 1)
        juarez = nth_weekday(year, 3, monday, 3)
        revolution = nth_weekday(year, 11, monday, 3)
    else:
        constitution, juarez, revolution = date(year, 2, 5), date(year, 3, 21), date(year, 11, 20)
    days = [
        Holiday(date(year, 1, 1), "Año Nuevo"),
        Holiday(constitution, "Día de la Constitución"),
        Holiday(juarez, "Natalicio de Benito Juárez"),
        Holiday(date(year, 5, 1), "Día del Trabajo"),
        Holiday(date(year, 9, 16), "Día de la Independencia"),
        Holiday(revolution, "Día de la Revolución"),
        Holiday(date(year, 12, 25), "Navidad"),
    ]
    if year % 6 == _TRANSITION_YEAR_RESIDUE:
        month = 10 if year >= _OCTOBER_TRANSITION_SINCE else 12
        days.append(Holiday(date(year, month, 1), "Transmisión del Poder Ejecutivo Federal"))
    return sorted(days)


def holidays_from_records(records: Iterable[Mapping[str, object] | str | date]) -> list[Holiday]:
    """Company holidays from data such as a JSON list: {"date": "2026-12-24", "name": "..."},
    a bare ISO date string, or a date."""
    result = []
    for index, record in enumerate(records):
        if isinstance(record, date):
            result.append(Holiday(_plain_date(record, index)))
            continue
        if isinstance(record, str):
            result.append(Holiday(_parse_date(record, index)))
            continue
        if not isinstance(record, Mapping) or "date" not in record:
            raise ValueError(f"holiday #{index}: expected a date or a mapping with a 'date' key, got {record!r}")
        raw = record["date"]
        day = _plain_date(raw, index) if isinstance(raw, date) else _parse_date(raw, index)
        name = record.get("name", "")
        if not isinstance(name, str):
            raise ValueError(f"holiday #{index}: name must be text, got {name!r}")
        result.append(Holiday(day, name.strip()))
    return result


def _plain_date(value: date, index: int) -> date:
    # A datetime is a date subclass; a moment in time is not a calendar day.
    if not type(value) is date:
        raise ValueError(f"holiday #{index}: expected a calendar date, got {value!r}")
    return value


def _parse_date(raw: object, index: int) -> date:
    if not isinstance(raw, str):
        raise ValueError(f"holiday #{index}: date must be an ISO date string, got {raw!r}")
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise ValueError(f"holiday #{index}: {raw!r} is not an ISO date (YYYY-MM-DD)") from None
