"""Exchange rates: the operator's import and the current rate."""
from __future__ import annotations

from flask_smorest import Blueprint

from billing_service.api.schemas import RateOut, RatesIn, RatesOut
from billing_service.api.scope import session_factory
from billing_service.service_layer.rates import current_rate, set_rates
from portal_shared.auth import ADMIN, AGENT, BILLING, OPERATOR
from portal_shared.auth.flask import require_auth
from portal_shared.db import transaction
from portal_shared.web import Problem

blp = Blueprint("exchange_rates", __name__, url_prefix="/api/v1", description="Exchange rates (MXN per USD)")


@blp.post("/exchange-rates")
@require_auth(OPERATOR)
@blp.arguments(RatesIn)
@blp.response(200, RatesOut)
@blp.alt_response(422, description="Invalid rows, by row index and field (problem+json).")
@blp.doc(security=[{"bearerAuth": []}])
def import_rates(body):
    """Set rates by day (operator); each new or changed one is announced as billing.exchange_rate.set."""
    with transaction(session_factory()) as session:
        result = set_rates(session, body["rates"])
    return {"set": result.set, "unchanged": result.unchanged}


@blp.get("/exchange-rates/current")
@require_auth(ADMIN, BILLING, AGENT, OPERATOR)
@blp.response(200, RateOut)
@blp.alt_response(404, description="No rate has been set yet (problem+json).")
@blp.doc(security=[{"bearerAuth": []}])
def get_current_rate():
    """The latest rate on or before today in Mexico City."""
    with transaction(session_factory()) as session:
        found = current_rate(session)
    if found is None:
        raise Problem(404, "No exchange rate", "No exchange rate has been set yet.")
    return {"date": found[0], "rate": found[1]}
