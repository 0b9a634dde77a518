"""Billing and payment pages: statements, invoices, balances (and paying them), the return
from the bank, and the payment history.

Every page calls billing-service or payment-service server-side with the signed-in user's
own access token, so the services check roles and the customer exactly as for an API call.
Customer users never name a customer; agents (read-only) name one with ?customer_id=.
"""
from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from portal_shared.auth.roles import AGENT, OPERATOR
from portal_shared.mexico import mexico_today

from portal_gateway.policy import BILLING_READERS
from portal_gateway.proxy import StreamedBody
from portal_gateway.routing import BILLING, PAYMENT
from portal_gateway.web import api
from portal_gateway.web.api import Answer, ServiceUnavailable
from portal_gateway.web.forms import BANKS, CancelPaymentForm, PayForm
from portal_gateway.web.page_helpers import (
    ID,
    Refused,
    SignInAgain,
    Viewer,
    call,
    clean,
    id_or_404,
    install_error_pages,
    items_of,
    page,
    page_arg,
    pages_of,
    viewer,
)
from portal_gateway.web.form_errors import place_errors, problem_messages
from portal_gateway.web.refusals import refusal_sentence

billing = Blueprint("billing", __name__)

install_error_pages(billing, {
    PAYMENT: _l("Payments are not available right now. Please try again in a few minutes."),
    BILLING: _l("Billing information is not available right now. Please try again in a few minutes."),
})

log = logging.getLogger(__name__)

# The page's query parameters, named in its language when a service refuses one of them.
_QUERY_LABELS = {"account": _l("Account"), "from": _l("From"), "to": _l("To"), "page": _l("Page"),
                 "page_size": _l("Page"), "status": _l("Status"), "period": _l("Period")}
# Why a payment failed, as payment-service records it.
FAILURE_REASONS = {
    "declined": _l("The bank declined the payment."),
    "expired": _l("The bank did not confirm the payment in time."),
    "cancelled": _l("The payment was cancelled before the bank completed it."),
}

LIST_PAGE_SIZE = 25
BALANCES_PAGE_SIZE = 50
MAX_PAGE = 100_000
# Account numbers and amounts as the services write them; anything else never reaches a URL.
_ACCOUNT = re.compile(r"\A[A-Za-z0-9-]{1,32}\Z")
_AMOUNT = re.compile(r"\A\d{1,12}(\.\d{1,2})?\Z")
_ITEM_FIELD = re.compile(r"\Aitems\.(\d+)(?:\.(.+))?\Z")
_PDF_HEADERS = ("Content-Type", "Content-Length", "Content-Encoding", "Content-Disposition", "ETag",
                "Last-Modified")


def _viewer():
    return viewer(BILLING_READERS)


