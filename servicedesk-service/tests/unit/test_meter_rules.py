"""The meter rules on their own: the local calendar day and "never lower than the previous"."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from servicedesk_service.domain.meters import PreviousReading, ReadingRefused, check_not_lower, local_day


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
