"""Events published by payment-service.

A payment is always made in MXN. Each item names the invoice, the amount applied to it in the
invoice's own currency, and the MXN paid for it (for a USD invoice, at the rate fixed when the
payment started).
"""
from marshmallow import fields, validate

from portal_shared.banks import BANKS
from portal_shared.contracts.base import EventData, currency, money, rate


class PaymentItemV1(EventData):
    invoice_id = fields.UUID(required=True)
    currency = currency(required=True)
    amount = money(required=True)
    amount_mxn = money(required=True)
    exchange_rate = rate(load_default=None, allow_none=True)


class _PaymentEvent(EventData):
    payment_id = fields.UUID(required=True)
    customer_id = fields.UUID(required=True)
    bank = fields.String(required=True, validate=validate.OneOf(BANKS))
    reference = fields.String(required=True)
    total_mxn = money(required=True)
    items = fields.List(fields.Nested(PaymentItemV1), required=True, validate=validate.Length(min=1))


class PaymentInitiatedV1(_PaymentEvent):
    initiated_at = fields.AwareDateTime(required=True)


class PaymentConfirmedV1(_PaymentEvent):
    bank_reference = fields.String(required=True)
    confirmed_at = fields.AwareDateTime(required=True)


class PaymentFailedV1(_PaymentEvent):
    reason = fields.String(required=True)
    failed_at = fields.AwareDateTime(required=True)
