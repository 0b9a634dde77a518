"""GET /api/v1/accounts: the billing accounts of the caller's customer."""
from __future__ import annotations

import sqlalchemy as sa
from flask import current_app
from flask_smorest import Blueprint
from sqlalchemy.orm import selectinload

from billing_service.adapters.orm import Customer
from billing_service.api.schemas import AccountsOut, AccountsQuery
from billing_service.api.scope import customer_in_scope
from portal_shared.auth import ADMIN, AGENT, BILLING, OPERATOR
from portal_shared.auth.flask import current_principal, require_auth
from portal_shared.db import transaction
from portal_shared.web import Problem

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
    scoped = customer_in_scope(current_principal(), customer_id)
    with transaction(current_app.extensions["billing.session_factory"]) as session:
        customer = session.scalar(
            sa.select(Customer).where(Customer.id == scoped).options(selectinload(Customer.accounts))
        )
        if customer is None:
            # identity registers customers; billing learns of them by event, maybe a moment later.
            raise Problem(404, "Customer not found", "billing has no customer with this id (yet).")
        return {
            "customer": customer,
            "items": [
                {
                    "id": account.id,
                    "account_number": account.account_number,
                    "system_account_number": customer.system_account_number,
                    "opened_at": account.opened_at,
                }
                for account in customer.accounts
            ],
        }
