"""/api/v1/payments: start a payment, read one, the history, and the banks' signed callbacks."""
from __future__ import annotations

import uuid

from flask import Response, current_app, json, request
from flask_smorest import Blueprint

from payment_service.api import schemas
from payment_service.domain.payments import RequestedItem
from payment_service.service_layer import callbacks, cancellation, payments, queries, status_check
from payment_service.service_layer.context import PaymentContext
from portal_shared.auth import ADMIN, AGENT, BILLING
from portal_shared.auth.flask import current_principal, require_auth
from portal_shared.errors import FORBIDDEN, MALFORMED, invalid

EXTENSION = "payment.context"
BEARER = [{"bearerAuth": []}]

blp = Blueprint("payments", __name__, url_prefix="/api/v1/payments", description="Payments of invoices through the banks")


def context() -> PaymentContext:
    return current_app.extensions[EXTENSION]


def _customer_of_caller() -> uuid.UUID:
    principal = current_principal()
    if principal.customer_id is None:
        raise FORBIDDEN("Only a customer's own users may do this.")
    return uuid.UUID(principal.customer_id)


@blp.route("", methods=["POST"])
@require_auth(ADMIN, BILLING)
@blp.doc(
    security=BEARER,
    parameters=[{"in": "header", "name": payments.IDEMPOTENCY_HEADER, "required": True,
                 "schema": {"type": "string", "maxLength": payments.MAX_KEY_LENGTH}}],
    requestBody={"required": True, "content": {"application/json": {"schema": schemas.PaymentRequestSchema}}},
)
@blp.response(201, schemas.PaymentSchema, description="Created (also the replay of the same key and body)")
def start_payment():
    """Start a payment of invoices of the caller's customer; answer includes the bank's redirect URL."""
    customer_id = _customer_of_caller()
    raw = request.get_json(silent=True)
    if not isinstance(raw, dict):
        raise MALFORMED("The request body is not a JSON object.", errors={"body": ["Not a JSON object."]})
    # Loaded here rather than by @blp.arguments: the body as sent is what the Idempotency-Key keeps.
    body = schemas.PaymentRequestSchema().load(raw)
    answer = payments.start_payment(
        context(),
        customer_id=customer_id,
        idempotency_key=request.headers.get(payments.IDEMPOTENCY_HEADER),
        hashed_body=payments.request_hash(raw),
        bank=body["bank"],
        requested=[RequestedItem(item["invoice_id"], item["amount"]) for item in body["items"]],
    )
    response = Response(json.dumps(answer.body), status=answer.status_code, mimetype="application/json")
    response.headers["Location"] = f"/api/v1/payments/{answer.body['id']}"
    if answer.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


@blp.route("/in-transit", methods=["GET"])
@require_auth(ADMIN, BILLING)
@blp.doc(security=BEARER)
@blp.response(200, schemas.InTransitSchema)
def payments_in_transit():
    """The caller's customer's payments still waiting for their bank, oldest first."""
    return queries.in_transit(context(), customer_id=_customer_of_caller())


@blp.route("/<uuid:payment_id>", methods=["GET"])
@require_auth(ADMIN, BILLING, AGENT)
@blp.doc(security=BEARER)
@blp.response(200, schemas.PaymentSchema)
def get_payment(payment_id: uuid.UUID):
    """One payment, as payment-service knows it (reading never changes it)."""
    return queries.get_payment(context(), payment_id, customer_id=_reader_scope())


@blp.route("/<uuid:payment_id>/status-check", methods=["POST"])
@require_auth(ADMIN, BILLING, AGENT)
@blp.doc(security=BEARER)
@blp.response(200, schemas.PaymentSchema)
def check_payment_status(payment_id: uuid.UUID):
    """Ask the bank about a pending payment and settle it by the answer; the payment as it then is."""
    return status_check.check_with_bank(context(), payment_id, customer_id=_reader_scope())


@blp.route("/<uuid:payment_id>/cancel", methods=["POST"])
@require_auth(ADMIN, BILLING)
@blp.doc(security=BEARER)
@blp.response(200, schemas.PaymentSchema)
def cancel_payment(payment_id: uuid.UUID):
    """Ask the bank to cancel a pending payment of the caller's customer: failed, reason "cancelled",
    its invoices released at once; 409 payment.paid_at_bank when the bank had already paid it."""
    return cancellation.cancel_payment(context(), payment_id, customer_id=_customer_of_caller())


def _reader_scope() -> uuid.UUID | None:
    """Whose payments the caller reaches: staff any customer's (None), others their own customer's."""
    return None if current_principal().has_any(AGENT) else _customer_of_caller()


@blp.route("", methods=["GET"])
@require_auth(ADMIN, BILLING, AGENT)
@blp.doc(security=BEARER)
@blp.arguments(schemas.HistoryQuerySchema, location="query")
@blp.response(200, schemas.HistorySchema)
def history(query):
    """Settled payments, newest first, by account and payment date (Mexico City days, inclusive)."""
    return queries.history(
        context(),
        customer_id=_history_scope(query),
        account=query.get("account"),
        date_from=query.get("from_"),
        date_to=query.get("to"),
        page=query["page"],
        page_size=query["page_size"],
    )


def _history_scope(query) -> uuid.UUID:
    """Whose history: staff name the customer, others read their own customer's."""
    if not current_principal().has_any(AGENT):
        # Customers see their own company's history whatever they put in the URL.
        return _customer_of_caller()
    if query.get("customer_id") is None:
        raise invalid({"customer_id": ["Customer service must name the customer: ?customer_id=…"]})
    return query["customer_id"]


@blp.route("/callbacks/<string:bank>", methods=["POST"])
@blp.doc(
    description="Public, signed by the bank: X-Bank-Timestamp and X-Bank-Signature = "
    "hex(HMAC-SHA256(secret, f'{timestamp}.' + raw_body)), within ±300 s."
)
@blp.response(200, schemas.CallbackAnswerSchema)
def bank_callback(bank: str):
    """A bank's notification of an approved or declined payment; a repeat changes nothing."""
    return callbacks.handle_callback(context(), bank, request.headers, request.get_data(cache=False))
