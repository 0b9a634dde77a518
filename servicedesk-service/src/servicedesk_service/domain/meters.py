"""Meter reading rules: plain functions over values, no database."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo


def local_day(moment: datetime, time_zone: str) -> date:
    """The calendar day `moment` falls on in `time_zone` (a reading at 23:59 and one at 00:01 are two days)."""
    if moment.tzinfo is None:
        raise ValueError("an aware datetime is needed to find the local day")
    return moment.astimezone(ZoneInfo(time_zone)).date()


@dataclass(frozen=True)
class PreviousReading:
    value: int
    read_on: date


class ReadingRefused(Exception):
    """A reading that breaks a rule; `field` names what is wrong."""

    def __init__(self, field: str, message: str, **details):
        super().__init__(message)
        self.field = field
        self.message = message
        self.details = details


def check_not_lower(value: int, previous: PreviousReading | None) -> None:
    """A reading may equal the previous one of its series (an idle device), never be lower."""
    if previous is not None and value < previous.value:
        raise ReadingRefused(
            "value",
            f"The reading {value} is lower than the previous accepted reading "
            f"{previous.value} of {previous.read_on.isoformat()}.",
            previous_value=previous.value,
            previous_read_on=previous.read_on.isoformat(),
        )
