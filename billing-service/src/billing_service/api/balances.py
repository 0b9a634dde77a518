"""Balances: the open invoices with MXN equivalents, and totals per currency."""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import RAISE

from billing_service.api.caller import customer_in_scope
from billing_service.api.context import billing
from billing_service.api.schemas import BalancesOut, PagedQuery
from billing_service.service_layer import queries
from portal_shared.auth import ADMIN, AGENT, BILLING, OPERATOR
from portal_shared.auth.flask import current_principal, require_auth

blp = Blueprint("balances", __name__, url_prefix="/api/v1", description="Balances")


@blp.get("/balances")
@require_auth(ADMIN, BILLING, AGENT, OPERATOR)
@blp.arguments(PagedQuery, location="query", unknown=RAISE, as_kwargs=True)
@blp.response(200, BalancesOut)
@blp.alt_response(404, description="Unknown customer or account (problem+json).")
@blp.alt_response(422, description="Bad query parameter, named (problem+json).")
@blp.doc(security=[{"bearerAuth": []}])
def list_balances(customer_id=None, account=None, page=1, page_size=50):
    """Open invoices by due date: USD ones with today's rate and MXN equivalents; totals of all of them."""
    scoped = customer_in_scope(current_principal(), customer_id)
    return queries.balances(billing(), scoped, account=account, page=queries.Page(page, page_size))
