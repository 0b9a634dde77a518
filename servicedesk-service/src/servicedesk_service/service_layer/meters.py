"""Meter readings and counter replacements; an accepted reading is announced through the outbox."""
from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal_shared.contracts import new_event
from portal_shared.db import transaction
from portal_shared.errors import ErrorCode, UseCaseError, invalid
from servicedesk_service.adapters.orm import CounterReplacement, Device, MeterReading
from servicedesk_service.config import SERVICE_NAME
from servicedesk_service.domain import audit as audited
from servicedesk_service.domain import meters as rules
from servicedesk_service.domain.audit import Actor
from servicedesk_service.domain.devices import RETIRED, DeviceScope
from servicedesk_service.domain.meters import (
    PreviousReading, ReadingRefused, check_not_lower, check_reading_day, local_day,
)
from servicedesk_service.service_layer import audit
from servicedesk_service.service_layer.context import ServicedeskContext
from servicedesk_service.service_layer.devices import get_device
from servicedesk_service.service_layer.errors import (
    DEVICE_OUT_OF_SERVICE, READING_ALREADY_TODAY, READING_BELOW_PREVIOUS, READING_DATE_BEFORE_REPLACEMENT,
    READING_DATE_IN_FUTURE, READING_DATE_NOT_AFTER_LATEST, READING_DATE_STAFF_ONLY, UNKNOWN_COUNTER,
)

ACCEPTED = ("servicedesk.meter_reading.accepted", 1)
# Each rule a reading can break, as the API names it.
REFUSALS: dict[str, ErrorCode] = {
    rules.DATE_IN_FUTURE: READING_DATE_IN_FUTURE,
    rules.DATE_NOT_AFTER_LATEST: READING_DATE_NOT_AFTER_LATEST,
    rules.DATE_BEFORE_REPLACEMENT: READING_DATE_BEFORE_REPLACEMENT,
    rules.BELOW_PREVIOUS: READING_BELOW_PREVIOUS,
}


def current_series(session: Session, device_id: uuid.UUID, counter: str) -> int:
    """Series 1 until the counter is first replaced; each replacement opens the next."""
    latest = session.scalar(
        sa.select(sa.func.max(CounterReplacement.series)).where(
            CounterReplacement.device_id == device_id, CounterReplacement.counter == counter
        )
    )
    return latest or 1


def previous_reading(session: Session, device_id: uuid.UUID, counter: str, series: int) -> PreviousReading | None:
    row = session.execute(
        sa.select(MeterReading.value, MeterReading.read_on)
        .where(MeterReading.device_id == device_id, MeterReading.counter == counter, MeterReading.series == series)
        .order_by(MeterReading.read_on.desc())
        .limit(1)
    ).one_or_none()
    return None if row is None else PreviousReading(value=row.value, read_on=row.read_on)


def replaced_on(session: Session, device_id: uuid.UUID, counter: str, series: int, time_zone: str) -> date | None:
    """The local day series `series` began: when the counter was replaced (None for the first series)."""
    if series == 1:
        return None
    at = session.scalar(
        sa.select(CounterReplacement.replaced_at).where(
            CounterReplacement.device_id == device_id, CounterReplacement.counter == counter,
            CounterReplacement.series == series,
        )
    )
    return None if at is None else local_day(at, time_zone)


def _refused(refused: ReadingRefused) -> UseCaseError:
    # Extra members (e.g. previous_value, previous_read_on) let a client show the rule's figures.
    return REFUSALS[refused.rule](refused.message, errors={refused.field: [refused.message]}, **refused.details)


def _day_taken(read_on: date) -> UseCaseError:
    # read_on lets a client word the refusal itself.
    return READING_ALREADY_TODAY(f"The device already has a reading for {read_on.isoformat()}; one reading per day.",
                                 read_on=read_on.isoformat())


def _known_counter(device: Device, counter: str) -> str:
    name = counter.strip().lower()
    if name not in device.counters:
        raise invalid({"counter": [f"Unknown counter {counter!r}; this device has: {', '.join(device.counters)}."]},
                      error=UNKNOWN_COUNTER)
    return name


def submit_reading(
    context: ServicedeskContext, scope: DeviceScope, device_id: uuid.UUID, counter: str, value: int,
    *, by: uuid.UUID | None, actor: Actor, read_on: date | None = None,
) -> MeterReading:
    """A reading of today; staff may date it on an earlier day (`read_on`), appended after the series' latest.
    An accepted reading is announced to billing."""
    with transaction(context.session_factory) as session:
        reading, device = _submit(session, scope, device_id, counter, value, now=context.clock(),
                                  time_zone=context.customer_time_zone, by=by, actor=actor, read_on=read_on)
        context.outbox.add_event(session, accepted_event(device, reading))
        return reading


