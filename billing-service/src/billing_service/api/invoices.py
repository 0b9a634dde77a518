"""Invoices: the operator's import, and each customer's list and detail."""
from __future__ import annotations

import uuid

from flask import Response
from flask_smorest import Blueprint
from marshmallow import RAISE

from billing_service.api.caller import customer_in_scope
from billing_service.api.context import billing
from billing_service.api.schemas import (
    CfdiMonthQuery,
    InvoiceImportIn,
    InvoiceImportOut,
    InvoiceOut,
    InvoicesOut,
    InvoicesQuery,
)
from billing_service.service_layer import queries
from billing_service.service_layer.invoices import import_invoices
from portal_shared.auth import ADMIN, AGENT, BILLING, OPERATOR
from portal_shared.auth.flask import current_principal, require_auth

blp = Blueprint("invoices", __name__, url_prefix="/api/v1", description="Invoices")
READERS = (ADMIN, BILLING, AGENT, OPERATOR)


@blp.post("/invoices/import")
@require_auth(OPERATOR)
@blp.arguments(InvoiceImportIn)
@blp.response(200, InvoiceImportOut)
@blp.alt_response(409, description="A row contradicts an invoice already imported, or another import wrote the "
                                   "same invoices meanwhile; nothing imported (problem+json).")
@blp.alt_response(413, description="Body larger than 1.5 MiB (problem+json).")
@blp.alt_response(422, description="Invalid rows, by row index and field; nothing imported (problem+json). "
                                   "A CFDI breaking a rule has its code in field_codes under "
                                   "invoices.<row index>.cfdi_xml (billing.cfdi_*).")
@blp.doc(security=[{"bearerAuth": []}])
def import_invoices_view(body):
    """Import invoices (operator): all rows or none, idempotent by invoice number.

    Errors name the rows: {"errors": {"invoices.<row index>.<field>": [message]}}. A row's
    cfdi_xml (the stamped CFDI 4.0) is checked and kept; its UUID is the fiscal folio.
    """
    result = import_invoices(billing(), body["invoices"])
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
    return queries.list_invoices(billing(), scoped, status=status, account=account, page=queries.Page(page, page_size))


@blp.get("/invoices/<uuid:invoice_id>")
@require_auth(*READERS)
@blp.arguments(InvoicesQuery(only=("customer_id",)), location="query", unknown=RAISE, as_kwargs=True)
@blp.response(200, InvoiceOut)
@blp.alt_response(404, description="No such invoice for this customer (problem+json).")
@blp.doc(security=[{"bearerAuth": []}])
def get_invoice(invoice_id: uuid.UUID, customer_id=None):
    """One invoice of the customer; another customer's is 404."""
    return queries.get_invoice(billing(), customer_in_scope(current_principal(), customer_id), invoice_id)


def _filename(stored: queries.StoredCfdi, extension: str) -> str:
    # SAT writes the UUID in upper case; that is how people file their CFDIs.
    return f"{str(stored.fiscal_folio).upper()}.{extension}"


@blp.get("/invoices/cfdi.zip")
@require_auth(*READERS)
@blp.arguments(CfdiMonthQuery, location="query", unknown=RAISE, as_kwargs=True)
@blp.response(200, description="A ZIP of the month's CFDIs: each invoice's XML and PDF (application/zip).")
@blp.alt_response(404, description="No invoice of that month has a CFDI (billing.no_cfdis_in_month) (problem+json).")
@blp.alt_response(422, description="Bad or missing month, named (problem+json).")
@blp.doc(security=[{"bearerAuth": []}])
def download_month_of_cfdis(month, customer_id=None):
    """Every CFDI of the invoices issued in a month, XML and PDF, as one ZIP."""
    archive = queries.month_of_cfdis(billing(), customer_in_scope(current_principal(), customer_id), month)
    return Response(archive, mimetype="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="CFDI-{month}.zip"'})


@blp.get("/invoices/<uuid:invoice_id>/cfdi.xml")
@require_auth(*READERS)
@blp.arguments(InvoicesQuery(only=("customer_id",)), location="query", unknown=RAISE, as_kwargs=True)
@blp.response(200, description="The invoice's CFDI 4.0 as imported, byte for byte (application/xml).")
@blp.alt_response(404, description="No such invoice for this customer, or it has no CFDI "
                                   "(billing.cfdi_not_found) (problem+json).")
@blp.doc(security=[{"bearerAuth": []}])
def download_cfdi_xml(invoice_id: uuid.UUID, customer_id=None):
    """The invoice's stamped CFDI, as an attachment named by its UUID."""
    stored = queries.invoice_cfdi(billing(), customer_in_scope(current_principal(), customer_id), invoice_id)
    return Response(stored.xml, mimetype="application/xml",
                    headers={"Content-Disposition": f'attachment; filename="{_filename(stored, "xml")}"'})


@blp.get("/invoices/<uuid:invoice_id>/cfdi.pdf")
@require_auth(*READERS)
@blp.arguments(InvoicesQuery(only=("customer_id",)), location="query", unknown=RAISE, as_kwargs=True)
@blp.response(200, description="The printed representation of the invoice's CFDI (application/pdf).")
@blp.alt_response(404, description="No such invoice for this customer, or it has no CFDI "
                                   "(billing.cfdi_not_found) (problem+json).")
@blp.doc(security=[{"bearerAuth": []}])
def download_cfdi_pdf(invoice_id: uuid.UUID, customer_id=None):
    """The invoice's CFDI printed: issuer, receiver, folio fiscal, concepts, taxes, totals and seals."""
    stored, pdf = queries.invoice_cfdi_pdf(billing(), customer_in_scope(current_principal(), customer_id),
                                           invoice_id)
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{_filename(stored, "pdf")}"'})