def _date_arg(name: str, problems: list[str]) -> str | None:
    value = (request.args.get(name) or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        problems.append(_("The date %(value)s is not valid; use the calendar or write it as YYYY-MM-DD.",
                          value=value))
        return None


def _read(service, path: str, who: Viewer, params: dict[str, Any] | None = None) -> Answer:
    # A 404 is the page's to explain (a payment that is not found), not the error page's.
    return call(service, "GET", path, who, params=params, keep_404=True)


def url_with(**changes: Any) -> str:
    """This page's URL with some query parameters changed (None removes one)."""
    args = {key: value for key, value in request.args.items() if key != "lang"}
    for key, value in changes.items():
        if value in (None, ""):
            args.pop(key, None)
        else:
            args[key] = value
    return url_for(request.endpoint, **(request.view_args or {}), **args)


@billing.app_context_processor
def _billing_context() -> dict[str, Any]:
    return {"url_with": url_with}


# --- statements -------------------------------------------------------------------------------

@billing.get("/statements")
def statements():
    who = _viewer()
    account = clean(request.args.get("account"), _ACCOUNT)
    if who.needs_customer:
        return page("statements.html", who, items=None, account=account, problems=[])
    answer = _read(BILLING, "/api/v1/statements", who, {"account": account})
    if not answer.ok:
        return page("statements.html", who, answer.status, items=[], account=account,
                    problems=problem_messages(answer, _QUERY_LABELS))
    items = items_of(answer)
    # billing sends them newest first; sorted again so the page never depends on it.
    items.sort(key=lambda s: (str(s.get("period") or ""), str(s.get("issued_at") or s.get("issue_date") or ""),
                              str(s.get("id") or "")), reverse=True)
    return page("statements.html", who, items=items, account=account, problems=[])


def _document(who: Viewer, path: str, content_type: str, filename: str, *, params: dict[str, str] | None = None,
              refused: Callable[[str | None, int], Response] | None = None) -> Response:
    """A customer's document from billing (a statement, a CFDI, a month's ZIP), streamed as billing
    sends it, so a large one never sits in the gateway's memory; kept by the browser only, never by
    a shared cache. `refused` answers a refusal billing explains (its code) instead of a 404 page."""
    upstream = api.open_stream(BILLING, path, token=who.token, params={**(params or {}), **who.scope()},
                               accept=content_type)
    if upstream.status != 200:
        code = _problem_code(upstream) if refused and upstream.status in (404, 409, 422) else None
        upstream.drain_conn()
        upstream.release_conn()
        if upstream.status == 401:
            raise SignInAgain()
        if upstream.status == 403:
            raise Refused()
        if code is not None:
            return refused(code, upstream.status)
        abort(404)
    headers = {name: upstream.headers[name] for name in _PDF_HEADERS if name in upstream.headers}
    headers.setdefault("Content-Type", content_type)
    headers.setdefault("Content-Disposition", f'attachment; filename="{filename}"')
    headers["Cache-Control"] = "private, no-store"
    return Response(StreamedBody(upstream), headers=headers, direct_passthrough=True)


def _problem_code(upstream) -> str | None:
    """The code of a small problem+json answer; None for anything else."""
    try:
        body = json.loads(upstream.read(64 * 1024, decode_content=True) or b"{}")
    except ValueError:
        return None
    return body.get("code") if isinstance(body, dict) and isinstance(body.get("code"), str) else None


@billing.get("/statements/<statement_id>/pdf")
def statement_pdf(statement_id: str):
    who = _viewer()
    id_or_404(statement_id)
    return _document(who, f"/api/v1/statements/{statement_id}/pdf", "application/pdf",
                     f"estado-de-cuenta-{statement_id}.pdf")


# --- invoices ---------------------------------------------------------------------------------

@billing.get("/invoices")
def invoices():
    who = _viewer()
    status = request.args.get("status") if request.args.get("status") in ("open", "paid") else None
    account = clean(request.args.get("account"), _ACCOUNT)
    number = page_arg(request.args.get("page"), MAX_PAGE)
    context = {"status": status, "account": account, "items": None, "pages": None, "problems": [],
               "this_month": f"{mexico_today():%Y-%m}"}
    if who.needs_customer:
        return page("invoices.html", who, **context)
    answer = _read(BILLING, "/api/v1/invoices", who,
                   {"status": status, "account": account, "page": number, "page_size": LIST_PAGE_SIZE})
    if not answer.ok:
        return page("invoices.html", who, answer.status,
                    **{**context, "items": [], "problems": problem_messages(answer, _QUERY_LABELS)})
    context.update(items=answer.body.get("items") or [], pages=pages_of(answer.body, LIST_PAGE_SIZE))
    return page("invoices.html", who, **context)


# An invoice's CFDI: the stamped XML as imported, or its printed PDF.
_CFDI_TYPES = {"xml": "application/xml", "pdf": "application/pdf"}


def _fiscal_document(record_id: str, kind: str, path: str, filename: str) -> Response:
    """A CFDI's XML or its printed PDF (`path` and `filename` end where .xml or .pdf goes)."""
    who = _viewer()
    id_or_404(record_id)
    if kind not in _CFDI_TYPES:
        abort(404)
    return _document(who, f"{path}.{kind}", _CFDI_TYPES[kind], f"{filename}.{kind}")


@billing.get("/invoices/<invoice_id>/cfdi.<kind>")
def invoice_cfdi(invoice_id: str, kind: str):
    return _fiscal_document(invoice_id, kind, f"/api/v1/invoices/{invoice_id}/cfdi", f"cfdi-{invoice_id}")


_MONTH = re.compile(r"\A\d{4}-(0[1-9]|1[0-2])\Z")


@billing.get("/invoices/cfdi.zip")
def invoices_cfdi_month():
    """Every CFDI (XML and PDF) of the invoices issued in a month, as one ZIP."""
    who = _viewer()
    month = (request.args.get("month") or "").strip()
    back = url_for("billing.invoices", **who.scope())
    if not _MONTH.match(month):
        flash(_("Choose the month whose CFDIs you want to download."), "error")
        return redirect(back, 303)

    def refused(code: str | None, status: int) -> Response:
        flash(refusal_sentence(code, status), "error")
        return redirect(back, 303)

    return _document(who, "/api/v1/invoices/cfdi.zip", "application/zip", f"CFDI-{month}.zip",
                     params={"month": month}, refused=refused)


# --- balances and paying them -------------------------------------------------------------------

@dataclass
class Picks:
    """What the pay form asked for: ticked invoice ids in order, each with its amount."""

    entered: dict[str, str]  # invoice id -> amount as typed (shown again after an error)
    amounts: dict[str, Decimal]  # invoice id -> amount, only for valid rows
    row_errors: dict[str, list[str]]
    form_errors: list[str]


def read_picks(form) -> Picks:
    picks = Picks({}, {}, {}, [])
    ids = list(dict.fromkeys(form.getlist("invoice")))
    if not ids:
        picks.form_errors.append(_("Tick at least one invoice to pay."))
    for invoice_id in ids:
        if not ID.match(invoice_id):
            picks.form_errors.append(_("The form names an invoice that does not exist. Reload the page."))
            continue
        typed = (form.get(f"amount-{invoice_id}") or "").strip()
        picks.entered[invoice_id] = typed
        # People write thousands separators; the amount itself must be plain.
        plain = typed.replace(",", "").replace("$", "").strip()
        try:
            amount = Decimal(plain) if _AMOUNT.match(plain) else None
        except InvalidOperation:
            amount = None
        if amount is None or amount <= 0:
            picks.row_errors[invoice_id] = [_("Enter an amount greater than zero, with at most two decimals.")]
        else:
            picks.amounts[invoice_id] = amount
    return picks


def _balances_page(who: Viewer, form: PayForm | None, picks: Picks | None, status: int = 200):
    if form is not None:
        account = clean(form.account.data, _ACCOUNT)
        number = page_arg(form.page.data, MAX_PAGE)
    else:
        account = clean(request.args.get("account"), _ACCOUNT)
        number = page_arg(request.args.get("page"), MAX_PAGE)
    context: dict[str, Any] = {"account": account, "items": None, "pages": None, "totals": {}, "rate": None,
                               "problems": [], "banks": BANKS, "form": None,
                               "picks": picks or Picks({}, {}, {}, [])}
    if who.needs_customer:
        return page("balances.html", who, status, **context)
    answer = _read(BILLING, "/api/v1/balances", who, {"account": account, "page": number,
                                                        "page_size": BALANCES_PAGE_SIZE})
    if not answer.ok:
        context.update(items=[], problems=problem_messages(answer, _QUERY_LABELS))
        return page("balances.html", who, answer.status, **context)
    if who.can_pay:
        if form is None:
            form = PayForm(formdata=None, data={"bank": BANKS[0][0], "account": account or "", "page": number})
        if not form.idempotency_key.data or form.idempotency_key.errors or picks is None:
            # A fresh key per shown page; an error page after a failed call keeps the one it had
            # (see pay()), so a resubmission after a timeout is recognised as the same payment.
            form.idempotency_key.data = uuid.uuid4().hex
        context["form"] = form
    context.update(items=answer.body.get("items") or [], totals=answer.body.get("totals") or {},
                   rate=answer.body.get("rate"), pages=pages_of(answer.body, BALANCES_PAGE_SIZE))
    if who.can_pay:
        context.update(_in_transit(who))
        if "payments_in_transit" in context:
            context["items"] = _as_payment_service_holds(context["items"], context["payments_in_transit"])
    return page("balances.html", who, status, **context)


def _as_payment_service_holds(items: list[dict[str, Any]], payments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Which invoices a payment holds is payment-service's to say (it refuses to start a second
    payment of one); billing hears of it by an event a moment later. So, when payment-service
    answered, each row is in transit exactly when a pending payment holds it: at once after a
    payment starts (Back from the bank's page) and payable again at once after a cancel."""
    held = {str(item.get("invoice_id")): item.get("amount") for payment in payments
            for item in payment.get("items") or [] if isinstance(item, dict)}
    return [{**invoice, "in_transit_amount": held.get(str(invoice.get("id")), "0.00")} for invoice in items]


def _positive(amount: object) -> bool:
    try:
        return Decimal(str(amount)) > 0
    except InvalidOperation:
        return False


def _in_transit(who: Viewer) -> dict[str, Any]:
    """The payments keeping invoices in transit (at which bank, since when) and a button to cancel
    each; by invoice too, for its row. Without payment-service the page still shows, without them."""
    try:
        answer = call(PAYMENT, "GET", "/api/v1/payments/in-transit", who, scoped=False)
    except ServiceUnavailable as exc:
        log.warning("payments in transit not shown: %s", exc)
        return {}
    if not answer.ok:
        return {}
    payments = items_of(answer)
    by_invoice = {item.get("invoice_id"): payment for payment in payments for item in payment.get("items") or []}
    return {"payments_in_transit": payments, "transit_of": by_invoice, "cancel_form": CancelPaymentForm(),
            "bank_names": dict(BANKS)}


# Saldos changes with every payment started or given up: Back from the bank's page must show it
# as it is now, not as the browser kept it (invoices in transit offered to pay).
_NOT_KEPT = {"Cache-Control": "private, no-store"}


@billing.get("/balances")
def balances():
    who = _viewer()
    return (*_balances_page(who, None, None), _NOT_KEPT)


@billing.post("/balances")
def pay():
    who = _viewer()
    if not who.can_pay:
        raise Refused()
    form = PayForm()  # CSRFProtect has already refused a post without a valid token (400)
    picks = read_picks(request.form)
    if not form.validate_on_submit() or picks.form_errors or picks.row_errors:
        # A missing or altered key: the page was not the one served; a fresh one is made.
        picks.form_errors.extend(str(error) for error in form.idempotency_key.errors)
        return _balances_page(who, form, picks, 400)
    key = form.idempotency_key.data
    order = list(picks.amounts)
    body = {"bank": form.bank.data,
            "items": [{"invoice_id": invoice_id, "amount": f"{picks.amounts[invoice_id]:.2f}"}
                      for invoice_id in order]}
    try:
        answer = call(PAYMENT, "POST", "/api/v1/payments", who, body=body, headers={"Idempotency-Key": key},
                      scoped=False, keep_404=True)
    except ServiceUnavailable as exc:
        # The payment may or may not exist: the page keeps its key, so sending it again is
        # answered with the same payment instead of a second one.
        log.warning("payment not started: %s", exc)
        picks.form_errors.append(_("Payments are not available right now. Please try again in a few minutes."))
        return _balances_page(who, form, picks, 503)
    redirect_url = answer.body.get("redirect_url") if answer.ok else None
    if redirect_url and urlsplit(redirect_url).scheme in ("http", "https"):
        return redirect(redirect_url, 303)
    if answer.ok:
        picks.form_errors.append(_("The bank did not give an address to continue. Please try again."))
        return _balances_page(who, form, picks, 502)
    place_errors(answer, picks.form_errors, _next_to_rows(order, form, picks))
    # The service answered: nothing was created with this key, so the next try is a new request.
    form.idempotency_key.data = ""
    return _balances_page(who, form, picks, answer.status)


def _next_to_rows(order: list[str], form: PayForm, picks: Picks):
    """items.N.… is the N-th invoice sent: its messages go on that invoice's row."""
    def place(name: str, messages: list[str]) -> bool:
        match = _ITEM_FIELD.match(name)
        if match and int(match.group(1)) < len(order):
            picks.row_errors.setdefault(order[int(match.group(1))], []).extend(messages)
            return True
        if name == "bank":
            form.bank.errors = list(form.bank.errors) + messages
            return True
        return False

    return place


# --- after the bank, and the history --------------------------------------------------------------

@billing.get("/payments/return")
def payment_return():
    who = _viewer()
    payment_id = clean(request.args.get("payment"))
    if payment_id is None:
        return page("payment_return.html", who, 400, payment=None,
                    problems=[_("This link is incomplete: it does not name a payment.")])
    # Always asked of payment-service, which asks the bank unless the payment is confirmed (a POST:
    # that may settle it): the URL's word is never taken.
    answer = call(PAYMENT, "POST", f"/api/v1/payments/{payment_id}/status-check", who, keep_404=True)
    if answer.status == 404:
        return page("payment_return.html", who, 404, payment=None,
                    problems=[_("We could not find this payment.")])
    if not answer.ok:
        return page("payment_return.html", who, answer.status, payment=None,
                    problems=problem_messages(answer, _QUERY_LABELS))
    return page("payment_return.html", who, payment=answer.body, problems=[], failure_reasons=FAILURE_REASONS,
                cancel_form=CancelPaymentForm() if who.can_pay else None)


@billing.post("/payments/<payment_id>/cancel")
def cancel_payment(payment_id: str):
    """A pending payment given up: payment-service asks the bank, which cancels what it has not paid."""
    who = _viewer()
    if not who.can_pay:
        raise Refused()
    payment_id = id_or_404(payment_id)
    answer = call(PAYMENT, "POST", f"/api/v1/payments/{payment_id}/cancel", who, scoped=False, keep_404=True)
    if answer.ok:
        flash(_("Payment %(reference)s was cancelled. Its invoices can be paid again.",
                reference=answer.body.get("reference") or ""))
    else:
        flash(refusal_sentence(answer.code, answer.status), "error")
    return redirect(url_for("billing.balances"), 303)


@billing.get("/payments")
def payments():
    who = _viewer()
    problems: list[str] = []
    account = clean(request.args.get("account"), _ACCOUNT)
    since = _date_arg("from", problems)
    until = _date_arg("to", problems)
    number = page_arg(request.args.get("page"), MAX_PAGE)
    context = {"account": account, "since": since, "until": until, "items": None, "pages": None,
               "receipts": None, "problems": problems}
    if who.needs_customer:
        return page("payments.html", who, **context)
    if problems:
        return page("payments.html", who, 400, **{**context, "items": []})
    answer = _read(PAYMENT, "/api/v1/payments", who, {"account": account, "from": since, "to": until,
                                                       "page": number, "page_size": LIST_PAGE_SIZE})
    if not answer.ok:
        return page("payments.html", who, answer.status,
                    **{**context, "items": [], "problems": problem_messages(answer, _QUERY_LABELS)})
    items = items_of(answer)
    context.update(items=items, pages=pages_of(answer.body, LIST_PAGE_SIZE), receipts=_receipts_of(who, items))
    return page("payments.html", who, **context)


def _receipts_of(who: Viewer, payments: list[dict[str, Any]]) -> dict[str, dict[str, Any]] | None:
    """The fiscal receipt (REP) of each payment on the page, by payment id, as billing knows them;
    None when billing does not answer (the page then says so rather than "none")."""
    ids = [str(payment["id"]) for payment in payments if ID.match(str(payment.get("id", "")))]
    if not ids:
        return {}
    try:
        answer = _read(BILLING, "/api/v1/payment-receipts", who, {"payment_id": ids, "page_size": len(ids)})
    except ServiceUnavailable:
        return None
    if not answer.ok:
        return None
    return {str(item.get("payment_id")): item for item in items_of(answer)}


@billing.get("/payments/<payment_id>/receipt.<kind>")
def payment_receipt(payment_id: str, kind: str):
    """The payment's stamped REP: its XML, or its printed PDF."""
    return _fiscal_document(payment_id, kind, f"/api/v1/payment-receipts/{payment_id}", f"rep-{payment_id}")


# Why a receipt waits for a person, by billing's code (a PAC's refusal is "pac.<SAT code>").
RECEIPT_REFUSALS = {
    "billing.receipt_invoice_without_cfdi": _l("An invoice it paid has no CFDI in the portal."),
    "billing.receipt_figures_refused": _l("Its amounts do not make a valid REP."),
}


def receipt_refusal(code: str | None) -> str:
    if code in RECEIPT_REFUSALS:
        return str(RECEIPT_REFUSALS[code])
    if code and code.startswith("pac."):
        return _("The PAC refused it (code %(code)s).", code=code.removeprefix("pac."))
    return _("It needs a review.")


@billing.get("/payment-receipts")
def payment_receipts():
    """Staff: payments whose REP is not stamped yet, by SAT's deadline (the 5th of the next month)."""
    who = viewer(frozenset({AGENT, OPERATOR}))
    problems: list[str] = []
    month = (request.args.get("month") or "").strip() or None
    if month is not None and not _MONTH.match(month):
        problems.append(_("The month %(value)s is not valid; write it as YYYY-MM.", value=month))
        month = None
    number = page_arg(request.args.get("page"), MAX_PAGE)
    answer = call(BILLING, "GET", "/api/v1/payment-receipts", who, scoped=False, keep_404=True,
                  params={"unstamped": "true", "month": month, "page": number, "page_size": LIST_PAGE_SIZE})
    if not answer.ok:
        return page("payment_receipts.html", who, answer.status, items=[], pages=None, month=month,
                    problems=problems + problem_messages(answer, _QUERY_LABELS), refusal=receipt_refusal)
    return page("payment_receipts.html", who, items=items_of(answer), pages=pages_of(answer.body, LIST_PAGE_SIZE),
                month=month, problems=problems, refusal=receipt_refusal)
