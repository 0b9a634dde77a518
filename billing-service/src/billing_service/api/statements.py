"""Statements of account: generation (operator), list and PDF download."""
from __future__ import annotations

from flask import Response
from flask_smorest import Blueprint
from marshmallow import RAISE

from billing_service.api.caller import customer_in_scope
from billing_service.api.context import billing
from billing_service.api.schemas import GenerateStatementsIn, GenerateStatementsOut, PagedQuery, ScopeQuery, StatementsOut
from billing_service.service_layer import statements
from billing_service.service_layer.queries import Page
from portal_shared.auth import ADMIN, AGENT, BILLING, OPERATOR
from portal_shared.auth.flask import current_principal, require_auth

blp = Blueprint("statements", __name__, url_prefix="/api/v1", description="Statements of account")


@blp.post("/statements")
@require_auth(OPERATOR)
@blp.arguments(GenerateStatementsIn)
@blp.response(200, GenerateStatementsOut)
@blp.alt_response(409, description="Another generation of the period ran at the same time (problem+json).")
@blp.alt_response(422, description="period malformed or not yet ended (problem+json).")
@blp.doc(security=[{"bearerAuth": []}])
def generate(body):
    """Generate the month's statement of every account that has one to state; existing ones are kept."""
    result = statements.generate_statements(billing(), body["period"])
    return {"period": result.period, "generated": result.generated, "existing": result.existing}


@blp.get("/statements")
@require_auth(ADMIN, BILLING, AGENT, OPERATOR)
@blp.arguments(PagedQuery, location="query", unknown=RAISE, as_kwargs=True)
@blp.response(200, StatementsOut)
@blp.alt_response(404, description="Unknown customer (problem+json).")
@blp.alt_response(422, description="Bad query parameter, named (problem+json).")
@blp.doc(security=[{"bearerAuth": []}])
def list_statements(customer_id=None, account=None, page=1, page_size=50):
    """The customer's statements, newest period first."""
    scoped = customer_in_scope(current_principal(), customer_id)
    return statements.list_statements(billing(), scoped, account=account, page=Page(page, page_size))


@blp.get("/statements/<string:statement_id>/pdf")
@require_auth(ADMIN, BILLING, AGENT, OPERATOR)
@blp.arguments(ScopeQuery, location="query", unknown=RAISE, as_kwargs=True)
@blp.response(200, description="The statement as issued (application/pdf).")
@blp.alt_response(404, description="No such statement for this customer (problem+json).")
@blp.doc(security=[{"bearerAuth": []}])
def download(statement_id: str, customer_id=None):
    scoped = customer_in_scope(current_principal(), customer_id)
    found_id, pdf = statements.statement_pdf(billing(), scoped, statement_id)
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="estado-de-cuenta-{found_id}.pdf"'},
    )
