"""Billing's calendar: days and months are those of Mexico City, whatever the server's zone."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timezone

from portal_shared.mexico import start_of_day

_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def start_of_day_utc(day: date) -> datetime:
    """The instant a Mexico City day begins, in UTC (instants are stored in UTC)."""
    return start_of_day(day).astimezone(timezone.utc)


@dataclass(frozen=True, order=True)
class Period:
    """A calendar month, written YYYY-MM."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Period:
        match = _PERIOD.match(text.strip()) if isinstance(text, str) else None
        if match is None:
            raise ValueError("A period is a month written YYYY-MM, e.g. 2026-10.")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def containing(cls, day: date) -> Period:
        return cls(day.year, day.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def next(self) -> Period:
        return Period(self.year + 1, 1) if self.month == 12 else Period(self.year, self.month + 1)

    @property
    def end(self) -> date:
        """The first day after the month (periods are half-open: first_day <= d < end)."""
        return self.next.first_day

    @property
    def starts_at(self) -> datetime:
        return start_of_day_utc(self.first_day)

    @property
    def ends_at(self) -> datetime:
        return start_of_day_utc(self.end)
