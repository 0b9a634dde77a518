"""Events published by billing-service."""
from marshmallow import fields, validate

from portal_shared.contracts.base import EventData, currency, money, rate


class AccountOpenedV1(EventData):
    account_id = fields.UUID(required=True)
    customer_id = fields.UUID(required=True)
    account_number = fields.String(required=True, validate=validate.Length(min=1, max=32))


class InvoiceIssuedV1(EventData):
    invoice_id = fields.UUID(required=True)
    invoice_number = fields.String(required=True)
    customer_id = fields.UUID(required=True)
    account_number = fields.String(required=True)
    currency = currency(required=True)
    amount = money(required=True)
    pending_amount = money(required=True)
    issue_date = fields.Date(required=True)
    due_date = fields.Date(required=True)
    fiscal_folio = fields.String(load_default=None, allow_none=True)


class InvoiceBalanceChangedV1(EventData):
    invoice_id = fields.UUID(required=True)
    customer_id = fields.UUID(required=True)
    currency = currency(required=True)
    pending_amount = money(required=True)
    in_transit_amount = money(required=True)
    status = fields.String(required=True, validate=validate.OneOf(("open", "paid")))
    # Grows with every change of this invoice: a consumer keeps the highest it has seen, so
    # changes arriving out of order never roll a balance back.
    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    payment_id = fields.UUID(load_default=None, allow_none=True)


class StatementPublishedV1(EventData):
    statement_id = fields.String(required=True)
    customer_id = fields.UUID(required=True)
    account_number = fields.String(required=True)
    period = fields.String(required=True, validate=validate.Regexp(r"^\d{4}-\d{2}$"))
    closing_balance_mxn = money(required=True)
    closing_balance_usd = money(required=True)


class ExchangeRateSetV1(EventData):
    date = fields.Date(required=True)
    rate = rate(required=True)
