"""Request and response shapes of the stock API: stock locations, toner reports, toner orders."""
from marshmallow import Schema, fields, validate

from servicedesk_service.domain.stock import ORDER_STATUSES, VENDOR_MOVES, at_or_under_reorder_point

MAX_QUANTITY = 1_000_000  # far above any shelf; keeps values inside INTEGER


def _text(max_length: int, **kwargs):
    return fields.String(validate=validate.Length(min=1, max=max_length), **kwargs)


def _count(**kwargs):
    # strict: "3" and 3.5 are refused rather than coerced.
    return fields.Integer(strict=True, validate=validate.Range(min=0, max=MAX_QUANTITY), **kwargs)


class InventoryEntryIn(Schema):
    toner_item = _text(100, required=True, metadata={"description": "Toner product code, e.g. GPR-58 K."})
    quantity = _count(required=True)
    reorder_point = _count(required=True, metadata={"description": "At or under this quantity, low reports reorder."})


class StockLocationIn(Schema):
    name = _text(200, required=True)
    shipping_address = _text(500, required=True)
    shipping_instructions = fields.String(validate=validate.Length(max=2000))
    inventory = fields.List(fields.Nested(InventoryEntryIn), validate=validate.Length(max=200))


class StockLocationPatch(Schema):
    name = _text(200)
    shipping_address = _text(500)
    shipping_instructions = fields.String(validate=validate.Length(max=2000))
    inventory = fields.List(fields.Nested(InventoryEntryIn), validate=validate.Length(max=200),
                            metadata={"description": "Each entry sets that item's level; items not named stay."})


class CustomerQuery(Schema):
    customer_id = fields.UUID(metadata={"description": "Staff only: the customer whose records to list."})


class InventoryEntryOut(Schema):
    toner_item = fields.String()
    quantity = fields.Integer()
    reorder_point = fields.Integer()
    below_reorder_point = fields.Function(
        lambda level: at_or_under_reorder_point(level.quantity, level.reorder_point),
        metadata={"description": "At or under the reorder point: a low toner report places an order."},
    )


class StockLocationOut(Schema):
    id = fields.UUID()
    customer_id = fields.UUID()
    name = fields.String()
    shipping_address = fields.String()
    shipping_instructions = fields.String()
    inventory = fields.List(fields.Nested(InventoryEntryOut), attribute="levels")
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class StockLocationsOut(Schema):
    items = fields.List(fields.Nested(StockLocationOut))


class DeviceStockLocationIn(Schema):
    stock_location_id = fields.UUID(required=True, allow_none=True,
                                    metadata={"description": "null: the device's toner is not replenished."})


class TonerLevelIn(Schema):
    toner_item = _text(100, required=True)
    percent = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=100))


class TonerReportIn(Schema):
    levels = fields.List(fields.Nested(TonerLevelIn), required=True, validate=validate.Length(min=1, max=50))


class TonerOrderOut(Schema):
    id = fields.UUID()
    customer_id = fields.UUID()
    stock_location_id = fields.UUID()
    stock_location_name = fields.Function(lambda order: order.stock_location.name)
    device_id = fields.UUID(allow_none=True)
    serial_number = fields.Function(lambda order: order.device.serial_number if order.device else None)
    toner_item = fields.String()
    quantity = fields.Integer()
    status = fields.String(metadata={"enum": list(ORDER_STATUSES)})
    created_at = fields.AwareDateTime()
    shipped_at = fields.AwareDateTime(allow_none=True)
    cancelled_at = fields.AwareDateTime(allow_none=True)


class TonerOrdersOut(Schema):
    items = fields.List(fields.Nested(TonerOrderOut))


class TonerReportOut(Schema):
    orders = fields.List(fields.Nested(TonerOrderOut), metadata={"description": "The orders this report placed."})


class TonerOrdersQuery(CustomerQuery):
    status = fields.String(validate=validate.OneOf(ORDER_STATUSES))


class OrderStatusIn(Schema):
    status = fields.String(required=True, validate=validate.OneOf(VENDOR_MOVES))
