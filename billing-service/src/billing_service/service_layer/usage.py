"""servicedesk.meter_reading.accepted v1 → usage per account and month; and a month's usage summary."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from billing_service.adapters.orm import MeterUsage
from billing_service.domain.calendar import Period
from billing_service.domain.usage import reading_usage
from portal_shared.contracts import Event


def meter_reading_accepted(session: Session, event: Event) -> None:
    """Record the reading's usage once: the inbox drops a redelivery, the reading id a re-announcement."""
    data = event.data
    if session.get(MeterUsage, data["reading_id"]) is not None:
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
