"""servicedesk.meter_reading.accepted v1 → usage per account and month; and a month's usage summary."""
from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from billing_service.adapters.orm import BillingAccount, MeterUsage
from billing_service.domain.calendar import Period
from billing_service.domain.usage import reading_usage
from billing_service.service_layer.context import BillingContext
from portal_shared.contracts import Event
from portal_shared.logging import log_fields

log = logging.getLogger(__name__)


class AccountNotKnown(Exception):
    """A reading for an account billing has not learnt yet: retried, then dead-lettered, never lost."""


def meter_reading_accepted(_ctx: BillingContext, session: Session, event: Event) -> None:
    """Record the reading's usage once: the inbox drops a redelivery, the reading id a re-announcement.

    Only for the account's own customer: a device filed under another customer's account would put
    one customer's usage on another's statement, so such a reading is refused (logged), not booked."""
    data = event.data
    if session.get(MeterUsage, data["reading_id"]) is not None:
        return
    owner = session.scalar(sa.select(BillingAccount.customer_id).where(BillingAccount.account_number == data["account_number"]))
    if owner is None:
        raise AccountNotKnown(f"account {data['account_number']} is not known to billing (yet)")
    if owner != data["customer_id"]:
        log.error("meter reading refused: the account belongs to another customer", extra=log_fields(
            reading_id=str(data["reading_id"]), account_number=data["account_number"],
            device_customer_id=str(data["customer_id"]), account_customer_id=str(owner)))
        return
    session.add(
        MeterUsage(
            reading_id=data["reading_id"],
            customer_id=data["customer_id"],
            account_number=data["account_number"],
            period=str(Period.containing(data["read_on"])),
            device_id=data["device_id"],
            serial_number=data["serial_number"],
            counter=data["counter"],
            series=data["series"],
            value=data["value"],
            previous_value=data["previous_value"],
            usage=reading_usage(data["value"], data["previous_value"]),
            read_on=data["read_on"],
            recorded_at=data["recorded_at"],
        )
    )
    session.flush()


def months_usage(session: Session, account_numbers: Sequence[str], period: str) -> dict[str, list[dict]]:
    """Each named account's usage in the month by device and counter, in a stable order: one query
    for all of them, as a period's statements need it for thousands of accounts at once."""
    usage: dict[str, list[dict]] = defaultdict(list)
    if not account_numbers:
        return usage
    rows = session.execute(
        sa.select(MeterUsage.account_number, MeterUsage.serial_number, MeterUsage.counter, sa.func.sum(MeterUsage.usage))
        .where(MeterUsage.account_number.in_(account_numbers), MeterUsage.period == period)
        .group_by(MeterUsage.account_number, MeterUsage.serial_number, MeterUsage.counter)
        .order_by(MeterUsage.account_number, MeterUsage.serial_number, MeterUsage.counter)
    ).all()
    for account_number, serial, counter, total in rows:
        usage[account_number].append({"serial_number": serial, "counter": counter, "usage": int(total)})
    return usage
