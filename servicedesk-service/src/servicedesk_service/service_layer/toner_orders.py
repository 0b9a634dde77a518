"""Toner reports from the devices, the replenishment orders they raise, and the vendor moving those orders.

A report is recorded, and each toner item it finds low, where the device's stock location holds
that item at or under its reorder point, gets one open order per (stock location, toner item).
Reports race each other (a device's feed may send several at once, and several devices share a
location): the partial unique index on open orders is what keeps it to one, not only the check.
"""
from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal_shared.db import transaction
from portal_shared.errors import UseCaseError, invalid
from portal_shared.logging import log_fields
from servicedesk_service.adapters.orm import Device, StockLocation, TonerLevel, TonerOrder, User, UserRole
from servicedesk_service.domain import audit as audited
from servicedesk_service.domain.audit import Actor
from servicedesk_service.domain.devices import ACTIVE, STAFF_SCOPE
from servicedesk_service.domain.stock import (
    CANCELLED,
    OPEN,
    SHIPPED,
    STOCK_MAIL_ROLES,
    Replenishment,
    TransitionRefused,
    check_move,
    normalize_item,
    replenishments,
)
from servicedesk_service.domain.toner_mail import toner_order_mail
from servicedesk_service.service_layer import audit
from servicedesk_service.service_layer.context import ServicedeskContext
from servicedesk_service.service_layer.devices import get_device
from servicedesk_service.service_layer.errors import TONER_ITEM_REPEATED, TONER_ORDER_NOT_FOUND, TONER_ORDER_NOT_OPEN

log = logging.getLogger(__name__)


def _reported(levels: Iterable[dict[str, Any]]) -> dict[str, int]:
    reported: dict[str, int] = {}
    for entry in levels:
        item = normalize_item(entry["toner_item"])
        if not item:
            raise invalid({"levels": ["Name the toner item of every level."]})
        if item in reported:
            raise invalid({"levels": [f"{item} is reported more than once."]}, error=TONER_ITEM_REPEATED)
        reported[item] = entry["percent"]
    return reported


def _record_levels(session: Session, device: Device, reported: dict[str, int], now: datetime) -> None:
    current = {
        level.toner_item: level
        for level in session.scalars(sa.select(TonerLevel).where(TonerLevel.device_id == device.id))
    }
    for item, percent in reported.items():
        level = current.get(item)
        if level is None:
            session.add(TonerLevel(device_id=device.id, toner_item=item, percent=percent, reported_at=now))
        else:
            level.percent, level.reported_at = percent, now
    # Flushed here, so a refused order below rolls back its own savepoint and never the levels.
    session.flush()


def _has_open_order(session: Session, location_id: uuid.UUID, toner_item: str) -> bool:
    return session.scalar(
        sa.select(TonerOrder.id).where(
            TonerOrder.stock_location_id == location_id, TonerOrder.toner_item == toner_item, TonerOrder.status == OPEN
        )
    ) is not None


def _place(
    session: Session, device: Device, location: StockLocation, wanted: Replenishment, now: datetime
) -> TonerOrder | None:
    """The new open order, or None when one is open already."""
    if _has_open_order(session, location.id, wanted.toner_item):
        return None
    order = TonerOrder(
        id=uuid.uuid4(), customer_id=location.customer_id, stock_location_id=location.id, device_id=device.id,
        toner_item=wanted.toner_item, quantity=wanted.quantity, status=OPEN, created_at=now,
    )
    try:
        # The partial unique index has the last word when another report placed the order meanwhile.
        with session.begin_nested():
            session.add(order)
            session.flush()
    except IntegrityError:
        return None
    order.stock_location, order.device = location, device
    return order


def stock_admin_emails(session: Session, customer_id: uuid.UUID) -> list[str]:
    """The addresses of the customer's users who keep its stock."""
    return list(
        session.scalars(
            sa.select(User.email)
            .where(
                User.customer_id == customer_id,
                User.email.is_not(None),
                sa.exists().where(UserRole.user_id == User.id, UserRole.role.in_(STOCK_MAIL_ROLES)),
            )
            .order_by(User.email)
        )
    )


def _mail_order(
    context: ServicedeskContext, session: Session, order: TonerOrder, percent: int, recipients: list[str]
) -> None:
    if not recipients:
        log.warning("toner order placed with no stock admin to tell", extra=log_fields({"order_id": str(order.id)}))
        return
    mail = toner_order_mail(
        order_id=str(order.id), toner_item=order.toner_item, quantity=order.quantity,
        location_name=order.stock_location.name, shipping_address=order.stock_location.shipping_address,
        serial_number=order.device.serial_number if order.device else None, percent=percent,
        created_at=order.created_at, time_zone=context.customer_time_zone,
    )
    for to in recipients:
        context.outbox.add_mail(session, to=to, subject=mail.subject, text=mail.text)


