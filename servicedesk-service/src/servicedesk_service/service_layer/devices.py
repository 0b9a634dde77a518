"""Device use cases: register, retire, remove from an account, assign, move; and scoped look-ups."""
from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal_shared.db import transaction
from portal_shared.errors import UseCaseError, invalid
from servicedesk_service.adapters.orm import Customer, CustomerAccount, Device, DeviceAssignment, DeviceLocation, User
from servicedesk_service.domain import audit as audited
from servicedesk_service.domain.audit import Actor
from servicedesk_service.domain.devices import ACTIVE, ASSIGNABLE_ROLES, RETIRED, DeviceScope, normalize_counters
from servicedesk_service.service_layer import audit
from servicedesk_service.service_layer.context import ServicedeskContext
from servicedesk_service.service_layer.errors import (
    ACCOUNT_NOT_OF_CUSTOMER, ASSIGNEE_NOT_DEVICE_ADMIN, CUSTOMER_UNKNOWN, DEVICE_NOT_FOUND, SERIAL_NUMBER_IN_USE,
)


def scoped_devices(scope: DeviceScope) -> sa.Select:
    """Devices a scope reaches. Customers never see a device removed from their account."""
    query = sa.select(Device)
    if scope.is_staff:
        return query
    query = query.where(Device.customer_id == scope.customer_id, Device.removed_at.is_(None))
    if scope.assigned_to is not None:
        query = query.where(
            sa.exists().where(DeviceAssignment.device_id == Device.id, DeviceAssignment.user_id == scope.assigned_to)
        )
    return query


def get_device(session: Session, scope: DeviceScope, device_id: uuid.UUID, *, for_update: bool = False) -> Device:
    query = scoped_devices(scope).where(Device.id == device_id)
    if for_update:
        query = query.with_for_update(of=Device)
    device = session.scalars(query).one_or_none()
    if device is None:
        raise DEVICE_NOT_FOUND(f"No device {device_id}.")
    return device


def read_device(context: ServicedeskContext, scope: DeviceScope, device_id: uuid.UUID) -> Device:
    with transaction(context.session_factory) as session:
        return get_device(session, scope, device_id)


def devices_in_reach(session: Session, scope: DeviceScope, *, customer_id: uuid.UUID | None = None) -> list[Device]:
    query = scoped_devices(scope)
    if scope.is_staff and customer_id is not None:
        query = query.where(Device.customer_id == customer_id)
    return list(session.scalars(query.order_by(Device.serial_number)))


def list_devices(
    context: ServicedeskContext, scope: DeviceScope, *, customer_id: uuid.UUID | None = None
) -> list[Device]:
    with transaction(context.session_factory) as session:
        return devices_in_reach(session, scope, customer_id=customer_id)


def _serial_number_in_use() -> UseCaseError:
    return SERIAL_NUMBER_IN_USE("A device with this serial number exists.",
                                errors={"serial_number": ["Already registered."]})


def register_device(
    context: ServicedeskContext, data: dict[str, Any], *, by: uuid.UUID | None, actor: Actor
) -> Device:
    with transaction(context.session_factory) as session:
        return _register(session, data, now=context.clock(), by=by, actor=actor)


def _register(session: Session, data: dict[str, Any], *, now: datetime, by: uuid.UUID | None, actor: Actor) -> Device:
    if session.get(Customer, data["customer_id"]) is None:
        raise invalid({"customer_id": ["No such customer."]}, error=CUSTOMER_UNKNOWN)
    account = session.get(CustomerAccount, data["account_number"])
    if account is None or account.customer_id != data["customer_id"]:
        # Another customer's account would put this device's readings on that customer's statement.
        raise invalid({"account_number": ["Not an account of this customer."]}, error=ACCOUNT_NOT_OF_CUSTOMER)
    counters = normalize_counters(data["counters"])
    if not counters:
        raise invalid({"counters": ["Name at least one counter."]})
    if session.scalar(sa.select(Device.id).where(Device.serial_number == data["serial_number"])) is not None:
        raise _serial_number_in_use()
    device = Device(
        id=uuid.uuid4(),
        serial_number=data["serial_number"],
        model=data["model"],
        customer_id=data["customer_id"],
        account_number=data["account_number"],
        install_address=data["install_address"],
        location=data.get("location") or data["install_address"],
        response_hours=data["response_hours"],
        counters=counters,
        status=ACTIVE,
        assignment_rows=[],  # none yet: loaded now, so the answer never needs a lazy load
        created_at=now,
    )
    session.add(device)
    try:
        # The unique serial number decides when two registrations of one device race past the check above.
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise _serial_number_in_use() from None
    session.add(DeviceLocation(device_id=device.id, location=device.location, moved_at=now, moved_by=by))
    session.flush()
    _audit(session, actor, audited.DEVICE_REGISTERED, device, now,
           {"serial_number": device.serial_number, "model": device.model, "account_number": device.account_number})
    return device


