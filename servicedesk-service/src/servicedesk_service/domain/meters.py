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


# The rules a reading can break, as ReadingRefused.rule names them.
DATE_IN_FUTURE = "date_in_future"
DATE_NOT_AFTER_LATEST = "date_not_after_latest"
DATE_BEFORE_REPLACEMENT = "date_before_replacement"
BELOW_PREVIOUS = "below_previous"


class ReadingRefused(Exception):
    """A reading that breaks a rule; `rule` names which, `field` what is wrong."""

    def __init__(self, rule: str, field: str, message: str, **details):
        super().__init__(message)
        self.rule = rule
        self.field = field
        self.message = message
        self.details = details


def check_reading_day(read_on: date, *, today: date, latest: date | None, series_since: date | None = None) -> None:
    """The day of a reading staff record for an earlier day (an engineer's visit, the ERP's history).

    Never in the future, and strictly after the latest reading of the counter's series, so that a
    series is only ever appended to in date order: the reading it is compared with ("never lower")
    is then always the one just before it, and no later reading is left lower than an earlier one.
    A replaced counter's new series cannot start before the day it was replaced (`series_since`).
    """
    if read_on > today:
        raise ReadingRefused(
            DATE_IN_FUTURE, "read_on",
            f"The reading date {read_on.isoformat()} is in the future; today is {today.isoformat()}.",
            today=today.isoformat(),
        )
    if latest is not None and read_on <= latest:
        raise ReadingRefused(
            DATE_NOT_AFTER_LATEST, "read_on",
            f"The reading date {read_on.isoformat()} is not after the latest reading of this counter, "
            f"of {latest.isoformat()}; an earlier day can only be added after it.",
            latest_read_on=latest.isoformat(),
        )
    if latest is None and series_since is not None and read_on < series_since:
        raise ReadingRefused(
            DATE_BEFORE_REPLACEMENT, "read_on",
            f"The reading date {read_on.isoformat()} is before the counter was replaced, "
            f"on {series_since.isoformat()}.",
            replaced_on=series_since.isoformat(),
        )


def check_not_lower(value: int, previous: PreviousReading | None) -> None:
    """A reading may equal the previous one of its series (an idle device), never be lower."""
    if previous is not None and value < previous.value:
        raise ReadingRefused(
            BELOW_PREVIOUS, "value",
            f"The reading {value} is lower than the previous accepted reading "
            f"{previous.value} of {previous.read_on.isoformat()}.",
            previous_value=previous.value,
            previous_read_on=previous.read_on.isoformat(),
        )
