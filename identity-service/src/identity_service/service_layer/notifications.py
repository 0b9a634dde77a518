"""Telling people what happened elsewhere in the portal, from the events of billing and servicedesk.

identity holds every person's current address, status and roles, so it decides who is told: a
disabled user, or one without an address, is not. Each mail goes through the outbox in the
consumer's transaction, which also records the event in the inbox: one event, one mail each.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal_shared.auth.roles import BILLING
from portal_shared.contracts import Event
from portal_shared.logging import log_fields
from portal_shared.outbox import Outbox

from identity_service.adapters.orm import Customer, User, UserRole, outbox_table
from identity_service.domain import notifications
from identity_service.domain.mail import MailMessage
from identity_service.domain.model import ACTIVE

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Notifier:
    """What the consumer's handlers need: where the portal is, the zone times are written in, the outbox."""

    portal_base_url: str
    time_zone: str
    outbox: Outbox = field(default_factory=lambda: Outbox(outbox_table))

    def __post_init__(self) -> None:
        # Refused at start, not at the first mail: a consumer that fails on every event only fills its dead letters.
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"MAIL_TIME_ZONE: unknown time zone {self.time_zone!r}") from None

    def link(self, path: str) -> str:
        return f"{self.portal_base_url}{path}"

    def send(self, session: Session, users: Iterable[User], compose) -> int:
        """One mail to each user, composed for that user; the number sent."""
        sent = 0
        for user in users:
            message: MailMessage = compose(user)
            self.outbox.add_mail(session, to=user.email, subject=message.subject, text=message.text)
            sent += 1
        return sent


def _reachable(query: sa.Select) -> sa.Select:
    return query.where(User.status == ACTIVE, User.email.is_not(None)).order_by(User.email)


def billing_users(session: Session, customer_id: str) -> list[User]:
    return list(session.scalars(_reachable(
        sa.select(User).join(UserRole, UserRole.user_id == User.id)
        .where(User.customer_id == customer_id, UserRole.role == BILLING)
    )))


def incident_people(session: Session, event: Event) -> list[User]:
    """The person who opened the incident and the device's admins: each once, and a customer's user
    only if of the incident's customer (staff, who open on a customer's behalf, have none)."""
    data = event.data
    wanted = {str(user_id) for user_id in data["device_admin_ids"]}
    if data["opened_by"] is not None:
        wanted.add(str(data["opened_by"]))
    if not wanted:
        return []
    customer_id = str(data["customer_id"])
    return list(session.scalars(_reachable(
        sa.select(User).where(User.id.in_(wanted),
                              sa.or_(User.customer_id == customer_id, User.customer_id.is_(None)))
    )))


def statement_published(notifier: Notifier, session: Session, event: Event) -> None:
    """billing.statement.published v1: each billing user of the company learns it can be downloaded."""
    data = event.data
    customer = session.get(Customer, str(data["customer_id"]))
    if customer is None:
        log.warning("statement of an unknown customer; nobody to tell",
                    extra=log_fields({"customer_id": str(data["customer_id"])}))
        return
    sent = notifier.send(session, billing_users(session, customer.id), lambda user: notifications.statement_published(
        name=user.name, company=customer.name, account_number=data["account_number"], period=data["period"],
        closing_mxn=data["closing_balance_mxn"], closing_usd=data["closing_balance_usd"],
        link=notifier.link("/statements"),
    ))
    log.info("statement mailed", extra=log_fields({"statement_id": data["statement_id"], "mails": sent}))


def _facts(notifier: Notifier, data: dict) -> notifications.IncidentFacts:
    return notifications.IncidentFacts(number=data["number"], serial_number=data["serial_number"],
                                       link=notifier.link(f"/incidents/{data['incident_id']}"))


def incident_opened(notifier: Notifier, session: Session, event: Event) -> None:
    """servicedesk.incident.opened v2: the opener and the device's admins get its number."""
    data = event.data
    facts = _facts(notifier, data)
    sent = notifier.send(session, incident_people(session, event), lambda user: notifications.incident_opened(
        facts, name=user.name, model=data["model"], category=data["category"], description=data["description"],
        opened_at=data["opened_at"], response_due_at=data["response_due_at"], time_zone=notifier.time_zone,
    ))
    log.info("incident opening mailed", extra=log_fields({"incident": data["number"], "mails": sent}))


def incident_status_changed(notifier: Notifier, session: Session, event: Event) -> None:
    """servicedesk.incident.status_changed v1: the same people learn its new status."""
    data = event.data
    facts = _facts(notifier, data)
    sent = notifier.send(session, incident_people(session, event), lambda user: notifications.incident_status_changed(
        facts, name=user.name, from_status=data["from_status"], to_status=data["to_status"],
        changed_at=data["changed_at"], time_zone=notifier.time_zone,
    ))
    log.info("incident status mailed", extra=log_fields({"incident": data["number"], "mails": sent}))
