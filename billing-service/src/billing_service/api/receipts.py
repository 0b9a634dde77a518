"""Payment receipts (REP): each customer's, by payment, and the staff's list of those not stamped."""
from __future__ import annotations

import uuid

from flask import Response
from flask_smorest import Blueprint
from marshmallow import RAISE

from billing_service.api.caller import customer_in_scope
from billing_service.api.context import billing
from billing_service.api.schemas import ReceiptOut, ReceiptsOut, ReceiptsQuery, ScopeQuery
from billing_service.service_layer import receipt_queries
from billing_service.service_layer.queries import Page
from portal_shared.auth import ADMIN, AGENT, BILLING, OPERATOR
from portal_shared.auth.flask import current_principal, require_auth

blp = Blueprint("receipts", __name__, url_prefix="/api/v1", description="Payment receipts (REP)")
READERS = (ADMIN, BILLING, AGENT, OPERATOR)


def _filename(stamped: receipt_queries.StampedReceipt, extension: str) -> str:
    return f"REP-{str(stamped.fiscal_folio).upper()}.{extension}"


@blp.get("/payment-receipts")
@require_auth(*READERS)
@blp.arguments(ReceiptsQuery, location="query", unknown=RAISE, as_kwargs=True)
@blp.response(200, ReceiptsOut)
@blp.alt_response(422, description="Bad query parameter, named (problem+json).")
@blp.doc(security=[{"bearerAuth": []}])
def list_receipts(customer_id=None, month=None, unstamped=False, payment_id=None, page=1, page_size=50):
    """The receipts of the customer's confirmed payments, newest first; with ?unstamped=true those
    not stamped yet, by SAT's deadline. Staff may leave out customer_id to see every customer's."""
    principal = current_principal()
    scoped = customer_id if principal.is_staff else customer_in_scope(principal, customer_id)
    return receipt_queries.list_receipts(billing(), scoped, month=month, unstamped=unstamped,
                                         payment_ids=payment_id, page=Page(page, page_size))


@blp.get("/payment-receipts/<uuid:payment_id>")
@require_auth(*READERS)
@blp.arguments(ScopeQuery, location="query", unknown=RAISE, as_kwargs=True)
@blp.response(200, ReceiptOut)
@blp.alt_response(404, description="No receipt for this payment of this customer (billing.receipt_not_found).")
@blp.doc(security=[{"bearerAuth": []}])
def get_receipt(payment_id: uuid.UUID, customer_id=None):
    """One payment's receipt: its status, folio fiscal once stamped, and the invoices it lists."""
    return receipt_queries.get_receipt(billing(), customer_in_scope(current_principal(), customer_id), payment_id)


@blp.get("/payment-receipts/<uuid:payment_id>.xml")
@require_auth(*READERS)
@blp.arguments(ScopeQuery, location="query", unknown=RAISE, as_kwargs=True)
@blp.response(200, description="The stamped REP, CFDI 4.0 with complemento Pagos 2.0 (application/xml).")
@blp.alt_response(404, description="No receipt for this payment of this customer (billing.receipt_not_found).")
@blp.alt_response(409, description="Not stamped yet (billing.receipt_not_stamped) (problem+json).")
@blp.doc(security=[{"bearerAuth": []}])
def download_receipt_xml(payment_id: uuid.UUID, customer_id=None):
    """The stamped REP, as an attachment named by its folio fiscal."""
    stamped = receipt_queries.stamped_receipt(billing(), customer_in_scope(current_principal(), customer_id),
                                              payment_id)
    return Response(stamped.xml, mimetype="application/xml",
                    headers={"Content-Disposition": f'attachment; filename="{_filename(stamped, "xml")}"'})


@blp.get("/payment-receipts/<uuid:payment_id>.pdf")
@require_auth(*READERS)
@blp.arguments(ScopeQuery, location="query", unknown=RAISE, as_kwargs=True)
@blp.response(200, description="The printed representation of the stamped REP (application/pdf).")
@blp.alt_response(404, description="No receipt for this payment of this customer (billing.receipt_not_found).")
@blp.alt_response(409, description="Not stamped yet (billing.receipt_not_stamped) (problem+json).")
@blp.doc(security=[{"bearerAuth": []}])
def download_receipt_pdf(payment_id: uuid.UUID, customer_id=None):
    """The REP printed: issuer, receiver, folio fiscal, the payment and every invoice it paid, the seals."""
    stamped, pdf = receipt_queries.receipt_pdf(billing(), customer_in_scope(current_principal(), customer_id),
                                               payment_id)
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{_filename(stamped, "pdf")}"'})
