"""Events published by identity-service."""
from marshmallow import fields, validate

from portal_shared.contracts.base import EventData


class CustomerRegisteredV1(EventData):
    customer_id = fields.UUID(required=True)
    rfc = fields.String(required=True, validate=validate.Length(min=12, max=13))
    name = fields.String(required=True)
    system_account_number = fields.String(required=True)
    account_numbers = fields.List(fields.String(), required=True, validate=validate.Length(min=1))


class UserCreatedV1(EventData):
    user_id = fields.UUID(required=True)
    customer_id = fields.UUID(required=True, allow_none=True)
    username = fields.String(required=True)
    email = fields.String(required=True, allow_none=True)
    roles = fields.List(fields.String(), required=True)


class UserRolesChangedV1(EventData):
    user_id = fields.UUID(required=True)
    customer_id = fields.UUID(required=True, allow_none=True)
    roles = fields.List(fields.String(), required=True)
