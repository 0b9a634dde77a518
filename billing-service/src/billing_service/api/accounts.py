"""GET /api/v1/accounts: the billing accounts of the caller's customer."""
from __future__ import annotations

from flask_smorest import Blueprint

from billing_service.api.caller import customer_in_scope
from billing_service.api.context import billing
from billing_service.api.schemas import AccountsOut, AccountsQuery
from billing_service.service_layer import queries
from portal_shared.auth import ADMIN, AGENT, BILLING, OPERATOR
from portal_shared.auth.flask import current_principal, require_auth

blp = Blueprint("accounts", __name__, url_prefix="/api/v1", description="Billing accounts")


@blp.get("/accounts")
# Outermost after the route: who is calling is settled before the query is even read.
@require_auth(ADMIN, BILLING, AGENT, OPERATOR)
@blp.arguments(AccountsQuery, location="query", as_kwargs=True)
@blp.response(200, AccountsOut)
@blp.alt_response(401, description="No valid access token (problem+json).")
@blp.alt_response(403, description="Role not allowed, or another company's customer named (problem+json).")
@blp.alt_response(404, description="billing knows no such customer (yet) (problem+json).")
@blp.alt_response(422, description="customer_id missing (staff) or malformed (problem+json).")
@blp.doc(security=[{"bearerAuth": []}])
def list_accounts(customer_id=None):
    """The customer's billing accounts, each with its customer and system account numbers.

    Customer users (admin, billing) see their own company's; agents and operators name the
    customer with ?customer_id=.
    """
    return queries.customer_accounts(billing(), customer_in_scope(current_principal(), customer_id))
