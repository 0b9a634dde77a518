"""The service calendar as the settings describe it, with the company holidays read from their file."""
from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from servicedesk_service.domain.calendar import BusinessCalendar, configured_calendar
from servicedesk_service.domain.holidays_mx import holidays_from_records


def calendar_from_config(config: Mapping[str, Any]) -> BusinessCalendar:
    """Raises RuntimeError naming the setting that is wrong, so a bad deployment fails at start."""
    holidays = []
    path = config.get("SERVICE_HOLIDAYS_FILE") or ""
    if path:
        try:
            records = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise RuntimeError(f"SERVICE_HOLIDAYS_FILE {path!r} cannot be read as JSON: {exc}") from exc
        if not isinstance(records, list):
            raise RuntimeError(f"SERVICE_HOLIDAYS_FILE {path!r} must hold a JSON list of dates")
        try:
            holidays = holidays_from_records(records)
        except ValueError as exc:
            raise RuntimeError(f"SERVICE_HOLIDAYS_FILE {path!r}: {exc}") from exc
    try:
        return configured_calendar(
            config["SERVICE_CALENDAR_ZONE"], config["SERVICE_HOURS"],
            statutory_holidays=config["SERVICE_STATUTORY_HOLIDAYS"], holidays=holidays,
            at_risk_fraction=config["SLA_AT_RISK_FRACTION"],
        )
    except ValueError as exc:
        raise RuntimeError(f"service calendar settings (SERVICE_CALENDAR_ZONE, SERVICE_HOURS, "
                           f"SERVICE_STATUTORY_HOLIDAYS, SLA_AT_RISK_FRACTION): {exc}") from exc
