"""Statements of account as the month-end run makes them, for the cross-service suites."""
from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime, time, timezone
from zoneinfo import ZoneInfo

from billing_service.config import Config
from billing_service.domain.calendar import Period
from billing_service.service_layer.context import build_context
from billing_service.service_layer.statements import state_period
from portal_shared.db import make_session_factory, transaction
from stack import Stack

MEXICO_CITY = ZoneInfo("America/Mexico_City")


def state_month_as_its_end_would(stack: Stack, period: Period, customer_id: str) -> list[str]:
    """What the month-end run does on the first of next month, with billing's own use case.

    The operator's API states a month only once it has ended; what a test records today is in
    this month, so the run is made with the clock at the start of next month instead.
    """
    first_of_next = datetime.combine(period.end, time(0, 30), tzinfo=MEXICO_CITY).astimezone(timezone.utc)
    context = replace(build_context(Config().as_dict(), make_session_factory(stack.db("billing"))),
                      clock=lambda: first_of_next)
    with transaction(context.session_factory) as session:
        result = state_period(context, session, period, customer_id=uuid.UUID(customer_id))
    return result.generated
