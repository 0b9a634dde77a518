"""Stock for e-Maintenance: stock locations and inventory, a device's stock location, toner reports, toner orders."""
from __future__ import annotations

import uuid

from flask import current_app
from flask_smorest import Blueprint
from marshmallow import RAISE

from portal_shared.auth import AGENT, OPERATOR
from portal_shared.auth.flask import require_auth
from portal_shared.db import transaction
from servicedesk_service.api import schemas
from servicedesk_service.api import stock_schemas as shapes
from servicedesk_service.api.context import caller, caller_id, caller_scope, now, problems, session_factory, time_zone
from servicedesk_service.domain.stock import ORDER_READER_ROLES, STOCK_EDITOR_ROLES, STOCK_READER_ROLES
from servicedesk_service.service_layer import stock, toner_orders

blp = Blueprint("stock", __name__, url_prefix="/api/v1", description="Stock locations, toner reports and toner orders")

SECURITY = [{"bearerAuth": []}]


def caller_customer() -> uuid.UUID | None:
    """The caller's company, or None for staff."""
    return caller_scope().customer_id


@blp.get("/stock-locations")
@require_auth(*STOCK_READER_ROLES)
@blp.arguments(shapes.CustomerQuery, location="query", unknown=RAISE, as_kwargs=True)
@blp.response(200, shapes.StockLocationsOut)
@blp.doc(security=SECURITY)
@problems
def list_locations(customer_id=None):
    """The company's stock locations; staff: every customer's, or one customer's."""
    with transaction(session_factory()) as session:
        return {"items": stock.list_locations(session, caller_customer(), of_customer=customer_id)}


@blp.post("/stock-locations")
@require_auth(*STOCK_EDITOR_ROLES)
@blp.arguments(shapes.StockLocationIn)
@blp.response(201, shapes.StockLocationOut)
@blp.alt_response(422, description="Invalid or unknown fields, named (problem+json).")
@blp.doc(security=SECURITY)
@problems
def create_location(body):
    """Add a stock location, optionally with its inventory."""
    with transaction(session_factory()) as session:
        return stock.create_location(session, caller_customer(), body, now=now(), by=caller_id())


@blp.get("/stock-locations/<uuid:location_id>")
@require_auth(*STOCK_READER_ROLES)
@blp.response(200, shapes.StockLocationOut)
@blp.alt_response(404, description="No such stock location within reach (problem+json).")
@blp.doc(security=SECURITY)
@problems
def get_location(location_id: uuid.UUID):
    with transaction(session_factory()) as session:
        return stock.get_location(session, caller_customer(), location_id)


@blp.patch("/stock-locations/<uuid:location_id>")
@require_auth(*STOCK_EDITOR_ROLES)
@blp.arguments(shapes.StockLocationPatch)
@blp.response(200, shapes.StockLocationOut)
@blp.alt_response(404, description="No such stock location within reach (problem+json).")
@blp.alt_response(422, description="Invalid or unknown fields, named (problem+json).")
@blp.doc(security=SECURITY)
@problems
def update_location(body, location_id: uuid.UUID):
    """Change the name, shipping details, or inventory levels."""
    with transaction(session_factory()) as session:
        return stock.update_location(session, caller_customer(), location_id, body, now=now())


@blp.put("/devices/<uuid:device_id>/stock-location")
@require_auth(*STOCK_EDITOR_ROLES)
@blp.arguments(shapes.DeviceStockLocationIn)
@blp.response(200, schemas.DeviceOut)
@blp.alt_response(404, description="No such device or stock location within reach (problem+json).")
@blp.doc(security=SECURITY)
@problems
def put_stock_location(body, device_id: uuid.UUID):
    """Name the stock location that replenishes this device's toner (null: none)."""
    with transaction(session_factory()) as session:
        return stock.place_device(session, caller_customer(), device_id, body["stock_location_id"])


@blp.post("/devices/<uuid:device_id>/toner-levels")
@require_auth(OPERATOR)
@blp.arguments(shapes.TonerReportIn)
@blp.response(202, shapes.TonerReportOut)
@blp.alt_response(404, description="No such device (problem+json).")
@blp.alt_response(422, description="Invalid or unknown fields, named (problem+json).")
@blp.doc(security=SECURITY)
@problems
def report_levels(body, device_id: uuid.UUID):
    """A device's toner levels, as its telemetry feed reports them; low toner may place orders."""
    with transaction(session_factory()) as session:
        orders = toner_orders.report_levels(
            session, device_id, body["levels"],
            now=now(), low_toner_percent=current_app.config["LOW_TONER_PERCENT"], time_zone=time_zone(),
        )
    return {"orders": orders}


@blp.get("/toner-orders")
@require_auth(*ORDER_READER_ROLES)
@blp.arguments(shapes.TonerOrdersQuery, location="query", unknown=RAISE, as_kwargs=True)
@blp.response(200, shapes.TonerOrdersOut)
@blp.doc(security=SECURITY)
@problems
def list_orders(customer_id=None, status=None):
    """The company's toner orders, newest first; staff: every customer's, or one customer's."""
    with transaction(session_factory()) as session:
        return {"items": toner_orders.list_orders(session, caller_customer(), of_customer=customer_id, status=status)}


@blp.get("/toner-orders/<uuid:order_id>")
@require_auth(*ORDER_READER_ROLES)
@blp.response(200, shapes.TonerOrderOut)
@blp.alt_response(404, description="No such toner order within reach (problem+json).")
@blp.doc(security=SECURITY)
@problems
def get_order(order_id: uuid.UUID):
    with transaction(session_factory()) as session:
        return toner_orders.get_order(session, caller_customer(), order_id)


@blp.post("/toner-orders/<uuid:order_id>/status")
@require_auth(OPERATOR, AGENT)
@blp.arguments(shapes.OrderStatusIn)
@blp.response(200, shapes.TonerOrderOut)
@blp.alt_response(409, description="The order is shipped or cancelled already (problem+json).")
@blp.doc(security=SECURITY)
@problems
def move_order(body, order_id: uuid.UUID):
    """Ship or cancel an open order; once it has left open, a later low report may place a new one."""
    with transaction(session_factory()) as session:
        return toner_orders.move_order(session, order_id, body["status"], now=now(), by=caller_id(), actor=caller())
