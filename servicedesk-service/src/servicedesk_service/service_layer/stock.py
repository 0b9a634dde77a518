"""Stock locations and their inventory, and which stock location replenishes a device.

`customer_id` is the caller's company from the token, or None for staff (who reach every
customer's). Another customer's location is not found, the same as an unknown id.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal_shared.db import transaction
from portal_shared.errors import invalid
from servicedesk_service.adapters.orm import Device, StockLevel, StockLocation
from servicedesk_service.domain.stock import normalize_item
from servicedesk_service.service_layer.context import ServicedeskContext
from servicedesk_service.service_layer.errors import DEVICE_NOT_FOUND, STOCK_LOCATION_NOT_FOUND, TONER_ITEM_REPEATED


def scoped_locations(customer_id: uuid.UUID | None) -> sa.Select:
    query = sa.select(StockLocation)
    return query if customer_id is None else query.where(StockLocation.customer_id == customer_id)


def get_location(
    session: Session, customer_id: uuid.UUID | None, location_id: uuid.UUID, *, for_update: bool = False
) -> StockLocation:
    query = scoped_locations(customer_id).where(StockLocation.id == location_id)
    if for_update:
        query = query.with_for_update()
    location = session.scalars(query).one_or_none()
    if location is None:
        raise STOCK_LOCATION_NOT_FOUND(f"No stock location {location_id}.")
    return location


def read_location(
    context: ServicedeskContext, customer_id: uuid.UUID | None, location_id: uuid.UUID
) -> StockLocation:
    with transaction(context.session_factory) as session:
        return get_location(session, customer_id, location_id)


def list_locations(
    context: ServicedeskContext, customer_id: uuid.UUID | None, *, of_customer: uuid.UUID | None = None
) -> list[StockLocation]:
    query = scoped_locations(customer_id)
    if customer_id is None and of_customer is not None:
        query = query.where(StockLocation.customer_id == of_customer)
    with transaction(context.session_factory) as session:
        return list(session.scalars(query.order_by(StockLocation.name, StockLocation.id)))


def _required_text(data: dict[str, Any], field: str, message: str) -> str:
    value = data[field].strip()
    if not value:
        raise invalid({field: [message]})
    return value


def _inventory(entries: Iterable[dict[str, Any]]) -> dict[str, tuple[int, int]]:
    """The entries by normalized toner item; an item named twice is refused rather than guessed at."""
    levels: dict[str, tuple[int, int]] = {}
    for entry in entries:
        item = normalize_item(entry["toner_item"])
        if not item:
            raise invalid({"inventory": ["Name the toner item of every entry."]})
        if item in levels:
            raise invalid({"inventory": [f"{item} is listed more than once."]}, error=TONER_ITEM_REPEATED)
        levels[item] = (entry["quantity"], entry["reorder_point"])
    return levels


def _set_levels(location: StockLocation, levels: dict[str, tuple[int, int]], now: datetime) -> None:
    current = {level.toner_item: level for level in location.levels}
    for item, (quantity, reorder_point) in levels.items():
        level = current.get(item)
        if level is None:
            location.levels.append(
                StockLevel(toner_item=item, quantity=quantity, reorder_point=reorder_point, updated_at=now)
            )
        elif (level.quantity, level.reorder_point) != (quantity, reorder_point):
            level.quantity, level.reorder_point, level.updated_at = quantity, reorder_point, now
    # The order they are read back in, also for the answer to this request.
    location.levels.sort(key=lambda level: level.toner_item)


def create_location(
    context: ServicedeskContext, customer_id: uuid.UUID, data: dict[str, Any], *, by: uuid.UUID | None
) -> StockLocation:
    now = context.clock()
    location = StockLocation(
        id=uuid.uuid4(),
        customer_id=customer_id,
        name=_required_text(data, "name", "Name the stock location."),
        shipping_address=_required_text(data, "shipping_address", "Say where to ship the toner."),
        shipping_instructions=data.get("shipping_instructions", "").strip(),
        created_at=now,
        updated_at=now,
        created_by=by,
        levels=[],
    )
    levels = _inventory(data.get("inventory", []))
    with transaction(context.session_factory) as session:
        session.add(location)
        _set_levels(location, levels, now)
        session.flush()
        return location


def update_location(
    context: ServicedeskContext, customer_id: uuid.UUID, location_id: uuid.UUID, data: dict[str, Any]
) -> StockLocation:
    """Change what is given; an inventory entry sets that item's level, the other items stay."""
    with transaction(context.session_factory) as session:
        # Locked, so two edits adding the same new item are applied one after the other.
        location = get_location(session, customer_id, location_id, for_update=True)
        if "name" in data:
            location.name = _required_text(data, "name", "Name the stock location.")
        if "shipping_address" in data:
            location.shipping_address = _required_text(data, "shipping_address", "Say where to ship the toner.")
        if "shipping_instructions" in data:
            location.shipping_instructions = data["shipping_instructions"].strip()
        now = context.clock()
        _set_levels(location, _inventory(data.get("inventory", [])), now)
        location.updated_at = now
        session.flush()
        return location


def place_device(
    context: ServicedeskContext, customer_id: uuid.UUID, device_id: uuid.UUID, location_id: uuid.UUID | None
) -> Device:
    """Name the stock location that replenishes a device's toner (None: no replenishment). Both the
    device and the location must be the caller's company's. Keeping stock is a company-wide job, so
    the stock roles reach all of the company's devices here, not only those assigned to them."""
    with transaction(context.session_factory) as session:
        device = session.scalars(
            sa.select(Device)
            .where(Device.id == device_id, Device.customer_id == customer_id, Device.removed_at.is_(None))
            .with_for_update()
        ).one_or_none()
        if device is None:
            raise DEVICE_NOT_FOUND(f"No device {device_id}.")
        if location_id is not None:
            get_location(session, customer_id, location_id)
        device.stock_location_id = location_id
        session.flush()
        return device
