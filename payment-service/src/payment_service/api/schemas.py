"""Request and response bodies. Requests refuse unknown fields (marshmallow's default)."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from portal_shared.banks import BANKS
from portal_shared.web.fields import StrictDecimal

MONEY_STRING = dict(metadata={"description": "decimal string, 2 places", "example": "1234.50"})


class PaymentItemRequestSchema(Schema):
    invoice_id = fields.UUID(required=True)
    amount = StrictDecimal(places=2, required=True, metadata={"example": "1234.50"})


class PaymentRequestSchema(Schema):
    bank = fields.String(required=True, validate=validate.OneOf(BANKS))
    items = fields.List(
        fields.Nested(PaymentItemRequestSchema), required=True, validate=validate.Length(min=1, max=200)
    )


class PaymentItemSchema(Schema):
    invoice_id = fields.String()
    invoice_number = fields.String()
    account_number = fields.String()
    currency = fields.String()
    amount = fields.String(**MONEY_STRING)
    amount_mxn = fields.String(**MONEY_STRING)
    exchange_rate = fields.String(allow_none=True)


class PaymentSchema(Schema):
    id = fields.String()
    reference = fields.String()
    status = fields.String(metadata={"enum": ["pending", "confirmed", "failed"]})
    bank = fields.String()
    bank_reference = fields.String(allow_none=True)
    total = fields.String(**MONEY_STRING)
    currency = fields.String()
    redirect_url = fields.String(allow_none=True)
    items = fields.List(fields.Nested(PaymentItemSchema))
    created_at = fields.String()
    confirmed_at = fields.String(allow_none=True)
    failure_reason = fields.String(allow_none=True)


class InTransitSchema(Schema):
    items = fields.List(fields.Nested(PaymentSchema))


class HistoryQuerySchema(Schema):
    account = fields.String(validate=validate.Length(min=1, max=32))
    from_ = fields.Date(data_key="from")
    to = fields.Date()
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    page_size = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
    customer_id = fields.UUID(metadata={"description": "staff (agent) only: whose history"})

    @validates_schema
    def _from_not_after_to(self, data, **kwargs):
        if data.get("from_") and data.get("to") and data["from_"] > data["to"]:
            raise ValidationError("Must not be after 'to'.", field_name="from")


class HistoryInvoiceSchema(Schema):
    invoice_id = fields.String()
    invoice_number = fields.String()
    account_number = fields.String()
    amount = fields.String(**MONEY_STRING)
    currency = fields.String()


class HistoryEntrySchema(Schema):
    id = fields.String()
    paid_at = fields.String()
    reference = fields.String()
    bank = fields.String()
    bank_reference = fields.String()
    total = fields.String(**MONEY_STRING)
    currency = fields.String()
    invoices = fields.List(fields.Nested(HistoryInvoiceSchema))


class HistorySchema(Schema):
    items = fields.List(fields.Nested(HistoryEntrySchema))
    page = fields.Integer()
    page_size = fields.Integer()
    total = fields.Integer()


class CallbackAnswerSchema(Schema):
    payment_id = fields.String()
    status = fields.String()
    changed = fields.Boolean()
