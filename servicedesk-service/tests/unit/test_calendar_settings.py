"""The service calendar as an operator configures it: opening hours text, statutory holidays, a holidays file."""
from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from servicedesk_service.adapters.calendar_settings import calendar_from_config
from servicedesk_service.config import Config
from servicedesk_service.domain.calendar import parse_opening_hours

MEXICO = ZoneInfo("America/Mexico_City")


def mx(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=MEXICO)


def settings(**changes) -> dict:
    config = Config()
    return {name: getattr(config, name) for name in dir(config) if name.isupper()} | changes


def test_default_settings_are_weekdays_nine_to_six_in_mexico_city_with_statutory_holidays():
    calendar = calendar_from_config(settings())

    assert calendar.due_at(mx("2026-03-06 17:30"), 4) == mx("2026-03-09 12:30")  # Friday -> Monday
    # Monday 16 March 2026 is Benito Juárez's day (third Monday of March): closed.
    assert calendar.due_at(mx("2026-03-13 17:30"), 4) == mx("2026-03-17 12:30")


def test_saturday_mornings_count_when_the_hours_say_so():
    calendar = calendar_from_config(settings(SERVICE_HOURS="mon-fri 09:00-18:00; sat 09:00-13:00"))

    assert calendar.due_at(mx("2026-03-06 17:30"), 4) == mx("2026-03-07 12:30")  # Saturday


def test_split_days_and_no_statutory_holidays():
    calendar = calendar_from_config(settings(SERVICE_HOURS="mon-fri 09:00-14:00,16:00-19:00",
                                             SERVICE_STATUTORY_HOLIDAYS="none"))

    assert calendar.due_at(mx("2026-03-13 13:00"), 2) == mx("2026-03-13 17:00")  # lunch skipped
    assert calendar.due_at(mx("2026-03-13 18:30"), 1) == mx("2026-03-16 09:30")  # the holiday is worked


def test_company_holidays_come_from_a_json_file(tmp_path):
    holidays = tmp_path / "holidays.json"
    holidays.write_text(json.dumps([{"date": "2026-12-24", "name": "Nochebuena"}, "2026-12-31"]), encoding="utf-8")

    calendar = calendar_from_config(settings(SERVICE_HOLIDAYS_FILE=str(holidays)))

    # Wednesday 23rd 17:00 + 2h: 1h on the 23rd, the 24th and 25th closed, Saturday and Sunday too.
    assert calendar.due_at(mx("2026-12-23 17:00"), 2) == mx("2026-12-28 10:00")


@pytest.mark.parametrize("changes, named", [
    ({"SERVICE_HOURS": "weekdays 9-6"}, "not a day"),
    ({"SERVICE_HOURS": "mon-fri"}, "name the days, then the periods"),
    ({"SERVICE_HOURS": "fri-mon 09:00-18:00"}, "backwards"),
    ({"SERVICE_HOURS": "mon 18:00-09:00"}, "not before closing"),
    ({"SERVICE_HOURS": "mon-fri 09:00-18:00; wed 10:00-11:00"}, "given twice"),
    ({"SERVICE_CALENDAR_ZONE": "Mexico/Atlantis"}, "unknown time zone"),
    ({"SERVICE_STATUTORY_HOLIDAYS": "US"}, "MX or none"),
])
def test_a_wrong_setting_stops_the_start_naming_what_is_wrong(changes, named):
    with pytest.raises(RuntimeError, match=named):
        calendar_from_config(settings(**changes))


def test_an_unreadable_holidays_file_stops_the_start(tmp_path):
    broken = tmp_path / "holidays.json"
    broken.write_text("[2026-12-24]", encoding="utf-8")
    with pytest.raises(RuntimeError, match="SERVICE_HOLIDAYS_FILE"):
        calendar_from_config(settings(SERVICE_HOLIDAYS_FILE=str(broken)))
    with pytest.raises(RuntimeError, match="SERVICE_HOLIDAYS_FILE"):
        calendar_from_config(settings(SERVICE_HOLIDAYS_FILE=str(tmp_path / "missing.json")))


def test_opening_hours_text_reads_as_the_calendar_takes_it():
    assert parse_opening_hours("mon-wed 09:00-18:00; sat 10:00-12:00,13:00-14:00") == {
        "mon": [("09:00", "18:00")], "tue": [("09:00", "18:00")], "wed": [("09:00", "18:00")],
        "sat": [("10:00", "12:00"), ("13:00", "14:00")],
    }
