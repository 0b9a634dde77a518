"""Credit status of a customer, for customer service."""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import RAISE

from billing_service.api.context import billing
from billing_service.api.schemas import CreditOut, CreditQuery
from billing_service.service_layer import queries
from portal_shared.auth import AGENT, OPERATOR
from portal_shared.auth.flask import require_auth

blp = Blueprint("credit", __name__, url_prefix="/api/v1", description="Credit status")


@blp.get("/credit-status")
@require_auth(AGENT, OPERATOR)
@blp.arguments(CreditQuery, location="query", unknown=RAISE, as_kwargs=True)
@blp.response(200, CreditOut)
@blp.alt_response(404, description="Unknown customer (problem+json).")
@blp.alt_response(422, description="customer_id missing or malformed (problem+json).")
@blp.doc(security=[{"bearerAuth": []}])
def credit_status(customer_id):
    """current, overdue (an open invoice past due) or blocked (past due more than CREDIT_BLOCK_DAYS)."""
    return queries.customer_credit(billing(), customer_id)
