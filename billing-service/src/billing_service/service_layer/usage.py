"""servicedesk.meter_reading.accepted v1 → usage per account and month; and a month's usage summary."""
from __future__ import annotations

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


def month_usage(session: Session, account_number: str, period: str) -> list[dict]:
    """The account's usage in the month by device and counter, in a stable order."""
    rows = session.execute(
        sa.select(MeterUsage.serial_number, MeterUsage.counter, sa.func.sum(MeterUsage.usage))
        .where(MeterUsage.account_number == account_number, MeterUsage.period == period)
        .group_by(MeterUsage.serial_number, MeterUsage.counter)
        .order_by(MeterUsage.serial_number, MeterUsage.counter)
    ).all()
    return [{"serial_number": serial, "counter": counter, "usage": int(total)} for serial, counter, total in rows]
