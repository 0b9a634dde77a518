"""The bank's server API (for the merchant) and its hosted payment page (for the customer)."""
from __future__ import annotations

import json
import re
import secrets
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, redirect, render_template, request

from bank_simulator.banks import BankProfile
from bank_simulator.notifier import notify
from bank_simulator.store import APPROVED, CANCELLED, DECLINED, PENDING, PaymentStore

api = Blueprint("api", __name__, url_prefix="/api")
pages = Blueprint("pages", __name__)

# outcome → (status at the bank, notifications sent)
OUTCOMES = {
    "approve": (APPROVED, 1),
    "decline": (DECLINED, 1),
    "approve_without_notice": (APPROVED, 0),  # approved, but the notification is lost
    "never_answer": (PENDING, 0),  # the bank never decides
    "notify_twice": (APPROVED, 2),
    # Only for a payment already cancelled, and not on the page: the customer's approval that reaches
    # the bank after it answered a cancel (a race real banks have), so a cancelled payment ends paid.
    "approve_after_cancel": (APPROVED, 1),
}
LATE_OUTCOMES = frozenset({"approve_after_cancel"})
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def store() -> PaymentStore:
    return current_app.extensions["bank_simulator.store"]


def bank() -> BankProfile:
    return current_app.extensions["bank_simulator.profile"]


def _is_http_url(value: object) -> bool:
    return isinstance(value, str) and urlsplit(value).scheme in {"http", "https"} and bool(urlsplit(value).netloc)


@api.post("/payments")
def register_payment():
    try:
        # Amounts as Decimal straight from the text: a float would lose cents on large totals.
        body = json.loads(request.get_data(), parse_float=Decimal)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return {"errors": {"body": ["A JSON object is required."]}}, 400
    errors: dict[str, list[str]] = {}
    for name in ("reference", "concept"):
        if not isinstance(body.get(name), str) or not body[name].strip():
            errors[name] = ["Required."]
    try:
        amount = Decimal(str(body.get("amount")))
        if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
            raise InvalidOperation
    except InvalidOperation:
        errors["amount"] = ["A positive amount with at most two decimals is required."]
    if body.get("currency") != "MXN":
        errors["currency"] = ["Only MXN is accepted."]
    for name in ("return_url", "notify_url"):
        if not _is_http_url(body.get(name)):
            errors[name] = ["An http(s) URL is required."]
    if errors:
        return {"errors": errors}, 422
    payment = store().create(
        reference=body["reference"].strip(),
        amount=str(amount),
        currency="MXN",
        concept=body["concept"].strip(),
        return_url=body["return_url"],
        notify_url=body["notify_url"],
    )
    public = (current_app.config["PUBLIC_URL"] or request.host_url).rstrip("/")
    return {"bank_payment_id": payment["id"], "redirect_url": f"{public}/pay/{payment['id']}"}, 201


@api.get("/payments/<payment_id>")
def payment_status(payment_id: str):
    payment = store().get(payment_id)
    if payment is None:
        return {"errors": {"bank_payment_id": ["Unknown payment."]}}, 404
    return _status_document(payment)


@api.post("/payments/<payment_id>/cancel")
def cancel_payment(payment_id: str):
    """The merchant withdraws a payment: cancelled unless the bank already paid or refused it.
    409 with the payment's status when it is too late (the merchant then settles by it)."""
    if store().get(payment_id) is None:
        return {"errors": {"bank_payment_id": ["Unknown payment."]}}, 404
    store().cancel(payment_id)
    payment = store().get(payment_id)
    return _status_document(payment), 200 if payment["status"] == CANCELLED else 409


def _status_document(payment: dict) -> dict:
    return {
        "bank_payment_id": payment["id"],
        "status": payment["status"],
        "bank_reference": payment["bank_reference"],
        "email": payment["email"],
        "amount": payment["amount"],
        "reference": payment["reference"],
    }


def _page(payment: dict, *, errors: dict | None = None, form: dict | None = None, status: int = 200):
    return (
        render_template(
            bank().template, bank=bank(), payment=payment, errors=errors or {}, form=form or {},
            amount=f"{Decimal(payment['amount']):,.2f}",
        ),
        status,
    )


@pages.get("/pay/<payment_id>")
def payment_page(payment_id: str):
    payment = store().get(payment_id)
    if payment is None:
        abort(404)
    if payment["outcome"] is not None:
        return render_template("done.html", bank=bank(), payment=payment), 409
    return _page(payment)


def _credentials_errors(form: dict) -> dict[str, str]:
    """The fields the bank's page asks for before it approves (a decline needs none)."""
    errors = {}
    if bank().name == "citibanamex":
        if not re.fullmatch(r"\d{6,12}", form.get("client_number", "")):
            errors["client_number"] = "Número de cliente de 6 a 12 dígitos."
        if not re.fullmatch(r"\d{4,6}", form.get("nip", "")):
            errors["nip"] = "NIP de 4 a 6 dígitos."
        if form.get("email") and not EMAIL.match(form["email"]):
            errors["email"] = "Correo electrónico no válido."
    else:
        if not EMAIL.match(form.get("email", "")):
            errors["email"] = "Correo electrónico no válido."
        if not re.fullmatch(r"\+?\d{10,13}", form.get("phone", "").replace(" ", "")):
            errors["phone"] = "Teléfono de 10 dígitos."
    return errors


@pages.post("/pay/<payment_id>/cancel")
def cancel_and_return(payment_id: str):
    """"Cancelar y regresar al comercio": nothing is charged and the customer is back at the merchant."""
    payment = store().get(payment_id)
    if payment is None:
        abort(404)
    if not store().cancel(payment_id):
        return render_template("done.html", bank=bank(), payment=store().get(payment_id)), 409
    return redirect(payment["return_url"], code=303)


@pages.post("/pay/<payment_id>")
def decide(payment_id: str):
    """The customer's choice. Tests post these form fields directly: outcome, and client_number +
    nip (+ optional email) for Citibanamex, email + phone for BBVA. 409 when the payment was decided
    (for "approve_after_cancel": when it is not cancelled)."""
    payment = store().get(payment_id)
    if payment is None:
        abort(404)
    form = {name: request.form.get(name, "").strip() for name in ("outcome", "client_number", "nip", "email", "phone")}
    if form["outcome"] not in OUTCOMES:
        return _page(payment, errors={"outcome": "Elija una opción."}, form=form, status=422)
    status, notifications = OUTCOMES[form["outcome"]]
    if status != DECLINED:
        errors = _credentials_errors(form)
        if errors:
            return _page(payment, errors=errors, form=form, status=422)
    bank_reference = f"{bank().reference_prefix} {secrets.randbelow(10**6):06d}" if status == APPROVED else None
    decided = store().decide(
        payment_id,
        outcome=form["outcome"],
        status=status,
        bank_reference=bank_reference,
        email=form["email"] or None,
        phone=form["phone"] or None,
        client_number=form["client_number"] or None,
        after_cancel=form["outcome"] in LATE_OUTCOMES,
    )
    if not decided:
        return render_template("done.html", bank=bank(), payment=store().get(payment_id)), 409
    payment = store().get(payment_id)
    http, config = current_app.extensions["bank_simulator.http"], current_app.config
    for _ in range(notifications):
        if notify(http, payment, secret=config["SECRET"], timeout=config["NOTIFY_TIMEOUT_SECONDS"]):
            store().count_notification(payment_id)
    return redirect(payment["return_url"], code=303)
