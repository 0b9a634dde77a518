"""Request and response shapes of the billing API (they also write the OpenAPI document)."""
from marshmallow import Schema, fields


class AccountsQuery(Schema):
    # Unknown query parameters are refused (marshmallow's default), so a misspelt filter says so.
    customer_id = fields.UUID(metadata={"description": "Staff only: the customer whose accounts to list."})


class CustomerOut(Schema):
    id = fields.UUID()
    rfc = fields.String()
    name = fields.String()
    system_account_number = fields.String()


class AccountOut(Schema):
    id = fields.UUID()
    account_number = fields.String(metadata={"description": "Customer account number, as on contracts and invoices."})
    system_account_number = fields.String(metadata={"description": "How customer service identifies the customer."})
    opened_at = fields.AwareDateTime()


class AccountsOut(Schema):
    customer = fields.Nested(CustomerOut)
    items = fields.List(fields.Nested(AccountOut))
