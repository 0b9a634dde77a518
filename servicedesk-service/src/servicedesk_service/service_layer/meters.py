"""Meter readings and counter replacements; an accepted reading is announced through the outbox."""
from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from portal_shared.contracts import new_event
from portal_shared.db import transaction
from portal_shared.errors import FIELD_REQUIRED, ErrorCode, UseCaseError, invalid
from servicedesk_service.adapters.orm import CounterReplacement, Device, DeviceReading, MeterReading
from servicedesk_service.config import SERVICE_NAME
from servicedesk_service.domain import audit as audited
from servicedesk_service.domain import meters as rules
from servicedesk_service.domain.audit import Actor
from servicedesk_service.domain.devices import RETIRED, DeviceScope
from servicedesk_service.domain.meters import (
    PreviousReading, ReadingRefused, check_counters_not_lower, check_reading_day, compare_counters, local_day,
)
from servicedesk_service.service_layer import audit
from servicedesk_service.service_layer.context import ServicedeskContext
from servicedesk_service.service_layer.devices import get_device
from servicedesk_service.service_layer.errors import (
    DEVICE_OUT_OF_SERVICE, READING_ALREADY_TODAY, READING_BELOW_PREVIOUS, READING_DATE_BEFORE_REPLACEMENT,
    READING_DATE_IN_FUTURE, READING_DATE_NOT_AFTER_LATEST, READING_DATE_STAFF_ONLY, UNKNOWN_COUNTER,
)

ACCEPTED = ("servicedesk.meter_reading.accepted", 2)
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
    # Extra members (e.g. previous, latest_read_on) let a client show the rule's figures.
    return REFUSALS[refused.rule](refused.message, errors=refused.errors, **refused.details)


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


def _device_counters(device: Device, given: Mapping[str, int]) -> dict[str, int]:
    """The reading's values by the device's counter names, in the device's order; every counter of
    the device named once, no other (names are matched as the device keeps them: trimmed, lower case)."""
    values: dict[str, int] = {}
    for name, value in given.items():
        key = str(name).strip().lower()
        if key in values:
            # "Total" and "total" are one counter: which of the two values is meant cannot be told.
            raise invalid({f"counters.{key}": [f"Counter {key} is named more than once."]})
        values[key] = value
    mismatch = compare_counters(list(values), device.counters)
    if mismatch.unknown:
        errors = {f"counters.{name}": [f"Unknown counter {name!r}; this device has: {', '.join(device.counters)}."]
                  for name in mismatch.unknown}
        errors.update({f"counters.{name}": [f"Give the reading of counter {name}."] for name in mismatch.missing})
        raise invalid(errors, error=UNKNOWN_COUNTER,
                      field_codes={f"counters.{name}": FIELD_REQUIRED for name in mismatch.missing})
    if mismatch.missing:
        raise invalid({f"counters.{name}": [f"Give the reading of counter {name}."] for name in mismatch.missing},
                      field_codes={f"counters.{name}": FIELD_REQUIRED for name in mismatch.missing})
    return {name: values[name] for name in device.counters}


def submit_reading(
    context: ServicedeskContext, scope: DeviceScope, device_id: uuid.UUID, counters: Mapping[str, int],
    *, by: uuid.UUID | None, actor: Actor, read_on: date | None = None,
) -> dict[str, Any]:
    """A reading of today holding every counter of the device; staff may date it on an earlier day
    (`read_on`), after the device's latest reading. An accepted reading is announced to billing."""
    with transaction(context.session_factory) as session:
        reading, device = _submit(session, scope, device_id, counters, now=context.clock(),
                                  time_zone=context.customer_time_zone, by=by, actor=actor, read_on=read_on)
        context.outbox.add_event(session, accepted_event(device, reading))
        return reading_view(reading, device.counters)


