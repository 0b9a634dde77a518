"""Exchange rates: the operator's import and the current rate."""
from __future__ import annotations

from flask import request
from flask_smorest import Blueprint

from billing_service.api.context import billing
from billing_service.api.schemas import FixImportOut, RateOut, RatesIn, RatesOut
from billing_service.service_layer.rates import import_fix, set_rates, todays_rate
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


# Banxico's FIX as the SIE publishes it: the body is the file itself, in either form.
_FIX_FILE = {
    "required": True,
    "description": "Banxico's series SF43718 (FIX) as published by its SIE: the CSV download (title lines, "
                   "a 'Fecha,SF43718' header row, then 'dd/mm/yyyy,rate' rows) or the SIE API's JSON "
                   "({\"bmx\": {\"series\": [{\"idSerie\": \"SF43718\", \"datos\": [{\"fecha\", \"dato\"}]}]}}). "
                   "Days marked N/E (no determination) are skipped.",
    "content": {
        "text/csv": {"schema": {"type": "string"}},
        "application/json": {"schema": {"type": "object"}},
    },
}


@blp.post("/exchange-rates/banxico")
@require_auth(OPERATOR)
@blp.response(200, FixImportOut)
@blp.alt_response(422, description="Not Banxico's FIX file, or rows without a valid date or rate, by CSV line "
                                   "(lines.N) or JSON index (bmx.series.0.datos.N); nothing is set (problem+json).")
@blp.doc(security=[{"bearerAuth": []}], requestBody=_FIX_FILE)
def import_fix_file():
    """Set rates from Banxico's FIX file (operator), as the import by day does: idempotent, each new or
    changed rate announced as billing.exchange_rate.set."""
    return import_fix(billing(), request.get_data(cache=True), csv_form=request.mimetype == "text/csv")


@blp.get("/exchange-rates/current")
@require_auth(ADMIN, BILLING, AGENT, OPERATOR)
@blp.response(200, RateOut)
@blp.alt_response(404, description="No rate has been set yet (problem+json).")
@blp.doc(security=[{"bearerAuth": []}])
def get_current_rate():
    """The latest rate on or before today in Mexico City."""
    return todays_rate(billing())
