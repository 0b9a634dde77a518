"""Exchange rates: the operator's import and the current rate."""
from __future__ import annotations

from flask_smorest import Blueprint

from billing_service.api.context import billing
from billing_service.api.schemas import RateOut, RatesIn, RatesOut
from billing_service.service_layer.rates import set_rates, todays_rate
from portal_shared.auth import ADMIN, AGENT, BILLING, OPERATOR
from portal_shared.auth.flask import require_auth

blp = Blueprint("exchange_rates", __name__, url_prefix="/api/v1", description="Exchange rates (MXN per USD)")


@blp.post("/exchange-rates")
@require_auth(OPERATOR)
@blp.arguments(RatesIn)
@blp.response(200, RatesOut)
@blp.alt_response(422, description="Invalid rows, by row index and field (problem+json).")
@blp.doc(security=[{"bearerAuth": []}])
def import_rates(body):
    """Set rates by day (operator); each new or changed one is announced as billing.exchange_rate.set."""
    result = set_rates(billing(), body["rates"])
    return {"set": result.set, "unchanged": result.unchanged}


@blp.get("/exchange-rates/current")
@require_auth(ADMIN, BILLING, AGENT, OPERATOR)
@blp.response(200, RateOut)
@blp.alt_response(404, description="No rate has been set yet (problem+json).")
@blp.doc(security=[{"bearerAuth": []}])
def get_current_rate():
    """The latest rate on or before today in Mexico City."""
    return todays_rate(billing())