def _audit(session: Session, actor: Actor, action: str, device: Device, now: datetime, detail: dict[str, Any]) -> None:
    audit.record(session, actor, action, customer_id=device.customer_id, subject_type=audited.DEVICE,
                 subject_id=device.id, at=now, detail=detail)


def retire_device(context: ServicedeskContext, scope: DeviceScope, device_id: uuid.UUID, *, actor: Actor) -> Device:
    with transaction(context.session_factory) as session:
        device = get_device(session, scope, device_id, for_update=True)
        if device.status != RETIRED:
            now = context.clock()
            device.status = RETIRED
            device.retired_at = now
            _audit(session, actor, audited.DEVICE_RETIRED, device, now, {"serial_number": device.serial_number})
        return device


def remove_from_account(
    context: ServicedeskContext, scope: DeviceScope, device_id: uuid.UUID, *, by: uuid.UUID | None, actor: Actor,
) -> Device:
    """The device leaves the customer's view; its row, readings and moves stay for history."""
    with transaction(context.session_factory) as session:
        device = get_device(session, scope, device_id, for_update=True)
        if device.removed_at is None:
            now = context.clock()
            device.removed_at = now
            device.removed_by = by
            _audit(session, actor, audited.DEVICE_REMOVED, device, now,
                   {"serial_number": device.serial_number, "account_number": device.account_number})
        return device


def assign(
    context: ServicedeskContext, scope: DeviceScope, device_id: uuid.UUID, user_ids: Iterable[uuid.UUID],
    *, by: uuid.UUID | None,
) -> list[uuid.UUID]:
    """Replace the device's assignees with `user_ids`: device admins of the device's own customer."""
    with transaction(context.session_factory) as session:
        device = get_device(session, scope, device_id, for_update=True)
        wanted = sorted(set(user_ids))
        _check_assignable(session, device, wanted)
        session.execute(sa.delete(DeviceAssignment).where(DeviceAssignment.device_id == device.id))
        now = context.clock()
        session.add_all(DeviceAssignment(device_id=device.id, user_id=u, assigned_at=now, assigned_by=by)
                        for u in wanted)
        session.flush()
        session.expire(device, ["assignment_rows"])
        return wanted


def _check_assignable(session: Session, device: Device, wanted: list[uuid.UUID]) -> None:
    users = {user.id: user for user in session.scalars(sa.select(User).where(User.id.in_(wanted)))} if wanted else {}
    problems = []
    for user_id in wanted:
        user = users.get(user_id)
        if user is None or user.customer_id != device.customer_id:
            problems.append(f"{user_id} is not a user of this customer.")
        elif not ASSIGNABLE_ROLES & set(user.roles):
            problems.append(f"{user_id} is not a device admin.")
    if problems:
        raise invalid({"user_ids": problems}, error=ASSIGNEE_NOT_DEVICE_ADMIN)


def move(
    context: ServicedeskContext, scope: DeviceScope, device_id: uuid.UUID, location: str,
    *, by: uuid.UUID | None, actor: Actor,
) -> Device:
    with transaction(context.session_factory) as session:
        device = get_device(session, scope, device_id, for_update=True)
        location = location.strip()
        if not location:
            raise invalid({"location": ["Say where the device is."]})
        if location != device.location:
            now = context.clock()
            previous = device.location
            device.location = location
            session.add(DeviceLocation(device_id=device.id, location=location, moved_at=now, moved_by=by))
            session.flush()
            _audit(session, actor, audited.DEVICE_MOVED, device, now, {"from": previous, "to": location})
        return device


def locations(context: ServicedeskContext, scope: DeviceScope, device_id: uuid.UUID) -> list[DeviceLocation]:
    with transaction(context.session_factory) as session:
        device = get_device(session, scope, device_id)
        return list(
            session.scalars(
                sa.select(DeviceLocation).where(DeviceLocation.device_id == device.id)
                .order_by(DeviceLocation.moved_at.desc(), DeviceLocation.id)
            )
        )
