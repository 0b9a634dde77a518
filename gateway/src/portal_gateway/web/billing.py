"""Billing and payment pages: statements, invoices, balances (and paying them), the return
from the bank, and the payment history.

Every page calls billing-service or payment-service server-side with the signed-in user's
own access token, so the services check roles and the customer exactly as for an API call.
Customer users never name a customer; agents (read-only) name one with ?customer_id=.
"""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from portal_shared.auth.roles import AGENT

from portal_gateway.proxy import StreamedBody
from portal_gateway.routing import BILLING, PAYMENT
from portal_gateway.web import api
from portal_gateway.web.api import Answer, ServiceUnavailable
from portal_gateway.web.forms import BANKS, PayForm
from portal_gateway.policy import BILLING_READERS, PAYERS
from portal_gateway.web.views import me_or_redirect, nav_for

billing = Blueprint("billing", __name__)

LIST_PAGE_SIZE = 25
BALANCES_PAGE_SIZE = 50
MAX_PAGE = 100_000
# Ids and account numbers as the services write them; anything else never reaches a URL.
_ID = re.compile(r"\A[A-Za-z0-9_-]{1,64}\Z")
_ACCOUNT = re.compile(r"\A[A-Za-z0-9-]{1,32}\Z")
_AMOUNT = re.compile(r"\A\d{1,12}(\.\d{1,2})?\Z")
_ITEM_FIELD = re.compile(r"\Aitems\.(\d+)(?:\.(.+))?\Z")
_PDF_HEADERS = ("Content-Type", "Content-Length", "Content-Encoding", "Content-Disposition", "ETag",
                "Last-Modified")


class Refused(Exception):
    """The signed-in user's roles do not open this page."""


class SignInAgain(Exception):
    """The service no longer accepts the session's token."""


@dataclass
class Viewer:
    token: str
    me: dict[str, Any]
    roles: frozenset[str]
    nav: list
    customer_id: str | None  # named by staff only; a customer user's company comes from the token

    @property
    def is_staff(self) -> bool:
        return not self.me.get("customer")

    @property
    def can_pay(self) -> bool:
        return bool(self.roles & PAYERS) and not self.is_staff

    @property
    def needs_customer(self) -> bool:
        return self.is_staff and self.customer_id is None

    @property
    def accounts(self) -> list[str]:
        return list((self.me.get("customer") or {}).get("account_numbers") or [])

    def scope(self) -> dict[str, str]:
        """Query parameters naming whose data is read: only staff send one."""
        return {"customer_id": self.customer_id} if self.is_staff and self.customer_id else {}


def _viewer():
    """The signed-in reader of billing pages, or a redirect to sign in; Refused for other roles."""
    token, me = me_or_redirect()
    if token is None:
        return me
    nav = nav_for(me)
    roles = frozenset(me.get("roles") or [])
    if not roles & BILLING_READERS:
        raise Refused()
    customer_id = None
    if not me.get("customer") and AGENT in roles:
        customer_id = _clean(request.args.get("customer_id"), _ID)
    return Viewer(token, me, roles, nav, customer_id)


def _clean(value: str | None, pattern: re.Pattern[str]) -> str | None:
    value = (value or "").strip()
    return value if pattern.match(value) else None


def _page_arg(value: str | None) -> int:
    try:
        page = int(value or 1)
    except ValueError:
        return 1
    return min(max(page, 1), MAX_PAGE)


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
    answer = api.call(service, "GET", path, token=who.token, params={**(params or {}), **who.scope()})
    if answer.status == 401:
        raise SignInAgain()
    if answer.status == 403:
        raise Refused()
    return answer


def _problem_messages(answer: Answer) -> list[str]:
    """What a refused read or write says, for a notice on the page."""
    messages = [answer.detail] if answer.detail else []
    for name, field_messages in _flatten(answer.body.get("errors") or {}).items():
        messages.extend(f"{name}: {message}" for message in field_messages)
    return messages or [_("The request could not be completed (HTTP %(status)s).", status=answer.status)]


def _flatten(errors: Any, prefix: str = "") -> dict[str, list[str]]:
    """{"items": {"0": {"amount": [..]}}} and {"items.0.amount": [..]} both become the second."""
    flat: dict[str, list[str]] = {}
    if isinstance(errors, dict):
        for key, value in errors.items():
            flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(errors, list) and all(isinstance(message, str) for message in errors):
        flat[prefix or "_"] = list(errors)
    else:
        flat[prefix or "_"] = [str(errors)]
    return flat


