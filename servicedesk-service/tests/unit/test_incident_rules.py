"""Incident rules without a database: the transition table and how the SLA of a response is judged."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from servicedesk_service.domain import incidents as rules
from servicedesk_service.domain.calendar import SlaStatus, mexico_city_calendar

MEXICO = ZoneInfo("America/Mexico_City")
OPENED = datetime(2026, 3, 6, 17, 30, tzinfo=MEXICO)  # Friday
DUE = datetime(2026, 3, 9, 12, 30, tzinfo=MEXICO)      # Monday


def test_mexico_city_calendar_gives_monday_1230_for_friday_1730():
    assert mexico_city_calendar().due_at(OPENED, 4) == DUE


@pytest.mark.parametrize("current, target, side", sorted(
    (current, target, side) for (current, target), side in rules.TRANSITIONS.items()))
def test_listed_transitions_pass_for_their_side(current, target, side):
    rules.check_transition(current, target, side)


@pytest.mark.parametrize("current, target, side", [
    (rules.OPEN, rules.ACKNOWLEDGED, rules.CUSTOMER),
    (rules.RESOLVED, rules.CLOSED, rules.VENDOR),
    (rules.OPEN, rules.CANCELLED, rules.VENDOR),
])
def test_the_other_sides_move_is_forbidden(current, target, side):
    with pytest.raises(rules.TransitionRefused) as refused:
        rules.check_transition(current, target, side)
    assert refused.value.forbidden


@pytest.mark.parametrize("current, target", [
    (rules.OPEN, rules.RESOLVED), (rules.ACKNOWLEDGED, rules.CANCELLED), (rules.CLOSED, rules.OPEN),
    (rules.CANCELLED, rules.ACKNOWLEDGED), (rules.OPEN, rules.OPEN), (rules.RESOLVED, rules.IN_PROGRESS),
])
@pytest.mark.parametrize("side", [rules.CUSTOMER, rules.VENDOR])
def test_moves_outside_the_table_do_not_exist(current, target, side):
    with pytest.raises(rules.TransitionRefused) as refused:
        rules.check_transition(current, target, side)
    assert not refused.value.forbidden


def sla(**kwargs):
    values = {"opened_at": OPENED, "response_due_at": DUE, "acknowledged_at": None, "ended_at": None,
              "now": OPENED, **kwargs}
    return rules.sla_of(mexico_city_calendar(), **values)


def test_unanswered_incident_follows_the_clock():
    assert sla(now=OPENED + timedelta(minutes=5)).status is SlaStatus.ON_TIME
    assert sla(now=DUE - timedelta(minutes=30)).status is SlaStatus.AT_RISK
    assert sla(now=DUE + timedelta(seconds=1)).status is SlaStatus.BREACHED


def test_response_is_judged_against_the_due_time_whatever_the_clock_says():
    in_time = sla(acknowledged_at=DUE - timedelta(minutes=1), now=DUE + timedelta(days=30))
    late = sla(acknowledged_at=DUE + timedelta(minutes=1), now=DUE + timedelta(days=30))

    assert (in_time.status, in_time.responded_at) == (SlaStatus.ON_TIME, DUE - timedelta(minutes=1))
    assert late.status is SlaStatus.BREACHED


def test_cancelled_unanswered_incident_is_judged_when_it_ended():
    assert sla(ended_at=OPENED + timedelta(minutes=10), now=DUE + timedelta(days=3)).status is SlaStatus.ON_TIME
