"""Incidents: their statuses, who may move them where, and the SLA of the first response. No database."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from portal_shared.auth import ADMIN, AGENT, DEVICE_ADMIN, OPERATOR, STOCK_DEVICE_ADMIN, Principal
from servicedesk_service.domain.calendar import BusinessCalendar, SlaStatus

OPEN = "open"
ACKNOWLEDGED = "acknowledged"
IN_PROGRESS = "in_progress"
RESOLVED = "resolved"
CLOSED = "closed"
CANCELLED = "cancelled"
STATUSES = (OPEN, ACKNOWLEDGED, IN_PROGRESS, RESOLVED, CLOSED, CANCELLED)

CUSTOMER = "customer"
VENDOR = "vendor"

# Who may open one: the company's admin, the device's own device admin, or an agent for the customer.
OPENING_ROLES = (ADMIN, DEVICE_ADMIN, STOCK_DEVICE_ADMIN, AGENT)
# Who may comment: both sides.
COMMENTING_ROLES = (ADMIN, DEVICE_ADMIN, STOCK_DEVICE_ADMIN, AGENT, OPERATOR)

# (from, to) -> the side that may make the move. Anything else is not a transition at all.
TRANSITIONS: dict[tuple[str, str], str] = {
    (OPEN, ACKNOWLEDGED): VENDOR,
    (ACKNOWLEDGED, IN_PROGRESS): VENDOR,
    (IN_PROGRESS, RESOLVED): VENDOR,
    (OPEN, CANCELLED): CUSTOMER,
    (RESOLVED, CLOSED): CUSTOMER,
}


def incident_number(year: int, sequence: int) -> str:
    """The number people quote for the year's `sequence`th incident: INC-2026-000123. Six digits
    keep a year's numbers sorting as text; a year past 999,999 incidents just grows a digit."""
    if sequence < 1:
        raise ValueError(f"incident sequence starts at 1, got {sequence}")
    return f"INC-{year}-{sequence:06d}"


class TransitionRefused(Exception):
    """`forbidden` when the move exists but belongs to the other side; otherwise it does not exist."""

    def __init__(self, message: str, *, forbidden: bool = False):
        super().__init__(message)
        self.message = message
        self.forbidden = forbidden


def side_of(principal: Principal) -> str:
    return VENDOR if principal.is_staff else CUSTOMER


def check_transition(current: str, target: str, side: str) -> None:
    allowed_side = TRANSITIONS.get((current, target))
    if allowed_side is None:
        raise TransitionRefused(f"An incident that is {current} cannot become {target}.")
    if allowed_side != side:
        raise TransitionRefused(f"Only the {allowed_side} may move an incident from {current} to {target}.",
                                forbidden=True)


@dataclass(frozen=True)
class Sla:
    response_due_at: datetime
    status: SlaStatus
    responded_at: datetime | None


def sla_of(
    calendar: BusinessCalendar, *, opened_at: datetime, response_due_at: datetime,
    acknowledged_at: datetime | None, ended_at: datetime | None, now: datetime,
) -> Sla:
    """A responded incident is judged by its response; one that ended unanswered (cancelled) by its end;
    any other by the clock."""
    if acknowledged_at is not None:
        status = SlaStatus.BREACHED if acknowledged_at > response_due_at else SlaStatus.ON_TIME
        return Sla(response_due_at, status, acknowledged_at)
    moment = ended_at if ended_at is not None else now
    return Sla(response_due_at, calendar.status(response_due_at, max(moment, opened_at), opened_at), None)
