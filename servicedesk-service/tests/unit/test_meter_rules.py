"""The meter rules on their own: the local calendar day, "never lower than the previous", and the day of
a reading staff record for an earlier day."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from servicedesk_service.domain.meters import (
    PreviousReading, ReadingRefused, check_not_lower, check_reading_day, local_day,
)

TODAY = date(2026, 3, 10)


@pytest.mark.parametrize(
    "utc, expected",
    [
        (datetime(2026, 3, 11, 5, 59, tzinfo=timezone.utc), date(2026, 3, 10)),  # 23:59 local
        (datetime(2026, 3, 11, 6, 1, tzinfo=timezone.utc), date(2026, 3, 11)),   # 00:01 local
    ],
)
def test_local_day_in_mexico_city(utc, expected):
    assert local_day(utc, "America/Mexico_City") == expected


def test_local_day_needs_an_aware_time():
    with pytest.raises(ValueError):
        local_day(datetime(2026, 3, 11, 6, 1), "America/Mexico_City")


def test_lower_is_refused_with_previous_value_and_date():
    with pytest.raises(ReadingRefused) as refused:
        check_not_lower(99, PreviousReading(100, date(2026, 3, 1)))
    assert refused.value.field == "value"
    assert "100" in refused.value.message and "2026-03-01" in refused.value.message


def test_equal_or_first_is_accepted():
    check_not_lower(100, PreviousReading(100, date(2026, 3, 1)))
    check_not_lower(0, None)


def test_a_day_in_the_future_is_refused_naming_today():
    with pytest.raises(ReadingRefused) as refused:
        check_reading_day(date(2026, 3, 11), today=TODAY, latest=None)
    assert refused.value.field == "read_on"
    assert "2026-03-11" in refused.value.message and "2026-03-10" in refused.value.message


@pytest.mark.parametrize("read_on", [date(2026, 3, 5), date(2026, 3, 1)])
def test_a_day_not_after_the_latest_is_refused_naming_the_latest(read_on):
    with pytest.raises(ReadingRefused) as refused:
        check_reading_day(read_on, today=TODAY, latest=date(2026, 3, 5))
    assert refused.value.field == "read_on"
    assert "2026-03-05" in refused.value.message
    assert refused.value.details == {"latest_read_on": "2026-03-05"}


def test_a_new_series_does_not_start_before_its_counter_was_replaced():
    with pytest.raises(ReadingRefused) as refused:
        check_reading_day(date(2026, 3, 7), today=TODAY, latest=None, series_since=date(2026, 3, 8))
    assert refused.value.field == "read_on" and "2026-03-08" in refused.value.message
    check_reading_day(date(2026, 3, 8), today=TODAY, latest=None, series_since=date(2026, 3, 8))


@pytest.mark.parametrize(
    "read_on, latest",
    [
        (date(2026, 3, 6), date(2026, 3, 5)),  # the day after the latest
        (TODAY, date(2026, 3, 9)),             # today itself
        (date(2025, 12, 1), None),             # a first reading, months back
    ],
)
def test_a_past_day_after_the_latest_is_accepted(read_on, latest):
    check_reading_day(read_on, today=TODAY, latest=latest)