def _submit(
    session: Session, scope: DeviceScope, device_id: uuid.UUID, counter: str, value: int,
    *, now: datetime, time_zone: str, by: uuid.UUID | None, actor: Actor, read_on: date | None,
) -> tuple[MeterReading, Device]:
    # The device row is locked so that two readings of one device are judged one after the other.
    device = get_device(session, scope, device_id, for_update=True)
    if read_on is not None and not scope.is_staff:
        # 422 naming the field rather than 403: the customer may submit the reading, only this
        # field is not theirs to send, and the answer says exactly what to leave out.
        raise invalid({"read_on": ["Only the vendor's staff date a reading; leave read_on out for today's reading."]},
                      error=READING_DATE_STAFF_ONLY)
    counter = _known_counter(device, counter)
    if device.status == RETIRED:
        raise DEVICE_OUT_OF_SERVICE("The device is retired and takes no more readings.")
    today = local_day(now, time_zone)
    dated, read_on = read_on is not None, read_on or today
    taken = session.scalar(
        sa.select(MeterReading.read_on).where(MeterReading.device_id == device.id, MeterReading.read_on == read_on)
    )
    if taken is not None:
        raise _day_taken(read_on)
    series = current_series(session, device.id, counter)
    previous = previous_reading(session, device.id, counter, series)
    try:
        if dated:
            check_reading_day(read_on, today=today, latest=None if previous is None else previous.read_on,
                              series_since=replaced_on(session, device.id, counter, series, time_zone))
        check_not_lower(value, previous)
    except ReadingRefused as refused:
        raise _refused(refused) from None
    reading = MeterReading(
        id=uuid.uuid4(), device_id=device.id, counter=counter, series=series, value=value,
        previous_value=None if previous is None else previous.value,
        read_on=read_on, recorded_at=now, recorded_by=by,
    )
    session.add(reading)
    try:
        # The unique (device_id, read_on) is the last word when the check above raced another writer.
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise _day_taken(read_on) from None
    audit.record(session, actor, audited.READING_SUBMITTED, customer_id=device.customer_id,
                 subject_type=audited.DEVICE, subject_id=device.id, at=now,
                 detail={"reading_id": reading.id, "counter": counter, "value": value, "read_on": read_on.isoformat()})
    return reading, device


def accepted_event(device: Device, reading: MeterReading):
    return new_event(
        *ACCEPTED,
        {
            "reading_id": reading.id,
            "device_id": device.id,
            "serial_number": device.serial_number,
            "customer_id": device.customer_id,
            "account_number": device.account_number,
            "counter": reading.counter,
            "value": reading.value,
            "previous_value": reading.previous_value,
            "series": reading.series,
            "read_on": reading.read_on,
            "recorded_at": reading.recorded_at,
        },
        producer=SERVICE_NAME,
    )


def readings(context: ServicedeskContext, scope: DeviceScope, device_id: uuid.UUID) -> list[MeterReading]:
    with transaction(context.session_factory) as session:
        device = get_device(session, scope, device_id)
        return list(
            session.scalars(
                sa.select(MeterReading).where(MeterReading.device_id == device.id)
                .order_by(MeterReading.read_on.desc(), MeterReading.counter)
            )
        )


def replace_counter(
    context: ServicedeskContext, scope: DeviceScope, device_id: uuid.UUID, counter: str, reason: str,
    *, by: uuid.UUID | None, actor: Actor,
) -> CounterReplacement:
    with transaction(context.session_factory) as session:
        device = get_device(session, scope, device_id, for_update=True)
        counter = _known_counter(device, counter)
        if not reason.strip():
            raise invalid({"reason": ["Say why the counter was replaced."]})
        now = context.clock()
        replacement = CounterReplacement(
            id=uuid.uuid4(), device_id=device.id, counter=counter,
            series=current_series(session, device.id, counter) + 1,
            reason=reason.strip(), replaced_at=now, replaced_by=by,
        )
        session.add(replacement)
        session.flush()
        audit.record(session, actor, audited.COUNTER_REPLACED, customer_id=device.customer_id,
                     subject_type=audited.DEVICE, subject_id=device.id, at=now,
                     detail={"counter": counter, "series": replacement.series, "reason": replacement.reason})
        return replacement
