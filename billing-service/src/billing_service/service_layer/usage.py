"""servicedesk.meter_reading.accepted (v2: every counter of a device's day; v1: one counter) → usage per
account and month; and a month's usage summary."""
from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

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


def usage_key(reading_id: uuid.UUID, counter: str) -> uuid.UUID:
    """The key of one counter's usage within a v2 reading: the same reading and counter always give
    the same key, so a redelivered or re-announced reading books nothing twice."""
    return uuid.uuid5(reading_id, counter)


def _account_owner_agrees(session: Session, data: Mapping[str, Any]) -> bool:
    """Only the account's own customer's readings are booked: a device filed under another
    customer's account would put one customer's usage on another's statement, so such a reading is
    refused (logged), not booked. An account billing has not learnt yet is retried."""
    owner = session.scalar(sa.select(BillingAccount.customer_id).where(BillingAccount.account_number == data["account_number"]))
    if owner is None:
        raise AccountNotKnown(f"account {data['account_number']} is not known to billing (yet)")
    if owner != data["customer_id"]:
        log.error("meter reading refused: the account belongs to another customer", extra=log_fields(
            reading_id=str(data["reading_id"]), account_number=data["account_number"],
            device_customer_id=str(data["customer_id"]), account_customer_id=str(owner)))
        return False
    return True


def _usage(key: uuid.UUID, data: Mapping[str, Any], counter: Mapping[str, Any]) -> MeterUsage:
    return MeterUsage(
        reading_id=key,
        customer_id=data["customer_id"],
        account_number=data["account_number"],
        period=str(Period.containing(data["read_on"])),
        device_id=data["device_id"],
        serial_number=data["serial_number"],
        counter=counter["counter"],
        series=counter["series"],
        value=counter["value"],
        previous_value=counter["previous_value"],
        usage=reading_usage(counter["value"], counter["previous_value"]),
        read_on=data["read_on"],
        recorded_at=data["recorded_at"],
    )


def meter_reading_accepted_v2(_ctx: BillingContext, session: Session, event: Event) -> None:
    """One usage row per counter of the reading, each keyed by usage_key: the inbox drops a
    redelivery, the keys a re-announcement. The whole reading is booked or, for an account of
    another customer, none of it."""
    data = event.data
    fresh = [(usage_key(data["reading_id"], counter["counter"]), counter) for counter in data["counters"]]
    fresh = [(key, counter) for key, counter in fresh if session.get(MeterUsage, key) is None]
    if not fresh or not _account_owner_agrees(session, data):
        return
    session.add_all([_usage(key, data, counter) for key, counter in fresh])
    session.flush()


def meter_reading_accepted(_ctx: BillingContext, session: Session, event: Event) -> None:
    """v1, one counter a reading, kept for the events published before v2 and still queued: recorded
    once, keyed by the reading id (the inbox drops a redelivery, the reading id a re-announcement)."""
    data = event.data
    if session.get(MeterUsage, data["reading_id"]) is not None:
        return
    if not _account_owner_agrees(session, data):
        return
    session.add(_usage(data["reading_id"], data, data))
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
