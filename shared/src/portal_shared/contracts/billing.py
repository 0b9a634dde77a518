"""Events published by billing-service."""
from marshmallow import fields, validate

from portal_shared.contracts.base import EventData


class AccountOpenedV1(EventData):
    account_id = fields.UUID(required=True)
    customer_id = fields.UUID(required=True)
    account_number = fields.String(required=True, validate=validate.Length(min=1, max=32))