def report_levels(
    context: ServicedeskContext, device_id: uuid.UUID, levels: Iterable[dict[str, Any]]
) -> list[TonerOrder]:
    """Record a device's toner levels; return the orders this report placed (each mailed to the stock admins)."""
    reported = _reported(levels)
    now = context.clock()
    with transaction(context.session_factory) as session:
        # The device row is locked so that one device's reports are recorded one after the other.
        device = get_device(session, STAFF_SCOPE, device_id, for_update=True)
        _record_levels(session, device, reported, now)
        if device.stock_location_id is None or device.status != ACTIVE or device.removed_at is not None:
            return []
        location = session.get(StockLocation, device.stock_location_id)
        held = {level.toner_item: (level.quantity, level.reorder_point) for level in location.levels}
        placed = []
        recipients: list[str] | None = None  # looked up once, when the report places its first order
        for wanted in replenishments(reported, held, context.low_toner_percent):
            order = _place(session, device, location, wanted, now)
            if order is not None:
                if recipients is None:
                    recipients = stock_admin_emails(session, device.customer_id)
                _mail_order(context, session, order, reported[wanted.toner_item], recipients)
                log.info("toner order placed",
                         extra=log_fields({"order_id": str(order.id), "toner_item": order.toner_item}))
                placed.append(order)
        return placed


def _scoped_orders(customer_id: uuid.UUID | None) -> sa.Select:
    query = sa.select(TonerOrder)
    return query if customer_id is None else query.where(TonerOrder.customer_id == customer_id)


def list_orders(
    context: ServicedeskContext, customer_id: uuid.UUID | None, *, of_customer: uuid.UUID | None = None,
    status: str | None = None,
) -> list[TonerOrder]:
    query = _scoped_orders(customer_id)
    if customer_id is None and of_customer is not None:
        query = query.where(TonerOrder.customer_id == of_customer)
    if status is not None:  # checked against ORDER_STATUSES by the query schema
        query = query.where(TonerOrder.status == status)
    with transaction(context.session_factory) as session:
        return list(session.scalars(query.order_by(TonerOrder.created_at.desc(), TonerOrder.id)))


def _get_order(session: Session, customer_id: uuid.UUID | None, order_id: uuid.UUID) -> TonerOrder:
    order = session.scalars(_scoped_orders(customer_id).where(TonerOrder.id == order_id)).one_or_none()
    if order is None:
        raise TONER_ORDER_NOT_FOUND(f"No toner order {order_id}.")
    return order


def read_order(context: ServicedeskContext, customer_id: uuid.UUID | None, order_id: uuid.UUID) -> TonerOrder:
    with transaction(context.session_factory) as session:
        return _get_order(session, customer_id, order_id)


def _not_open(message: str) -> UseCaseError:
    return TONER_ORDER_NOT_OPEN(message, errors={"status": [message]})


def move_order(
    context: ServicedeskContext, order_id: uuid.UUID, status: str, *, by: uuid.UUID | None, actor: Actor
) -> TonerOrder:
    """The vendor ships or cancels an open order (staff only). Asking again for where it is changes nothing."""
    with transaction(context.session_factory) as session:
        order = _get_order(session, None, order_id)
        try:
            if not check_move(order.status, status):
                return order
        except TransitionRefused as refused:
            raise _not_open(str(refused)) from None
        now = context.clock()
        # Conditional, so of two staff moving the same order at once only one changes it.
        changed = session.execute(
            sa.update(TonerOrder)
            .where(TonerOrder.id == order.id, TonerOrder.status == OPEN)
            .values(
                status=status, status_changed_by=by,
                shipped_at=now if status == SHIPPED else None, cancelled_at=now if status == CANCELLED else None,
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        session.refresh(order)
        if changed != 1:
            if order.status != status:
                raise _not_open(f"The order is {order.status} already.")
            return order
        audit.record(session, actor, audited.TONER_ORDER_STATUS_CHANGED, customer_id=order.customer_id,
                     subject_type=audited.TONER_ORDER, subject_id=order.id, at=now,
                     detail={"from_status": OPEN, "to_status": status, "toner_item": order.toner_item})
        return order
