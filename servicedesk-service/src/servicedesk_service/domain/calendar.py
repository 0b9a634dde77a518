"""Business-hours calendar for response deadlines.

Opening hours are local wall time in the calendar's zone. Each business day's opening and
closing are converted to UTC separately, so a day after a clock change opens at the same
local hour and the business time of a day is the real time elapsed while open. All
arithmetic is on whole microseconds (timedelta), so adding hours in two steps gives exactly
the same deadline as adding them at once.
"""
from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal, InvalidOperation, ROUND_HALF_EVEN
from fractions import Fraction
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from servicedesk_service.domain.holidays_mx import Holiday, mexico_statutory_holidays

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_AT_RISK_FRACTION = Decimal("0.25")
# A calendar whose holidays close every day would make a deadline search run forever.
_MAX_CLOSED_DAYS_IN_A_ROW = 3 * 366
_MICROSECONDS_PER_HOUR = 3_600_000_000

Period = tuple[time, time]
HolidayRule = Callable[[int], Iterable[Holiday]]


class SlaStatus(enum.StrEnum):
    ON_TIME = "on_time"
    AT_RISK = "at_risk"
    BREACHED = "breached"


class BusinessCalendar:
    """Opening hours per weekday in one time zone, minus public holidays."""

    def __init__(
        self,
        time_zone: str,
        opening_hours: Mapping[int | str, Sequence[tuple[time | str, time | str]]],
        *,
        holidays: Iterable[Holiday | date] = (),
        holiday_rules: Sequence[HolidayRule] = (),
        at_risk_fraction: Decimal | float | int | str = DEFAULT_AT_RISK_FRACTION,
    ) -> None:
        try:
            self.zone = ZoneInfo(time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {time_zone!r}") from None
        self.time_zone = time_zone
        self.week: tuple[tuple[Period, ...], ...] = _parse_week(opening_hours)
        self._fixed_holidays: dict[date, str] = {}
        for holiday in holidays:
            if isinstance(holiday, Holiday):
                self._fixed_holidays[holiday.day] = holiday.name
            elif type(holiday) is date:
                self._fixed_holidays[holiday] = ""
            else:
                raise ValueError(f"holiday must be a Holiday or a date, got {holiday!r}")
        self._holiday_rules = tuple(holiday_rules)
        self.at_risk_fraction = _parse_fraction(at_risk_fraction)
        self._holidays_of_year = lru_cache(maxsize=64)(self._compute_holidays_of_year)
        self._periods_of_day = lru_cache(maxsize=4096)(self._compute_periods_of_day)

    def with_holidays(self, extra: Iterable[Holiday | date]) -> BusinessCalendar:
        """The same calendar with more holidays, e.g. company days read with holidays_from_records."""
        return BusinessCalendar(
            self.time_zone,
            {day: periods for day, periods in enumerate(self.week)},
            holidays=[*(Holiday(d, n) for d, n in self._fixed_holidays.items()), *extra],
            holiday_rules=self._holiday_rules,
            at_risk_fraction=self.at_risk_fraction,
        )

    # --- holidays -------------------------------------------------------------------------

    def holidays(self, year: int) -> list[Holiday]:
        """Every holiday of a year, rule-based and fixed, in date order."""
        return sorted(Holiday(day, name) for day, name in self._holidays_of_year(year).items())

    def is_holiday(self, day: date) -> bool:
        return day in self._holidays_of_year(day.year)

    def _compute_holidays_of_year(self, year: int) -> dict[date, str]:
        days: dict[date, str] = {}
        for rule in self._holiday_rules:
            for holiday in rule(year):
                days.setdefault(holiday.day, holiday.name)
        for day, name in self._fixed_holidays.items():
            if day.year == year:
                days.setdefault(day, name)
        return days

    # --- business periods -----------------------------------------------------------------

    def periods_on(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        """The open periods of a local calendar day as (opening, closing) UTC datetimes."""
        return self._periods_of_day(day)

    def _compute_periods_of_day(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        if self.is_holiday(day):
            return ()
        periods = []
        for opens, closes in self.week[day.weekday()]:
            start, end = self._local_to_utc(day, opens), self._local_to_utc(day, closes)
            # A period lying wholly in a skipped hour does not exist that day.
            if start < end:
                periods.append((start, end))
        return tuple(periods)

    def _local_to_utc(self, day: date, wall: time) -> datetime:
        """A wall-clock time of a day as UTC. A repeated time (clocks going back) is its first
        occurrence; a skipped time (clocks going forward) is the moment the clock jumps."""
        local = datetime.combine(day, wall, tzinfo=self.zone)
        first = local.replace(fold=0).astimezone(timezone.utc)
        second = local.replace(fold=1).astimezone(timezone.utc)
        if first <= second:
            # Existing (same) or repeated (first is earlier) wall time.
            return first
        # Skipped: fold=1 reads the time with the later offset and lands before the jump,
        # fold=0 with the earlier offset and lands after it. Find the jump to the second.
        low, high = second, first
        offset_before = low.astimezone(self.zone).utcoffset()
        while high - low > timedelta(seconds=1):
            middle = low + (high - low) / 2
            if middle.astimezone(self.zone).utcoffset() == offset_before:
                low = middle
            else:
                high = middle
        return high.replace(microsecond=0)

    def _periods_from(self, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Open periods in time order, from the local day of a moment onwards."""
        day = moment.astimezone(self.zone).date()
        closed_in_a_row = 0
        while True:
            periods = self.periods_on(day)
            if periods:
                closed_in_a_row = 0
                yield from periods
            else:
                closed_in_a_row += 1
                if closed_in_a_row > _MAX_CLOSED_DAYS_IN_A_ROW:
                    raise ValueError(f"the calendar has no opening hours for years after {moment.isoformat()}")
            day += timedelta(days=1)

    # --- deadlines ------------------------------------------------------------------------

    def due_at(self, start: datetime, business_hours: int | float | Decimal | Fraction | timedelta) -> datetime:
        """The UTC moment when the given business time has elapsed since start.

        Counting begins at start if the calendar is open then, else at the next opening.
        A deadline reached exactly at closing is that closing, not the next opening. With zero
        hours the result is start when it is within opening hours (closing included), else the
        next opening.
        """
        start = _require_aware(start, "start")
        remaining = to_business_duration(business_hours)
        for opens, closes in self._periods_from(start):
            if closes < start:
                continue
            begin = max(opens, start)
            available = closes - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        raise AssertionError("unreachable: _periods_from never ends")  # pragma: no cover

    def business_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Business time from a to b; negative when b is before a."""
        a, b = _require_aware(a, "a"), _require_aware(b, "b")
        if b < a:
            return -self.business_time_between(b, a)
        total = timedelta(0)
        for opens, closes in self._periods_from(a):
            if opens >= b:
                break
            overlap = min(closes, b) - max(opens, a)
            if overlap > timedelta(0):
                total += overlap
        return total

    def is_open(self, moment: datetime) -> bool:
        """Whether the calendar is open at a moment (opening included, closing excluded)."""
        moment = _require_aware(moment, "moment")
        day = moment.astimezone(self.zone).date()
        return any(opens <= moment < closes for opens, closes in self.periods_on(day))

    def status(self, due_at: datetime, now: datetime, opened_at: datetime) -> SlaStatus:
        """on_time, at_risk when less than at_risk_fraction of the business time between
        opening and due remains, or breached once now is past due."""
        due_at = _require_aware(due_at, "due_at")
        now = _require_aware(now, "now")
        opened_at = _require_aware(opened_at, "opened_at")
        if due_at < opened_at:
            raise ValueError(f"due_at {due_at.isoformat()} is before opened_at {opened_at.isoformat()}")
        if now > due_at:
            return SlaStatus.BREACHED
        allowed = self.business_time_between(opened_at, due_at)
        remaining = self.business_time_between(now, due_at)
        # Compare whole microseconds so the fraction needs no float rounding.
        allowed_us = _microseconds(allowed)
        remaining_us = _microseconds(remaining)
        if Decimal(remaining_us) < self.at_risk_fraction * allowed_us:
            return SlaStatus.AT_RISK
        return SlaStatus.ON_TIME


def mexico_city_calendar(
    company_holidays: Iterable[Holiday | date] = (),
    *,
    at_risk_fraction: Decimal | float | int | str = DEFAULT_AT_RISK_FRACTION,
) -> BusinessCalendar:
    """The default service calendar: Monday to Friday 09:00–18:00 in Mexico City (no daylight
    saving since 2022; the zone data knows the history), statutory holidays closed."""
    weekday_hours = [(time(9), time(18))]
    return BusinessCalendar(
        "America/Mexico_City",
        {day: weekday_hours for day in range(5)},
        holidays=company_holidays,
        holiday_rules=(mexico_statutory_holidays,),
        at_risk_fraction=at_risk_fraction,
    )


def parse_opening_hours(text: str) -> dict[str, list[tuple[str, str]]]:
    """Opening hours as an operator writes them in a setting: "mon-fri 09:00-18:00; sat 09:00-13:00".

    Groups are separated by ";", each a day or a range of days and one or more periods separated
    by ","; a day may have several periods ("mon-fri 09:00-14:00,15:00-19:00"). Checked further
    (overlaps, opening before closing) by BusinessCalendar itself.
    """
    week: dict[str, list[tuple[str, str]]] = {}
    for group in (part.strip() for part in text.split(";")):
        if not group:
            continue
        days, _, periods = group.partition(" ")
        if not periods.strip():
            raise ValueError(f"opening hours {group!r}: name the days, then the periods, e.g. 'mon-fri 09:00-18:00'")
        for day in _day_range(days.strip().lower()):
            if day in week:
                raise ValueError(f"opening hours: {day} is given twice")
            week[day] = [_period_text(period.strip(), group) for period in periods.split(",")]
    if not week:
        raise ValueError("opening hours are empty")
    return week


def _day_range(text: str) -> list[str]:
    first, _, last = text.partition("-")
    for name in (first, last or first):
        if name not in WEEKDAY_NAMES:
            raise ValueError(f"opening hours: {name!r} is not a day (use {', '.join(WEEKDAY_NAMES)})")
    start, end = WEEKDAY_NAMES.index(first), WEEKDAY_NAMES.index(last or first)
    if end < start:
        raise ValueError(f"opening hours: the days {text!r} run backwards")
    return list(WEEKDAY_NAMES[start:end + 1])


def _period_text(text: str, group: str) -> tuple[str, str]:
    opens, dash, closes = text.partition("-")
    if not dash:
        raise ValueError(f"opening hours {group!r}: a period is HH:MM-HH:MM, got {text!r}")
    return opens.strip(), closes.strip()


def configured_calendar(
    time_zone: str,
    opening_hours: str,
    *,
    statutory_holidays: str = "MX",
    holidays: Iterable[Holiday | date] = (),
    at_risk_fraction: Decimal | float | int | str = DEFAULT_AT_RISK_FRACTION,
) -> BusinessCalendar:
    """The service calendar from an operator's settings; statutory_holidays is "MX" (Mexico's,
    by the Ley Federal del Trabajo) or "none" (only the listed holidays close)."""
    rules_by_country: dict[str, tuple[HolidayRule, ...]] = {"mx": (mexico_statutory_holidays,), "none": ()}
    try:
        rules = rules_by_country[statutory_holidays.strip().lower()]
    except KeyError:
        raise ValueError(f"statutory holidays must be MX or none, got {statutory_holidays!r}") from None
    return BusinessCalendar(time_zone, parse_opening_hours(opening_hours), holidays=holidays,
                            holiday_rules=rules, at_risk_fraction=at_risk_fraction)


def to_business_duration(business_hours: int | float | Decimal | Fraction | timedelta) -> timedelta:
    """Hours (or a timedelta) as a whole-microsecond timedelta; negative or non-finite refused."""
    if isinstance(business_hours, bool):
        raise ValueError("business_hours must be a number of hours, not a boolean")
    if isinstance(business_hours, timedelta):
        duration = business_hours
    elif isinstance(business_hours, (int, Fraction)):
        duration = timedelta(microseconds=round(Fraction(business_hours) * _MICROSECONDS_PER_HOUR))
    elif isinstance(business_hours, (float, Decimal)):
        # repr of a float is its shortest exact spelling: 0.1 stays one tenth of an hour.
        hours = Decimal(repr(business_hours)) if isinstance(business_hours, float) else business_hours
        if not hours.is_finite():
            raise ValueError(f"business_hours must be finite, got {business_hours!r}")
        micro = (hours * _MICROSECONDS_PER_HOUR).to_integral_value(rounding=ROUND_HALF_EVEN)
        duration = timedelta(microseconds=int(micro))
    else:
        raise ValueError(f"business_hours must be a number of hours, got {business_hours!r}")
    if duration < timedelta(0):
        raise ValueError(f"business_hours must not be negative, got {business_hours!r}")
    return duration


def _microseconds(delta: timedelta) -> int:
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _require_aware(moment: datetime, name: str) -> datetime:
    if not isinstance(moment, datetime):
        raise ValueError(f"{name} must be a datetime, got {moment!r}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be time-zone aware, got naive {moment.isoformat()}")
    return moment.astimezone(timezone.utc)


def _parse_fraction(value: Decimal | float | int | str) -> Decimal:
    try:
        fraction = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ValueError(f"at_risk_fraction must be a number, got {value!r}") from None
    if isinstance(value, bool) or not fraction.is_finite() or not 0 <= fraction <= 1:
        raise ValueError(f"at_risk_fraction must be between 0 and 1, got {value!r}")
    return fraction


def _parse_week(
    opening_hours: Mapping[int | str, Sequence[tuple[time | str, time | str]]],
) -> tuple[tuple[Period, ...], ...]:
    if not isinstance(opening_hours, Mapping):
        raise ValueError("opening_hours must map weekdays to lists of (opens, closes)")
    week: list[tuple[Period, ...]] = [() for _ in range(7)]
    seen: set[int] = set()
    for key, periods in opening_hours.items():
        weekday = _parse_weekday(key)
        if weekday in seen:
            raise ValueError(f"{WEEKDAY_NAMES[weekday]} is given twice in opening_hours")
        seen.add(weekday)
        parsed = sorted(_parse_period(period, weekday) for period in periods or ())
        for (_, earlier_close), (later_open, _) in zip(parsed, parsed[1:]):
            if later_open < earlier_close:
                raise ValueError(f"opening periods overlap on {WEEKDAY_NAMES[weekday]}")
        week[weekday] = tuple(parsed)
    if not any(week):
        raise ValueError("the calendar must be open at least one weekday")
    return tuple(week)


def _parse_weekday(key: int | str) -> int:
    if isinstance(key, str) and key.strip().lower()[:3] in WEEKDAY_NAMES:
        return WEEKDAY_NAMES.index(key.strip().lower()[:3])
    if isinstance(key, int) and not isinstance(key, bool) and 0 <= key <= 6:
        return key
    raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday) or a name like 'mon', got {key!r}")


def _parse_period(period: tuple[time | str, time | str], weekday: int) -> Period:
    day_name = WEEKDAY_NAMES[weekday]
    try:
        raw_opens, raw_closes = period
    except (TypeError, ValueError):
        raise ValueError(f"opening period on {day_name} must be (opens, closes), got {period!r}") from None
    opens, closes = _parse_time(raw_opens, day_name), _parse_time(raw_closes, day_name)
    if opens >= closes:
        raise ValueError(
            f"opening {opens.isoformat('minutes')} is not before closing {closes.isoformat('minutes')} on {day_name}"
        )
    return opens, closes


def _parse_time(value: time | str, day_name: str) -> time:
    if isinstance(value, str):
        try:
            value = time.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"{value!r} on {day_name} is not a time like 09:00") from None
    if not isinstance(value, time):
        raise ValueError(f"opening hours on {day_name} must be times, got {value!r}")
    if value.tzinfo is not None:
        raise ValueError(f"opening hours on {day_name} are wall time in the calendar's zone; {value!r} has its own")
    return value