def _submit(
    session: Session, scope: DeviceScope, device_id: uuid.UUID, counters: Mapping[str, int],
    *, now: datetime, time_zone: str, by: uuid.UUID | None, actor: Actor, read_on: date | None,
) -> tuple[DeviceReading, Device]:
    # The device row is locked so that two readings of one device are judged one after the other.
    device = get_device(session, scope, device_id, for_update=True)
    if read_on is not None and not scope.is_staff:
        # 422 naming the field rather than 403: the customer may submit the reading, only this
        # field is not theirs to send, and the answer says exactly what to leave out.
        raise invalid({"read_on": ["Only the vendor's staff date a reading; leave read_on out for today's reading."]},
                      error=READING_DATE_STAFF_ONLY)
    values = _device_counters(device, counters)
    if device.status == RETIRED:
        raise DEVICE_OUT_OF_SERVICE("The device is retired and takes no more readings.")
    today = local_day(now, time_zone)
    dated, read_on = read_on is not None, read_on or today
    taken = session.scalar(
        sa.select(DeviceReading.read_on).where(DeviceReading.device_id == device.id, DeviceReading.read_on == read_on)
    )
    if taken is not None:
        raise _day_taken(read_on)
    series = {counter: current_series(session, device.id, counter) for counter in values}
    previous = {counter: previous_reading(session, device.id, counter, series[counter]) for counter in values}
    try:
        if dated:
            latest = session.scalar(
                sa.select(sa.func.max(DeviceReading.read_on)).where(DeviceReading.device_id == device.id)
            )
            check_reading_day(read_on, today=today, latest=latest)
            # A replaced counter's new series, not read yet, cannot start before the replacement.
            for counter in values:
                if previous[counter] is None:
                    check_reading_day(read_on, today=today, latest=None,
                                      series_since=replaced_on(session, device.id, counter, series[counter], time_zone))
        check_counters_not_lower(values, previous)
    except ReadingRefused as refused:
        raise _refused(refused) from None
    reading = DeviceReading(id=uuid.uuid4(), device_id=device.id, read_on=read_on, recorded_at=now, recorded_by=by)
    reading.counters = [
        MeterReading(
            id=uuid.uuid4(), device_id=device.id, counter=counter, series=series[counter], value=value,
            previous_value=None if previous[counter] is None else previous[counter].value,
            read_on=read_on, recorded_at=now, recorded_by=by,
        )
        for counter, value in values.items()
    ]
    session.add(reading)
    try:
        # The unique (device_id, read_on) is the last word when the check above raced another writer.
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise _day_taken(read_on) from None
    audit.record(session, actor, audited.READING_SUBMITTED, customer_id=device.customer_id,
                 subject_type=audited.DEVICE, subject_id=device.id, at=now,
                 detail={"reading_id": reading.id, "counters": values, "read_on": read_on.isoformat()})
    return reading, device


def _in_order(reading: DeviceReading, order: list[str]) -> list[MeterReading]:
    """The reading's counters in the device's order; one the device no longer lists goes last."""
    rank = {name: position for position, name in enumerate(order)}
    return sorted(reading.counters, key=lambda row: (rank.get(row.counter, len(rank)), row.counter))


def reading_view(reading: DeviceReading, order: list[str]) -> dict[str, Any]:
    return {
        "id": reading.id, "device_id": reading.device_id, "read_on": reading.read_on,
        "recorded_at": reading.recorded_at,
        "counters": [{"counter": row.counter, "value": row.value, "previous_value": row.previous_value,
                      "series": row.series} for row in _in_order(reading, order)],
    }


def accepted_event(device: Device, reading: DeviceReading):
    return new_event(
        *ACCEPTED,
        {
            "reading_id": reading.id,
            "device_id": device.id,
            "serial_number": device.serial_number,
            "customer_id": device.customer_id,
            "account_number": device.account_number,
            "read_on": reading.read_on,
            "recorded_at": reading.recorded_at,
            "counters": [{"counter": row.counter, "value": row.value, "previous_value": row.previous_value,
                          "series": row.series} for row in _in_order(reading, device.counters)],
        },
        producer=SERVICE_NAME,
    )


def readings(context: ServicedeskContext, scope: DeviceScope, device_id: uuid.UUID) -> list[dict[str, Any]]:
    """The device's readings, newest day first, each with its counters."""
    with transaction(context.session_factory) as session:
        device = get_device(session, scope, device_id)
        found = session.scalars(
            sa.select(DeviceReading).where(DeviceReading.device_id == device.id)
            .order_by(DeviceReading.read_on.desc())
            .options(selectinload(DeviceReading.counters))
        ).all()
        return [reading_view(reading, device.counters) for reading in found]


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
