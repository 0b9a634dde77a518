"""Invoices: the operator's import, and each customer's list and detail."""
from __future__ import annotations

import uuid

from flask_smorest import Blueprint
from marshmallow import RAISE
from sqlalchemy.exc import IntegrityError

from billing_service.api.schemas import InvoiceImportIn, InvoiceImportOut, InvoiceOut, InvoicesOut, InvoicesQuery
from billing_service.api.scope import customer_in_scope, not_found, session_factory
from billing_service.service_layer import queries
from billing_service.service_layer.errors import NotFound, RowsRefused
from billing_service.service_layer.invoices import import_invoices
from portal_shared.auth import ADMIN, AGENT, BILLING, OPERATOR
from portal_shared.auth.flask import current_principal, require_auth
from portal_shared.db import transaction
from portal_shared.web import Problem

blp = Blueprint("invoices", __name__, url_prefix="/api/v1", description="Invoices")
READERS = (ADMIN, BILLING, AGENT, OPERATOR)


@blp.post("/invoices/import")
@require_auth(OPERATOR)
@blp.arguments(InvoiceImportIn)
@blp.response(200, InvoiceImportOut)
@blp.alt_response(409, description="A row contradicts an invoice already imported; nothing imported (problem+json).")
@blp.alt_response(413, description="Body larger than 1.5 MiB (problem+json).")
@blp.alt_response(422, description="Invalid rows, by row index and field; nothing imported (problem+json).")
@blp.doc(security=[{"bearerAuth": []}])
def import_invoices_view(body):
    """Import invoices (operator): all rows or none, idempotent by invoice number.

    Errors name the rows: {"errors": {"invoices": {"<row index>": {"<field>": [message]}}}}.
    """
    try:
        with transaction(session_factory()) as session:
            result = import_invoices(session, body["invoices"])
    except RowsRefused as refused:
        if refused.conflict:
            raise Problem(409, "Invoice already imported with other figures",
                          "Rows contradict invoices already imported; nothing was imported.",
                          errors={"invoices": refused.errors}) from refused
        raise Problem.validation({"invoices": refused.errors}) from refused
    except IntegrityError as exc:
        # Another import inserted the same number meanwhile: this one applied nothing.
        raise Problem(409, "Concurrent import", "Another import wrote the same invoices; send this one again.") from exc
    return {"imported": result.imported, "unchanged": result.unchanged}


@blp.get("/invoices")
@require_auth(*READERS)
@blp.arguments(InvoicesQuery, location="query", unknown=RAISE, as_kwargs=True)
@blp.response(200, InvoicesOut)
@blp.alt_response(404, description="Unknown customer or account (problem+json).")
@blp.alt_response(422, description="Bad query parameter, named (problem+json).")
@blp.doc(security=[{"bearerAuth": []}])
def list_invoices(customer_id=None, status=None, account=None, page=1, page_size=50):
    """The customer's invoices by due date (staff name the customer with ?customer_id=)."""
    scoped = customer_in_scope(current_principal(), customer_id)
    try:
        with transaction(session_factory()) as session:
            return queries.list_invoices(
                session, scoped, status=status, account=account, page=queries.Page(page, page_size)
            )
    except NotFound as exc:
        raise not_found(exc) from exc


@blp.get("/invoices/<uuid:invoice_id>")
@require_auth(*READERS)
@blp.arguments(InvoicesQuery(only=("customer_id",)), location="query", unknown=RAISE, as_kwargs=True)
@blp.response(200, InvoiceOut)
@blp.alt_response(404, description="No such invoice for this customer (problem+json).")
@blp.doc(security=[{"bearerAuth": []}])
def get_invoice(invoice_id: uuid.UUID, customer_id=None):
    """One invoice of the customer; another customer's is 404."""
    scoped = customer_in_scope(current_principal(), customer_id)
    try:
        with transaction(session_factory()) as session:
            return queries.get_invoice(session, scoped, invoice_id)
    except NotFound as exc:
        raise not_found(exc) from exc
