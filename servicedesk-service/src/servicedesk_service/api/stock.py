"""Stock for e-Maintenance: stock locations and inventory, a device's stock location, toner reports, toner orders."""
from __future__ import annotations

import uuid

from flask_smorest import Blueprint
from marshmallow import RAISE

from portal_shared.auth import AGENT, OPERATOR
from portal_shared.auth.flask import require_auth
from servicedesk_service.api import schemas
from servicedesk_service.api import stock_schemas as shapes
from servicedesk_service.api.context import caller, caller_id, caller_scope, context
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
def list_locations(customer_id=None):
    """The company's stock locations; staff: every customer's, or one customer's."""
    return {"items": stock.list_locations(context(), caller_customer(), of_customer=customer_id)}


@blp.post("/stock-locations")
@require_auth(*STOCK_EDITOR_ROLES)
@blp.arguments(shapes.StockLocationIn)
@blp.response(201, shapes.StockLocationOut)
@blp.alt_response(422, description="Invalid or unknown fields, named (problem+json).")
@blp.doc(security=SECURITY)
def create_location(body):
    """Add a stock location, optionally with its inventory."""
    return stock.create_location(context(), caller_customer(), body, by=caller_id())


@blp.get("/stock-locations/<uuid:location_id>")
@require_auth(*STOCK_READER_ROLES)
@blp.response(200, shapes.StockLocationOut)
@blp.alt_response(404, description="No such stock location within reach (problem+json).")
@blp.doc(security=SECURITY)
def get_location(location_id: uuid.UUID):
    return stock.read_location(context(), caller_customer(), location_id)


@blp.patch("/stock-locations/<uuid:location_id>")
@require_auth(*STOCK_EDITOR_ROLES)
@blp.arguments(shapes.StockLocationPatch)
@blp.response(200, shapes.StockLocationOut)
@blp.alt_response(404, description="No such stock location within reach (problem+json).")
@blp.alt_response(422, description="Invalid or unknown fields, named (problem+json).")
@blp.doc(security=SECURITY)
def update_location(body, location_id: uuid.UUID):
    """Change the name, shipping details, or inventory levels."""
    return stock.update_location(context(), caller_customer(), location_id, body)


@blp.put("/devices/<uuid:device_id>/stock-location")
@require_auth(*STOCK_EDITOR_ROLES)
@blp.arguments(shapes.DeviceStockLocationIn)
@blp.response(200, schemas.DeviceOut)
@blp.alt_response(404, description="No such device or stock location within reach (problem+json).")
@blp.doc(security=SECURITY)
def put_stock_location(body, device_id: uuid.UUID):
    """Name the stock location that replenishes this device's toner (null: none)."""
    return stock.place_device(context(), caller_customer(), device_id, body["stock_location_id"])


@blp.post("/devices/<uuid:device_id>/toner-levels")
@require_auth(OPERATOR)
@blp.arguments(shapes.TonerReportIn)
@blp.response(202, shapes.TonerReportOut)
@blp.alt_response(404, description="No such device (problem+json).")
@blp.alt_response(422, description="Invalid or unknown fields, named (problem+json).")
@blp.doc(security=SECURITY)
def report_levels(body, device_id: uuid.UUID):
    """A device's toner levels, as its telemetry feed reports them; low toner may place orders."""
    return {"orders": toner_orders.report_levels(context(), device_id, body["levels"])}


@blp.get("/toner-orders")
@require_auth(*ORDER_READER_ROLES)
@blp.arguments(shapes.TonerOrdersQuery, location="query", unknown=RAISE, as_kwargs=True)
@blp.response(200, shapes.TonerOrdersOut)
@blp.doc(security=SECURITY)
def list_orders(customer_id=None, status=None):
    """The company's toner orders, newest first; staff: every customer's, or one customer's."""
    return {"items": toner_orders.list_orders(context(), caller_customer(), of_customer=customer_id, status=status)}


@blp.get("/toner-orders/<uuid:order_id>")
@require_auth(*ORDER_READER_ROLES)
@blp.response(200, shapes.TonerOrderOut)
@blp.alt_response(404, description="No such toner order within reach (problem+json).")
@blp.doc(security=SECURITY)
def get_order(order_id: uuid.UUID):
    return toner_orders.read_order(context(), caller_customer(), order_id)


@blp.post("/toner-orders/<uuid:order_id>/status")
@require_auth(OPERATOR, AGENT)
@blp.arguments(shapes.OrderStatusIn)
@blp.response(200, shapes.TonerOrderOut)
@blp.alt_response(409, description="The order is shipped or cancelled already (problem+json).")
@blp.doc(security=SECURITY)
def move_order(body, order_id: uuid.UUID):
    """Ship or cancel an open order; once it has left open, a later low report may place a new one."""
    return toner_orders.move_order(context(), order_id, body["status"], by=caller_id(), actor=caller())
