"""Request and response bodies. Requests refuse unknown fields (marshmallow's default)."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from portal_shared.auth import CUSTOMER_ROLES

from identity_service.domain.links import LINK_KINDS
from identity_service.domain.passwords import MAX_LENGTH as PASSWORD_MAX
from identity_service.domain.rfc import InvalidRFC, validate_rfc

EMAIL = dict(validate=validate.Length(max=254))
PASSWORD = dict(validate=validate.Length(min=1, max=PASSWORD_MAX))
TOKEN = dict(validate=validate.Length(min=1, max=200))


def _rfc(value: str) -> None:
    try:
        validate_rfc(value)
    except InvalidRFC as exc:
        raise ValidationError(str(exc)) from None


# --- auth
class LoginSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=254))
    password = fields.String(required=True, **PASSWORD)


class TokensSchema(Schema):
    access_token = fields.String(required=True)
    token_type = fields.String(required=True, dump_default="Bearer")
    expires_in = fields.Integer(required=True)
    refresh_token = fields.String(allow_none=True)
    must_change_password = fields.Boolean(required=True)


class RefreshTokenSchema(Schema):
    refresh_token = fields.String(required=True, **TOKEN)


class FirstLoginSchema(Schema):
    email = fields.Email(required=True, **EMAIL)
    new_password = fields.String(required=True, **PASSWORD)


class RecoverSchema(Schema):
    email = fields.Email(required=True, **EMAIL)


class AcceptedSchema(Schema):
    status = fields.String()
    detail = fields.String()


class TokenAndPasswordSchema(Schema):
    token = fields.String(required=True, **TOKEN)
    new_password = fields.String(required=True, **PASSWORD)


class TokenSchema(Schema):
    token = fields.String(required=True, **TOKEN)


class LinkCheckSchema(Schema):
    token = fields.String(required=True, **TOKEN)
    purpose = fields.String(required=True, validate=validate.OneOf(sorted(LINK_KINDS)))


class ChangePasswordSchema(Schema):
    current_password = fields.String(required=True, **PASSWORD)
    new_password = fields.String(required=True, **PASSWORD)


# --- me and users
class MeCustomerSchema(Schema):
    id = fields.String()
    rfc = fields.String()
    name = fields.String()
    system_account_number = fields.String()
    account_numbers = fields.List(fields.String())


class MeSchema(Schema):
    id = fields.String()
    username = fields.String()
    email = fields.String(allow_none=True)
    email_verified = fields.Boolean()
    name = fields.String()
    roles = fields.List(fields.String())
    customer = fields.Nested(MeCustomerSchema, allow_none=True)


class UserSchema(Schema):
    id = fields.String()
    customer_id = fields.String(allow_none=True)
    username = fields.String()
    email = fields.String(allow_none=True)
    email_verified = fields.Boolean()
    name = fields.String()
    roles = fields.List(fields.String())
    status = fields.String()
    created_at = fields.DateTime()


class UsersSchema(Schema):
    items = fields.List(fields.Nested(UserSchema))


ROLE = fields.String(validate=validate.OneOf(sorted(CUSTOMER_ROLES)))


class UserInviteSchema(Schema):
    email = fields.Email(required=True, **EMAIL)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    roles = fields.List(ROLE, required=True, validate=validate.Length(min=1))


class InvitationSentSchema(Schema):
    """The answer to every accepted invitation, whether or not the address already had an account."""

    email = fields.String()
    status = fields.String()


class UserPatchSchema(Schema):
    roles = fields.List(ROLE, validate=validate.Length(min=1))
    name = fields.String(validate=validate.Length(min=1, max=200))
    email = fields.Email(**EMAIL)

    @validates_schema
    def _not_empty(self, data, **_kwargs):
        if not data:
            raise ValidationError("Give at least one of roles, name, email.")


class CustomerQuerySchema(Schema):
    customer_id = fields.UUID()


class AuditQuerySchema(Schema):
    customer_id = fields.UUID()
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class AuditEntrySchema(Schema):
    id = fields.Integer()
    occurred_at = fields.DateTime()
    actor = fields.Dict()
    customer_id = fields.String(allow_none=True)
    action = fields.String()
    target = fields.Dict()
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)


class AuditLogSchema(Schema):
    items = fields.List(fields.Nested(AuditEntrySchema))


# --- customers
class CustomerCreateSchema(Schema):
    rfc = fields.String(required=True, validate=_rfc)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    system_account_number = fields.String(required=True, validate=validate.Length(min=1, max=32))
    account_numbers = fields.List(
        fields.String(validate=validate.Length(min=1, max=32)), required=True, validate=validate.Length(min=1)
    )


class CustomerSchema(Schema):
    id = fields.String()
    rfc = fields.String()
    name = fields.String()
    system_account_number = fields.String()
    account_numbers = fields.List(fields.String())
    created_at = fields.DateTime()


class CustomersSchema(Schema):
    items = fields.List(fields.Nested(CustomerSchema))


class CustomersQuerySchema(Schema):
    rfc = fields.String(validate=validate.Length(min=1, max=13))


class ActivationLinkSchema(Schema):
    email = fields.Email(required=True, **EMAIL)


class ActivationLinkSentSchema(Schema):
    user_id = fields.String()
    email = fields.String()
    expires_in = fields.Integer()
