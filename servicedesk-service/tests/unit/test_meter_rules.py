"""The meter rules on their own: the local calendar day, a reading naming exactly the device's counters,
"never lower than the previous" per counter, and the day of a reading staff record for an earlier day."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from servicedesk_service.domain.meters import (
    BELOW_PREVIOUS, PreviousReading, ReadingRefused, check_counters_not_lower, check_reading_day, compare_counters,
    local_day,
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


def test_a_reading_names_exactly_the_devices_counters():
    device = ["total", "black", "colour"]
    assert not compare_counters(["colour", "total", "black"], device)
    mismatch = compare_counters(["total", "black", "magenta"], device)
    assert mismatch.missing == ("colour",) and mismatch.unknown == ("magenta",)


def test_each_lower_counter_is_named_with_its_previous_value_and_day():
    previous = {"total": PreviousReading(1000, date(2026, 3, 9)), "black": PreviousReading(600, date(2026, 3, 9)),
                "colour": PreviousReading(400, date(2026, 3, 2))}
    with pytest.raises(ReadingRefused) as refused:
        check_counters_not_lower({"total": 1100, "black": 599, "colour": 399}, previous)
    assert refused.value.rule == BELOW_PREVIOUS
    assert refused.value.errors == {
        "counters.black": ["The reading 599 of counter black is lower than its previous accepted reading 600 of "
                           "2026-03-09."],
        "counters.colour": ["The reading 399 of counter colour is lower than its previous accepted reading 400 of "
                            "2026-03-02."],
    }
    assert refused.value.details == {"previous": {"black": {"value": 600, "read_on": "2026-03-09"},
                                                  "colour": {"value": 400, "read_on": "2026-03-02"}}}


def test_counters_equal_to_or_without_a_previous_reading_pass():
    check_counters_not_lower({"total": 1000, "black": 0}, {"total": PreviousReading(1000, date(2026, 3, 9)),
                                                          "black": None})
