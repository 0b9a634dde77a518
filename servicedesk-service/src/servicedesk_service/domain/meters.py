"""Meter reading rules: plain functions over values, no database."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
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
    """A reading that breaks a rule; `rule` names which, `field` what is wrong (the first, when
    several counters break it), `errors` every field's sentences."""

    def __init__(self, rule: str, field: str, message: str, *, errors: dict[str, list[str]] | None = None,
                 **details):
        super().__init__(message)
        self.rule = rule
        self.field = field
        self.message = message
        self.errors = errors or {field: [message]}
        self.details = details


@dataclass(frozen=True)
class CounterMismatch:
    """The counters a reading must name (the device's) against those it names."""

    missing: tuple[str, ...]
    unknown: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.missing or self.unknown)


def compare_counters(named: Sequence[str], device_counters: Sequence[str]) -> CounterMismatch:
    """A reading holds every counter of its device and no other: a reading missing one would leave
    that counter's usage unbilled for the day, and only one reading a day is taken."""
    known = set(device_counters)
    return CounterMismatch(
        missing=tuple(name for name in device_counters if name not in set(named)),
        unknown=tuple(name for name in named if name not in known),
    )


def check_reading_day(read_on: date, *, today: date, latest: date | None, series_since: date | None = None) -> None:
    """The day of a reading staff record for an earlier day (an engineer's visit, the ERP's history).

    Never in the future, and strictly after the device's latest reading (`latest`), so that the
    device's history is only ever appended to in date order: the reading each counter is compared
    with ("never lower") is then always the one just before it, and no later reading is left lower
    than an earlier one. A replaced counter's new series, not read yet, cannot start before the day
    it was replaced (`series_since`, checked with no `latest`).
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
            f"The reading date {read_on.isoformat()} is not after the latest reading of this device, "
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


def check_counters_not_lower(values: Mapping[str, int], previous: Mapping[str, PreviousReading | None]) -> None:
    """Every counter of a reading against the previous reading of its own series: each counter that
    is lower is named, so the reading can be corrected in one go; one lower counter refuses the
    whole reading (a day is one reading, kept whole or not at all)."""
    errors: dict[str, list[str]] = {}
    figures: dict[str, dict[str, object]] = {}
    for counter, value in values.items():
        before = previous.get(counter)
        if before is not None and value < before.value:
            errors[f"counters.{counter}"] = [
                f"The reading {value} of counter {counter} is lower than its previous accepted reading "
                f"{before.value} of {before.read_on.isoformat()}."
            ]
            figures[counter] = {"value": before.value, "read_on": before.read_on.isoformat()}
    if errors:
        first = next(iter(errors))
        raise ReadingRefused(BELOW_PREVIOUS, first, " ".join(m for ms in errors.values() for m in ms),
                             errors=errors, previous=figures)
