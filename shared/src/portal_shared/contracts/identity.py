"""Events published by identity-service."""
from marshmallow import ValidationError, fields, validate, validates_schema

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


# Why access ended; every verifier refuses the covered tokens whatever the reason.
REVOCATION_REASONS = ("logout", "password_changed", "password_reset", "user_disabled", "roles_changed",
                      "customer_deactivated", "refresh_reused")


class AccessRevokedV1(EventData):
    """Access tokens issued at or before `issued_before` stop working before they expire.

    They are the tokens of `user_id` (of that one sign-in when `session_id` is set), or, with no
    user named, of every user of `customer_id`. Verifiers keep the entry until `expires_at`, when
    every token it covers has expired anyway.
    """

    user_id = fields.UUID(required=True, allow_none=True)
    customer_id = fields.UUID(required=True, allow_none=True)
    session_id = fields.String(required=True, allow_none=True, validate=validate.Length(min=1, max=64))
    issued_before = fields.AwareDateTime(required=True)
    expires_at = fields.AwareDateTime(required=True)
    reason = fields.String(required=True, validate=validate.OneOf(REVOCATION_REASONS))

    @validates_schema
    def _names_whose_access(self, data, **kwargs):
        if data.get("user_id") is None and data.get("customer_id") is None:
            raise ValidationError("a revocation names a user or a customer", "user_id")
