"""Business-hours deadlines: nights, weekends, holidays, clock changes, and the SLA status."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicedesk_service.domain.calendar import BusinessCalendar, SlaStatus, mexico_city_calendar
from servicedesk_service.domain.holidays_mx import (
    Holiday,
    holidays_from_records,
    mexico_statutory_holidays,
    nth_weekday,
)

MX = ZoneInfo("America/Mexico_City")
NY = ZoneInfo("America/New_York")
MADRID = ZoneInfo("Europe/Madrid")
UTC = timezone.utc


def mx(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=MX)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture(scope="module")
def mexico() -> BusinessCalendar:
    return mexico_city_calendar()


# (start local Mexico City, business hours, expected due local Mexico City)
MEXICO_CITY_ROWS = [
    pytest.param("2026-03-06 17:30", 4, "2026-03-09 12:30", id="friday-17:30-plus-4h-is-monday-12:30"),
    pytest.param("2026-03-04 20:00", 1, "2026-03-05 10:00", id="night-start-counts-from-next-opening"),
    pytest.param("2026-03-04 20:00", 0, "2026-03-05 09:00", id="night-start-zero-hours-is-next-opening"),
    pytest.param("2026-03-04 18:00", 2, "2026-03-05 11:00", id="start-exactly-at-closing"),
    pytest.param("2026-03-04 18:00", 0, "2026-03-04 18:00", id="zero-hours-at-closing-is-start"),
    pytest.param("2026-03-04 07:00", 3, "2026-03-04 12:00", id="early-morning-start"),
    pytest.param("2026-03-04 09:00", 0, "2026-03-04 09:00", id="zero-hours-at-opening"),
    pytest.param("2026-03-04 10:00", 1.5, "2026-03-04 11:30", id="fractional-float"),
    pytest.param("2026-03-04 10:00", Decimal("0.25"), "2026-03-04 10:15", id="fractional-decimal"),
    pytest.param("2026-03-04 10:00", 0.1, "2026-03-04 10:06", id="tenth-of-an-hour"),
    pytest.param("2026-03-03 17:45", 0.5, "2026-03-04 09:15", id="fraction-across-the-night"),
    pytest.param("2026-03-04 17:59:30", Fraction(1, 60), "2026-03-05 09:00:30", id="seconds-across-the-night"),
    pytest.param("2026-03-04 10:00", 8, "2026-03-04 18:00", id="ends-exactly-at-closing"),
    pytest.param("2026-03-04 10:00", 9, "2026-03-05 10:00", id="one-full-day-later"),
    pytest.param("2026-03-02 09:00", 45, "2026-03-06 18:00", id="a-whole-week"),
    pytest.param("2026-03-02 09:00", 46, "2026-03-09 10:00", id="a-week-and-an-hour-over-the-weekend"),
    pytest.param("2026-03-07 11:00", 2, "2026-03-09 11:00", id="saturday-start"),
    pytest.param("2026-03-08 23:59", 0.5, "2026-03-09 09:30", id="sunday-night-start"),
    pytest.param("2026-03-13 17:30", 4, "2026-03-17 12:30", id="holiday-monday-pushes-to-tuesday"),
    pytest.param("2026-03-14 10:00", 1, "2026-03-17 10:00", id="weekend-before-holiday-monday"),
    pytest.param("2026-03-16 10:00", 1, "2026-03-17 10:00", id="start-on-the-holiday"),
    pytest.param("2026-03-12 16:00", 20, "2026-03-17 18:00", id="multi-day-over-weekend-and-holiday"),
    pytest.param("2026-12-24 17:00", 3, "2026-12-28 11:00", id="christmas-friday"),
    pytest.param("2026-01-30 12:00", 10, "2026-02-03 13:00", id="first-monday-of-february"),
]


@pytest.mark.parametrize(("start", "hours", "expected"), MEXICO_CITY_ROWS)
def test_due_at_in_mexico_city(mexico, start, hours, expected):
    due = mexico.due_at(mx(start), hours)
    assert due == mx(expected)
    assert due.tzinfo is UTC


def test_mexico_city_has_no_daylight_saving_since_2022():
    # Before the 2022 abolition the summer offset was -05:00; now it is -06:00 all year.
    assert datetime(2021, 7, 1, 12, tzinfo=MX).utcoffset() == timedelta(hours=-5)
    assert datetime(2026, 7, 1, 12, tzinfo=MX).utcoffset() == timedelta(hours=-6)
    assert mexico_city_calendar().due_at(mx("2026-07-03 17:30"), 4) == utc("2026-07-06 18:30")


def test_start_in_another_zone_is_the_same_moment(mexico):
    # Friday 17:30 in Mexico City is Friday 23:30 UTC and Saturday 08:30 in Tokyo.
    tokyo = datetime(2026, 3, 7, 8, 30, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert mexico.due_at(tokyo, 4) == mx("2026-03-09 12:30")


@pytest.fixture(scope="module")
def new_york() -> BusinessCalendar:
    return BusinessCalendar("America/New_York", {day: [("09:00", "17:00")] for day in range(5)})


@pytest.fixture(scope="module")
def madrid() -> BusinessCalendar:
    """Weekdays 09:00–18:00 and a Sunday night shift that spans the 02:00/03:00 clock changes."""
    hours = {day: [("09:00", "18:00")] for day in ("mon", "tue", "wed", "thu", "fri")}
    hours["sun"] = [("00:00", "06:00")]
    return BusinessCalendar("Europe/Madrid", hours)


# (start local, business hours, expected due in UTC, expected local wall time of the due)
NEW_YORK_ROWS = [
    # Friday is EST (-05:00), Monday after 8 March 2026 is EDT (-04:00): 10:00 local is 14:00 UTC.
    pytest.param("2026-03-06 16:00", 2, "2026-03-09 14:00", time(10), id="across-spring-forward"),
    pytest.param("2026-03-06 09:00", 12, "2026-03-09 17:00", time(13), id="full-days-across-spring-forward"),
    # Friday EDT, Monday after 1 November 2026 EST: 10:00 local is 15:00 UTC.
    pytest.param("2026-10-30 16:00", 2, "2026-11-02 15:00", time(10), id="across-fall-back"),
    pytest.param("2026-10-31 12:00", 1, "2026-11-02 15:00", time(10), id="saturday-before-fall-back"),
]


@pytest.mark.parametrize(("start", "hours", "expected_utc", "local_wall"), NEW_YORK_ROWS)
def test_due_at_in_a_zone_with_clock_changes(new_york, start, hours, expected_utc, local_wall):
    due = new_york.due_at(datetime.fromisoformat(start).replace(tzinfo=NY), hours)
    assert due == utc(expected_utc)
    assert due.astimezone(NY).time() == local_wall


MADRID_ROWS = [
    # Sunday 29 March 2026 00:00 CET → 06:00 CEST is only 5 real hours of business time.
    pytest.param("2026-03-29 00:00", 5, "2026-03-29 04:00", time(6), id="short-night-ends-at-closing"),
    pytest.param("2026-03-29 00:00", 6, "2026-03-30 08:00", time(10), id="short-night-then-monday"),
    pytest.param("2026-03-27 17:00", 2, "2026-03-29 00:00", time(1), id="friday-into-spring-forward-night"),
    # Sunday 25 October 2026 00:00 CEST → 06:00 CET is 7 real hours.
    pytest.param("2026-10-25 00:00", 7, "2026-10-25 05:00", time(6), id="long-night-ends-at-closing"),
    pytest.param("2026-10-25 00:00", 6, "2026-10-25 04:00", time(5), id="long-night-inside"),
    pytest.param("2026-10-25 00:00", 8, "2026-10-26 09:00", time(10), id="long-night-then-monday"),
]


@pytest.mark.parametrize(("start", "hours", "expected_utc", "local_wall"), MADRID_ROWS)
def test_due_at_in_madrid_across_clock_changes(madrid, start, hours, expected_utc, local_wall):
    due = madrid.due_at(datetime.fromisoformat(start).replace(tzinfo=MADRID), hours)
    assert due == utc(expected_utc)
    assert due.astimezone(MADRID).time() == local_wall


def test_daily_periods_are_local_wall_time_on_each_side_of_a_change(madrid):
    assert madrid.periods_on(date(2026, 3, 27)) == ((utc("2026-03-27 08:00"), utc("2026-03-27 17:00")),)
    assert madrid.periods_on(date(2026, 3, 30)) == ((utc("2026-03-30 07:00"), utc("2026-03-30 16:00")),)
    assert madrid.periods_on(date(2026, 3, 28)) == ()


def test_skipped_and_repeated_wall_times():
    calendar = BusinessCalendar("Europe/Madrid", {"sun": [("02:30", "05:00")]})
    # 02:30 does not exist on 29 March: the period opens when the clock jumps (01:00 UTC).
    assert calendar.periods_on(date(2026, 3, 29)) == ((utc("2026-03-29 01:00"), utc("2026-03-29 03:00")),)
    # 02:30 happens twice on 25 October: the first (CEST) occurrence counts; 05:00 is CET.
    assert calendar.periods_on(date(2026, 10, 25)) == ((utc("2026-10-25 00:30"), utc("2026-10-25 04:00")),)
    # A period wholly inside a skipped hour does not happen that day; a week later it does.
    inside_gap = BusinessCalendar("Europe/Madrid", {"sun": [("02:10", "02:50")]})
    assert inside_gap.periods_on(date(2026, 3, 29)) == ()
    assert inside_gap.periods_on(date(2026, 4, 5)) == ((utc("2026-04-05 00:10"), utc("2026-04-05 00:50")),)


def test_different_hours_per_weekday_and_split_shifts():
    calendar = BusinessCalendar(
        "America/Mexico_City",
        {
            "mon": [("09:00", "14:00"), ("16:00", "19:00")],
            "tue": [("09:00", "18:00")],
            "sat": [("10:00", "13:00")],
        },
    )
    # Monday: 1h before lunch, then 16:00 onwards.
    assert calendar.due_at(mx("2026-03-02 13:00"), 2) == mx("2026-03-02 17:00")
    # Monday evening 18:30 + 1h: 0.5h Monday, Tuesday 09:00 + 0.5h.
    assert calendar.due_at(mx("2026-03-02 18:30"), 1) == mx("2026-03-03 09:30")
    # Tuesday 17:00 + 3h: 1h Tuesday, Wednesday to Friday closed, Saturday 10:00 + 2h.
    assert calendar.due_at(mx("2026-03-03 17:00"), 3) == mx("2026-03-07 12:00")
    assert calendar.is_open(mx("2026-03-02 15:00")) is False
    assert calendar.is_open(mx("2026-03-02 16:00")) is True


def test_business_time_between(mexico):
    assert mexico.business_time_between(mx("2026-03-06 17:00"), mx("2026-03-09 10:00")) == timedelta(hours=2)
    assert mexico.business_time_between(mx("2026-03-09 10:00"), mx("2026-03-06 17:00")) == timedelta(hours=-2)
    assert mexico.business_time_between(mx("2026-03-07 10:00"), mx("2026-03-07 12:00")) == timedelta(0)
    # Friday 13th 12:00 to Tuesday 17th 12:00 skips the weekend and the Monday holiday.
    assert mexico.business_time_between(mx("2026-03-13 12:00"), mx("2026-03-17 12:00")) == timedelta(hours=9)


def test_company_holidays_from_data():
    records = [{"date": "2026-12-24", "name": " Nochebuena "}, "2026-12-31", date(2026, 12, 28)]
    company = holidays_from_records(records)
    assert company == [
        Holiday(date(2026, 12, 24), "Nochebuena"),
        Holiday(date(2026, 12, 31)),
        Holiday(date(2026, 12, 28)),
    ]
    calendar = mexico_city_calendar().with_holidays(company)
    # Wednesday 23rd 17:00 + 2h: 1h that day, 24th and 25th closed, weekend, 28th closed, Tuesday 29th.
    assert calendar.due_at(mx("2026-12-23 17:00"), 2) == mx("2026-12-29 10:00")
    assert Holiday(date(2026, 12, 25), "Navidad") in calendar.holidays(2026)
    assert calendar.is_holiday(date(2026, 12, 24))
    assert not mexico_city_calendar().is_holiday(date(2026, 12, 24))


@pytest.mark.parametrize(
    "record",
    [{"name": "no date"}, {"date": "24/12/2026"}, {"date": 20261224}, 42, datetime(2026, 12, 24, 10),
     {"date": "2026-12-24", "name": 7}],
)
def test_bad_holiday_records_are_refused(record):
    with pytest.raises(ValueError, match="holiday #0"):
        holidays_from_records([record])


# --- Mexico's statutory holidays ----------------------------------------------------------


def test_statutory_holidays_2026():
    assert [h.day for h in mexico_statutory_holidays(2026)] == [
        date(2026, 1, 1),
        date(2026, 2, 2),  # first Monday of February
        date(2026, 3, 16),  # third Monday of March
        date(2026, 5, 1),
        date(2026, 9, 16),
        date(2026, 11, 16),  # third Monday of November
        date(2026, 12, 25),
    ]
    assert all(h.name for h in mexico_statutory_holidays(2026))


@pytest.mark.parametrize(
    ("year", "transition"),
    [(2024, date(2024, 10, 1)), (2030, date(2030, 10, 1)), (2018, date(2018, 12, 1)), (2025, None), (2029, None)],
)
def test_presidential_transition_every_six_years(year, transition):
    named = [h.day for h in mexico_statutory_holidays(year) if h.name == "Transmisión del Poder Ejecutivo Federal"]
    assert named == ([transition] if transition else [])


@pytest.mark.parametrize(
    ("year", "february", "march", "november"),
    [
        (2024, date(2024, 2, 5), date(2024, 3, 18), date(2024, 11, 18)),
        (2025, date(2025, 2, 3), date(2025, 3, 17), date(2025, 11, 17)),
        (2027, date(2027, 2, 1), date(2027, 3, 15), date(2027, 11, 15)),
        # Before the 2006 reform the days were fixed dates.
        (2005, date(2005, 2, 5), date(2005, 3, 21), date(2005, 11, 20)),
    ],
)
def test_monday_holidays(year, february, march, november):
    days = {h.day for h in mexico_statutory_holidays(year)}
    assert {february, march, november} <= days
    assert len(days) == 7 + (year % 6 == 2)


def test_nth_weekday():
    assert nth_weekday(2026, 2, 0, 1) == date(2026, 2, 2)
    assert nth_weekday(2026, 3, 0, 5) == date(2026, 3, 30)
    with pytest.raises(ValueError):
        nth_weekday(2026, 2, 0, 5)


# --- SLA status --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        pytest.param("2026-03-02 09:00", SlaStatus.ON_TIME, id="just-opened"),
        pytest.param("2026-03-02 12:00", SlaStatus.ON_TIME, id="exactly-a-quarter-left"),
        pytest.param("2026-03-02 12:00:01", SlaStatus.AT_RISK, id="less-than-a-quarter-left"),
        pytest.param("2026-03-02 13:00", SlaStatus.AT_RISK, id="at-the-deadline"),
        pytest.param("2026-03-02 13:00:01", SlaStatus.BREACHED, id="past-the-deadline"),
        pytest.param("2026-03-05 10:00", SlaStatus.BREACHED, id="days-later"),
    ],
)
def test_status_in_one_day(mexico, now, expected):
    opened = mx("2026-03-02 09:00")
    due = mexico.due_at(opened, 4)
    assert due == mx("2026-03-02 13:00")
    assert mexico.status(due, mx(now), opened) == expected


def test_status_counts_business_time_not_wall_time(mexico):
    opened = mx("2026-03-06 17:00")
    due = mexico.due_at(opened, 4)
    assert due == mx("2026-03-09 12:00")
    # Monday 09:30: 2.5 of 67 wall hours remain, but 2.5 of 4 business hours: on time.
    assert mexico.status(due, mx("2026-03-09 09:30"), opened) == "on_time"
    # Saturday: the clock stands still over the weekend.
    assert mexico.status(due, mx("2026-03-07 20:00"), opened) == "on_time"
    assert mexico.status(due, mx("2026-03-09 11:30"), opened) == "at_risk"
    assert mexico.status(due, mx("2026-03-09 12:01"), opened) == "breached"


def test_status_with_a_configured_fraction():
    calendar = mexico_city_calendar(at_risk_fraction="0.5")
    opened = mx("2026-03-06 17:00")
    due = calendar.due_at(opened, 4)
    assert calendar.status(due, mx("2026-03-09 10:00"), opened) == SlaStatus.ON_TIME
    assert calendar.status(due, mx("2026-03-09 10:30"), opened) == SlaStatus.AT_RISK


def test_status_refuses_a_due_before_opening(mexico):
    with pytest.raises(ValueError, match="before opened_at"):
        mexico.status(mx("2026-03-02 09:00"), mx("2026-03-02 09:00"), mx("2026-03-02 10:00"))


# --- validation --------------------------------------------------------------------------


def test_naive_datetimes_are_refused(mexico):
    with pytest.raises(ValueError, match="start must be time-zone aware"):
        mexico.due_at(datetime(2026, 3, 2, 9), 1)
    with pytest.raises(ValueError, match="b must be time-zone aware"):
        mexico.business_time_between(mx("2026-03-02 09:00"), datetime(2026, 3, 2, 10))
    with pytest.raises(ValueError, match="now must be time-zone aware"):
        mexico.status(mx("2026-03-02 13:00"), datetime(2026, 3, 2, 10), mx("2026-03-02 09:00"))


@pytest.mark.parametrize(
    "hours",
    [-1, Decimal("-0.5"), -0.01, timedelta(minutes=-1), float("nan"), float("inf"), Decimal("NaN"), True, "4", None],
)
def test_bad_hours_are_refused(mexico, hours):
    with pytest.raises(ValueError, match="business_hours"):
        mexico.due_at(mx("2026-03-02 09:00"), hours)


def test_timedelta_hours_are_accepted(mexico):
    assert mexico.due_at(mx("2026-03-02 09:00"), timedelta(minutes=90)) == mx("2026-03-02 10:30")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"opening_hours": {"mon": [("18:00", "09:00")]}}, "opening 18:00 is not before closing 09:00 on mon"),
        ({"opening_hours": {"mon": [("09:00", "09:00")]}}, "opening 09:00 is not before closing 09:00 on mon"),
        ({"opening_hours": {"mon": [("09:00", "14:00"), ("13:00", "18:00")]}}, "overlap on mon"),
        ({"opening_hours": {"mon": [("9 am", "18:00")]}}, "not a time like 09:00"),
        ({"opening_hours": {"funday": [("09:00", "18:00")]}}, "weekday must be"),
        ({"opening_hours": {7: [("09:00", "18:00")]}}, "weekday must be"),
        ({"opening_hours": {"mon": [("09:00",)]}}, "must be \\(opens, closes\\)"),
        ({"opening_hours": {"mon": [(time(9, tzinfo=UTC), time(18))]}}, "wall time"),
        ({"opening_hours": {"sat": []}}, "open at least one weekday"),
        ({"opening_hours": {}}, "open at least one weekday"),
        ({"time_zone": "Mars/Olympus_Mons"}, "unknown time zone"),
        ({"at_risk_fraction": "1.5"}, "between 0 and 1"),
        ({"at_risk_fraction": "a lot"}, "must be a number"),
        ({"holidays": ["2026-12-24"]}, "Holiday or a date"),
    ],
)
def test_bad_calendars_are_refused(kwargs, message):
    arguments = {"time_zone": "America/Mexico_City", "opening_hours": {"mon": [("09:00", "18:00")]}, **kwargs}
    with pytest.raises(ValueError, match=message):
        BusinessCalendar(arguments.pop("time_zone"), arguments.pop("opening_hours"), **arguments)


def test_a_calendar_closed_for_years_stops_searching():
    def every_day(year: int) -> list[Holiday]:
        return [Holiday(date(year, 1, 1) + timedelta(days=n)) for n in range(366)]

    calendar = BusinessCalendar("UTC", {"mon": [("09:00", "10:00")]}, holiday_rules=[every_day])
    with pytest.raises(ValueError, match="no opening hours"):
        calendar.due_at(utc("2026-03-02 09:00"), 1)


# --- properties --------------------------------------------------------------------------

CALENDARS = [
    mexico_city_calendar(),
    BusinessCalendar(
        "Europe/Madrid",
        {"mon": [("09:00", "14:00"), ("15:00", "18:00")], "wed": [("09:00", "18:00")], "sun": [("00:00", "06:00")]},
    ),
    BusinessCalendar("America/New_York", {day: [("09:00", "17:00")] for day in range(5)}),
]
ZONES = st.sampled_from([MX, MADRID, NY, UTC])
# Half-hour wall times and half-hour spans land exactly on openings and closings often,
# where off-by-one mistakes live; arbitrary moments cover the rest.
half_hour_starts = st.builds(
    lambda day, slot, zone: datetime.combine(day, time(slot // 2, 30 * (slot % 2)), tzinfo=zone),
    st.dates(min_value=date(2025, 1, 1), max_value=date(2030, 12, 31)),
    st.integers(min_value=0, max_value=47),
    ZONES,
)
starts = st.one_of(
    half_hour_starts,
    st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2030, 12, 31), timezones=ZONES),
)
minutes = st.one_of(
    st.integers(min_value=0, max_value=240).map(lambda halves: 30 * halves),
    st.integers(min_value=0, max_value=120 * 60),
)


def _within_opening_hours(calendar: BusinessCalendar, moment: datetime) -> bool:
    day = moment.astimezone(calendar.zone).date()
    return any(opens <= moment <= closes for opens, closes in calendar.periods_on(day))


@settings(max_examples=150, deadline=None)
@given(calendar=st.sampled_from(CALENDARS), start=starts, m1=minutes, m2=minutes)
def test_adding_hours_in_two_steps_is_adding_them_at_once(calendar, start, m1, m2):
    h1, h2 = Fraction(m1, 60), Fraction(m2, 60)
    assert calendar.due_at(start, h1 + h2) == calendar.due_at(calendar.due_at(start, h1), h2)


@settings(max_examples=150, deadline=None)
@given(calendar=st.sampled_from(CALENDARS), start=starts, m=minutes)
def test_due_is_never_in_a_closed_period(calendar, start, m):
    due = calendar.due_at(start, Fraction(m, 60))
    assert due >= start
    assert _within_opening_hours(calendar, due)
    if m > 0:
        # A positive deadline is strictly after some business time has run.
        assert calendar.is_open(due - timedelta(microseconds=1))
    elif _within_opening_hours(calendar, start):
        assert due == start.astimezone(UTC)
    assert calendar.business_time_between(start, due) == timedelta(minutes=m)
    # A deadline is a moment in opening hours, so zero more hours leaves it where it is.
    assert calendar.due_at(due, 0) == due