def _pages(body: dict[str, Any], page_size: int) -> dict[str, int]:
    size = int(body.get("page_size") or page_size) or page_size
    total = int(body.get("total") or 0)
    return {"page": int(body.get("page") or 1), "pages": max(1, -(-total // size)), "total": total}


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


def _page(template: str, who: Viewer, http_status: int = 200, /, **context):
    # Positional-only, so a page's own "status" (an invoice filter, say) stays template context.
    return render_template(template, who=who, me=who.me, nav=who.nav, **context), http_status


@billing.errorhandler(Refused)
def _refused(exc: Refused):
    return render_template("error.html", title=_("Not allowed"),
                           message=_("Your role does not give access to this page."), nav=g.get("nav")), 403


@billing.errorhandler(SignInAgain)
def _sign_in_again(exc: SignInAgain):
    return redirect(url_for("web.login"))


@billing.errorhandler(ServiceUnavailable)
def _unavailable(exc: ServiceUnavailable):
    if exc.service is PAYMENT:
        message = _("Payments are not available right now. Please try again in a few minutes.")
    elif exc.service is BILLING:
        message = _("Billing information is not available right now. Please try again in a few minutes.")
    else:
        message = _("Sign-in is not available right now. Please try again in a few minutes.")
    return render_template("error.html", title=_("Service unavailable"), message=message, detail=str(exc),
                           nav=g.get("nav")), 503


# --- statements -------------------------------------------------------------------------------

@billing.get("/statements")
def statements():
    who = _viewer()
    if not isinstance(who, Viewer):
        return who
    account = _clean(request.args.get("account"), _ACCOUNT)
    if who.needs_customer:
        return _page("statements.html", who, items=None, account=account, problems=[])
    answer = _read(BILLING, "/api/v1/statements", who, {"account": account})
    if not answer.ok:
        return _page("statements.html", who, answer.status, items=[], account=account,
                     problems=_problem_messages(answer))
    items = [item for item in answer.body.get("items") or [] if isinstance(item, dict)]
    # billing sends them newest first; sorted again so the page never depends on it.
    items.sort(key=lambda s: (str(s.get("period") or ""), str(s.get("issued_at") or s.get("issue_date") or ""),
                              str(s.get("id") or "")), reverse=True)
    return _page("statements.html", who, items=items, account=account, problems=[])


@billing.get("/statements/<statement_id>/pdf")
def statement_pdf(statement_id: str):
    who = _viewer()
    if not isinstance(who, Viewer):
        return who
    if not _ID.match(statement_id):
        abort(404)
    upstream = api.open_stream(BILLING, f"/api/v1/statements/{statement_id}/pdf", token=who.token,
                               params=who.scope(), accept="application/pdf")
    if upstream.status != 200:
        upstream.drain_conn()
        upstream.release_conn()
        if upstream.status == 401:
            raise SignInAgain()
        if upstream.status == 403:
            raise Refused()
        abort(404)
    headers = {name: upstream.headers[name] for name in _PDF_HEADERS if name in upstream.headers}
    headers.setdefault("Content-Type", "application/pdf")
    headers.setdefault("Content-Disposition", f'attachment; filename="estado-de-cuenta-{statement_id}.pdf"')
    # A customer's statement: kept by the browser only, never by a shared cache.
    headers["Cache-Control"] = "private, no-store"
    # Streamed as billing sends it: a large statement never sits in the gateway's memory.
    return Response(StreamedBody(upstream), headers=headers, direct_passthrough=True)


# --- invoices ---------------------------------------------------------------------------------

@billing.get("/invoices")
def invoices():
    who = _viewer()
    if not isinstance(who, Viewer):
        return who
    status = request.args.get("status") if request.args.get("status") in ("open", "paid") else None
    account = _clean(request.args.get("account"), _ACCOUNT)
    page = _page_arg(request.args.get("page"))
    context = {"status": status, "account": account, "items": None, "pages": None, "problems": []}
    if who.needs_customer:
        return _page("invoices.html", who, **context)
    answer = _read(BILLING, "/api/v1/invoices", who,
                   {"status": status, "account": account, "page": page, "page_size": LIST_PAGE_SIZE})
    if not answer.ok:
        return _page("invoices.html", who, answer.status, **{**context, "items": [],
                                                              "problems": _problem_messages(answer)})
    context.update(items=answer.body.get("items") or [], pages=_pages(answer.body, LIST_PAGE_SIZE))
    return _page("invoices.html", who, **context)


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
        if not _ID.match(invoice_id):
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
        account = _clean(form.account.data, _ACCOUNT)
        page = _page_arg(form.page.data)
    else:
        account = _clean(request.args.get("account"), _ACCOUNT)
        page = _page_arg(request.args.get("page"))
    context: dict[str, Any] = {"account": account, "items": None, "pages": None, "totals": {}, "rate": None,
                               "problems": [], "banks": BANKS, "form": None,
                               "picks": picks or Picks({}, {}, {}, [])}
    if who.needs_customer:
        return _page("balances.html", who, status, **context)
    answer = _read(BILLING, "/api/v1/balances", who, {"account": account, "page": page,
                                                        "page_size": BALANCES_PAGE_SIZE})
    if not answer.ok:
        context.update(items=[], problems=_problem_messages(answer))
        return _page("balances.html", who, answer.status, **context)
    if who.can_pay:
        if form is None:
            form = PayForm(formdata=None, data={"bank": BANKS[0][0], "account": account or "", "page": page})
        if not form.idempotency_key.data or form.idempotency_key.errors or picks is None:
            # A fresh key per shown page; an error page after a failed call keeps the one it had
            # (see pay()), so a resubmission after a timeout is recognised as the same payment.
            form.idempotency_key.data = uuid.uuid4().hex
        context["form"] = form
    context.update(items=answer.body.get("items") or [], totals=answer.body.get("totals") or {},
                   rate=answer.body.get("rate"), pages=_pages(answer.body, BALANCES_PAGE_SIZE))
    return _page("balances.html", who, status, **context)


@billing.get("/balances")
def balances():
    who = _viewer()
    if not isinstance(who, Viewer):
        return who
    return _balances_page(who, None, None)


@billing.post("/balances")
def pay():
    who = _viewer()
    if not isinstance(who, Viewer):
        return who
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
        answer = api.call(PAYMENT, "POST", "/api/v1/payments", token=who.token, body=body,
                          headers={"Idempotency-Key": key})
    except ServiceUnavailable as exc:
        # The payment may or may not exist: the page keeps its key, so sending it again is
        # answered with the same payment instead of a second one.
        picks.form_errors.append(_("Payments are not available right now. Please try again in a few minutes."))
        picks.form_errors.append(str(exc))
        return _balances_page(who, form, picks, 503)
    if answer.status == 401:
        raise SignInAgain()
    if answer.status == 403:
        raise Refused()
    redirect_url = answer.body.get("redirect_url") if answer.ok else None
    if redirect_url and urlsplit(redirect_url).scheme in ("http", "https"):
        return redirect(redirect_url, 303)
    if answer.ok:
        picks.form_errors.append(_("The bank did not give an address to continue. Please try again."))
        return _balances_page(who, form, picks, 502)
    _place_errors(answer, order, form, picks)
    # The service answered: nothing was created with this key, so the next try is a new request.
    form.idempotency_key.data = ""
    return _balances_page(who, form, picks, answer.status)


def _place_errors(answer: Answer, order: list[str], form: PayForm, picks: Picks) -> None:
    """The service's field errors next to the rows they name (items.N.… is the N-th invoice sent)."""
    unplaced: list[str] = []
    for name, messages in _flatten(answer.body.get("errors") or {}).items():
        match = _ITEM_FIELD.match(name)
        if match and int(match.group(1)) < len(order):
            picks.row_errors.setdefault(order[int(match.group(1))], []).extend(messages)
        elif name == "bank":
            form.bank.errors = list(form.bank.errors) + messages
        else:
            unplaced.extend(messages)
    if answer.detail:
        picks.form_errors.append(answer.detail)
    picks.form_errors.extend(unplaced)
    if not picks.form_errors and not picks.row_errors and not form.bank.errors:
        picks.form_errors.append(_("The request could not be completed (HTTP %(status)s).", status=answer.status))


# --- after the bank, and the history --------------------------------------------------------------

@billing.get("/payments/return")
def payment_return():
    who = _viewer()
    if not isinstance(who, Viewer):
        return who
    payment_id = _clean(request.args.get("payment"), _ID)
    if payment_id is None:
        return _page("payment_return.html", who, 400, payment=None,
                     problems=[_("This link is incomplete: it does not name a payment.")])
    # Always asked of payment-service (which asks the bank): the URL's word is never taken.
    answer = _read(PAYMENT, f"/api/v1/payments/{payment_id}", who)
    if answer.status == 404:
        return _page("payment_return.html", who, 404, payment=None,
                     problems=[_("We could not find this payment.")])
    if not answer.ok:
        return _page("payment_return.html", who, answer.status, payment=None, problems=_problem_messages(answer))
    return _page("payment_return.html", who, payment=answer.body, problems=[])


@billing.get("/payments")
def payments():
    who = _viewer()
    if not isinstance(who, Viewer):
        return who
    problems: list[str] = []
    account = _clean(request.args.get("account"), _ACCOUNT)
    since = _date_arg("from", problems)
    until = _date_arg("to", problems)
    page = _page_arg(request.args.get("page"))
    context = {"account": account, "since": since, "until": until, "items": None, "pages": None,
               "problems": problems}
    if who.needs_customer:
        return _page("payments.html", who, **context)
    if problems:
        return _page("payments.html", who, 400, **{**context, "items": []})
    answer = _read(PAYMENT, "/api/v1/payments", who, {"account": account, "from": since, "to": until,
                                                       "page": page, "page_size": LIST_PAGE_SIZE})
    if not answer.ok:
        return _page("payments.html", who, answer.status, **{**context, "items": [],
                                                               "problems": _problem_messages(answer)})
    context.update(items=answer.body.get("items") or [], pages=_pages(answer.body, LIST_PAGE_SIZE))
    return _page("payments.html", who, **context)
