"""The notification mails' words, without a database."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from identity_service.domain import notifications
from identity_service.domain.notifications import IncidentFacts

FACTS = IncidentFacts(number="INC-2026-000007", serial_number="SN1", link="http://portal.test/incidents/x")


@pytest.mark.parametrize("period, spanish, english", [
    ("2026-01", "enero de 2026", "January 2026"),
    ("2026-11", "noviembre de 2026", "November 2026"),
    ("2027-12", "diciembre de 2027", "December 2027"),
])
def test_a_period_is_said_as_a_month_in_each_language(period, spanish, english):
    assert notifications.period_names(period) == (spanish, english)


def test_a_status_or_category_added_elsewhere_is_said_as_it_is():
    mail = notifications.incident_status_changed(FACTS, name="Ana", from_status="open", to_status="on_hold",
                                                 changed_at=datetime(2026, 12, 7, 16, 0, tzinfo=timezone.utc),
                                                 time_zone="America/Mexico_City")
    assert "«Abierta» a «on_hold»" in mail.text and "“Open” to “on_hold”" in mail.text


def test_a_long_description_is_cut_and_the_rest_left_to_the_portal():
    mail = notifications.incident_opened(
        FACTS, name="Ana", model="iR", category="other", description="palabra " * 200,
        opened_at=datetime(2026, 12, 7, 16, 0, tzinfo=timezone.utc),
        response_due_at=datetime(2026, 12, 7, 20, 0, tzinfo=timezone.utc), time_zone="America/Mexico_City")
    described = next(line for line in mail.text.splitlines() if line.startswith("Descripción: "))
    assert len(described) <= len("Descripción: ") + notifications.DESCRIPTION_CHARS and described.endswith("…")
