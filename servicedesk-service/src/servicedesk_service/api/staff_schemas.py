"""Response shapes of the staff API: the customer overview and the audit log (they also write the OpenAPI document).

The overview's remote parts are passed on as identity, billing and payment sent them; amounts
stay the decimal strings those services write.
"""
from marshmallow import Schema, fields, validate

from servicedesk_service.api.incident_schemas import IncidentOut
from servicedesk_service.api.schemas import DeviceOut


class CustomerOut(Schema):
    id = fields.String()
    rfc = fields.String()
    name = fields.String()
    system_account_number = fields.String(metadata={"description": "How customer service identifies the customer."})
    account_numbers = fields.List(fields.String(), metadata={"description": "Customer account numbers."})


class UserOut(Schema):
    id = fields.String()
    username = fields.String()
    name = fields.String()
    email = fields.String(allow_none=True)
    email_verified = fields.Boolean()
    roles = fields.List(fields.String())
    status = fields.String()


class AccountOut(Schema):
    id = fields.String()
    account_number = fields.String()
    system_account_number = fields.String()
    opened_at = fields.String(allow_none=True)


class PaidInvoiceOut(Schema):
    invoice_number = fields.String()
    account_number = fields.String()
    amount = fields.String()
    currency = fields.String()


class PaymentOut(Schema):
    id = fields.String()
    paid_at = fields.String()
    reference = fields.String()
    bank = fields.String()
    bank_reference = fields.String(allow_none=True)
    total = fields.String()
    currency = fields.String()
    invoices = fields.List(fields.Nested(PaidInvoiceOut))


class UnavailableOut(Schema):
    service = fields.String()
    part = fields.String(metadata={"description": "customer, users, accounts, credit_status or payments"})
    detail = fields.String()


class CustomerOverviewOut(Schema):
    customer = fields.Nested(CustomerOut)
    users = fields.List(fields.Nested(UserOut), allow_none=True)
    accounts = fields.List(fields.Nested(AccountOut), allow_none=True)
    credit_status = fields.Dict(allow_none=True, metadata={"description": "billing-service's credit status, as sent."})
    payments = fields.List(fields.Nested(PaymentOut), allow_none=True, metadata={"description": "Newest first."})
    devices = fields.List(fields.Nested(DeviceOut))
    incidents = fields.List(fields.Nested(IncidentOut))
    unavailable = fields.List(fields.Nested(UnavailableOut),
                              metadata={"description": "Parts left out: their service was down, slow or failing."})


class AuditQuery(Schema):
    customer_id = fields.UUID(metadata={"description": "Only this customer's entries."})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class ActorOut(Schema):
    user_id = fields.UUID(allow_none=True)
    roles = fields.List(fields.String())


class SubjectOut(Schema):
    type = fields.String()
    id = fields.String()


class AuditEntryOut(Schema):
    at = fields.AwareDateTime()
    actor = fields.Nested(ActorOut)
    action = fields.String()
    customer_id = fields.UUID()
    subject = fields.Nested(SubjectOut)
    detail = fields.Dict()


class AuditLogOut(Schema):
    items = fields.List(fields.Nested(AuditEntryOut))
