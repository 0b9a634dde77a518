"""Customer service pages: find a customer, and the customer's overview (company, credit status,
users with the e-mail correction, devices, incidents with their SLA, payment history).

The overview comes from servicedesk-service, which gathers it from identity, billing and payment
with the agent's own token; a part whose service is down is named on the page and the rest still
shows. The list of customers and the e-mail correction are identity's, called with the same token.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from portal_shared.auth.roles import AGENT

from portal_gateway.routing import IDENTITY, SERVICEDESK
from portal_gateway.web.customer_search import search
from portal_gateway.web.page_helpers import (
    ID,
    MAX_CUSTOMER_QUERY,
    Viewer,
    call,
    customer_directory,
    id_or_404,
    install_error_pages,
    page,
    viewer,
)
from portal_gateway.web.form_errors import on_fields, place_errors, problem_messages
from portal_gateway.web.staff_forms import EmailCorrectionForm, email_form
from portal_gateway.web.nav import USER_STATUS_NAMES

staff = Blueprint("staff", __name__, url_prefix="/staff")

install_error_pages(staff, {
    IDENTITY: _l("The customer directory is not available right now. Please try again in a few minutes."),
    SERVICEDESK: _l("The customer overview is not available right now. Please try again in a few minutes."),
})

AGENTS = frozenset({AGENT})
# The pages that read one customer's records, named by ?customer_id=: the overview links to those
# of the agent's navigation (balances, invoices, statements, payments, devices, incidents, stock).
CUSTOMER_PAGES = ("billing.", "desk.", "stock.")
# A search matching more than this asks for a narrower one rather than a page of hundreds.
MAX_LISTED = 100

CREDIT_LABELS = {"current": _l("Up to date"), "overdue": _l("Overdue payments"), "blocked": _l("Credit blocked")}
# What each part of the overview is called in the notice saying it could not be shown.
PART_LABELS = {
    "customer": _l("Company details from the customer directory"),
    "users": _l("Users of the company"),
    "accounts": _l("Billing accounts"),
    "credit_status": _l("Credit status"),
    "payments": _l("Payment history"),
}


@staff.context_processor
def _labels() -> dict[str, Any]:
    # The devices' and incidents' labels come from the service desk pages (web/desk.py, app-wide),
    # so they read the same on both.
    return {"credit_labels": CREDIT_LABELS, "part_labels": PART_LABELS}


def _agent():
    return viewer(AGENTS)


# --- the list -----------------------------------------------------------------------------------

@staff.get("/customers")
def customers():
    who = _agent()
    query = (request.args.get("q") or "").strip()[:MAX_CUSTOMER_QUERY]
    directory, answer = customer_directory(who)
    if not answer.ok:
        return page("staff_customers.html", who, answer.status, items=[], query=query, more=0,
                    problems=problem_messages(answer))
    found = search(directory, query)
    return page("staff_customers.html", who, items=found[:MAX_LISTED], query=query,
                more=max(0, len(found) - MAX_LISTED), problems=[])


# --- the overview ---------------------------------------------------------------------------------

def _overview(who: Viewer, customer_id: str) -> dict[str, Any]:
    answer = call(SERVICEDESK, "GET", f"/api/v1/staff/customers/{customer_id}/overview", who, scoped=False)
    if not answer.ok:
        raise OverviewRefused(answer.status, problem_messages(answer))
    return answer.body


class OverviewRefused(Exception):
    """servicedesk refused the overview for a reason of its own (not 401, 403 or 404)."""

    def __init__(self, status: int, problems: list[str]):
        super().__init__(" ".join(problems))
        self.status = status
        self.problems = problems


@staff.errorhandler(OverviewRefused)
def _refused_overview(exc: OverviewRefused):
    return render_template("error.html", title=_("The request could not be completed"),
                           message=" ".join(exc.problems), nav=g.get("nav")), exc.status


def _overview_page(who: Viewer, customer_id: str, overview: dict[str, Any],
                   forms: dict[str, EmailCorrectionForm] | None = None, http_status: int = 200):
    users = overview.get("users")
    forms = dict(forms or {})
    for user in users or []:
        user_id = str(user.get("id") or "")
        if ID.match(user_id) and user_id not in forms:
            forms[user_id] = email_form(user_id, email=user.get("email"))
    payments = overview.get("payments")
    devices = [device for device in overview.get("devices") or [] if isinstance(device, dict)]
    # An agent moving on to the billing, stock or service desk pages stays with this customer.
    who.customer_id = customer_id
    customer_pages = [entry for entry in who.nav if entry.endpoint.startswith(CUSTOMER_PAGES)]
    return page("staff_customer.html", who, http_status, customer_id=customer_id, overview=overview,
                customer_pages=customer_pages,
                customer=overview.get("customer") or {}, users=users, forms=forms, status_names=USER_STATUS_NAMES,
                accounts=overview.get("accounts"), credit=overview.get("credit_status"),
                payments=payments, last_payment=(payments or [None])[0],
                devices=devices, serials={str(device.get("id")): device.get("serial_number") for device in devices},
                incidents=[incident for incident in overview.get("incidents") or [] if isinstance(incident, dict)],
                unavailable=[entry for entry in overview.get("unavailable") or [] if isinstance(entry, dict)])


@staff.get("/customers/<customer_id>")
def customer(customer_id: str):
    who = _agent()
    customer_id = id_or_404(customer_id)
    return _overview_page(who, customer_id, _overview(who, customer_id))


@staff.post("/customers/<customer_id>/users/<user_id>/email")
def correct_email(customer_id: str, user_id: str):
    who = _agent()
    customer_id, user_id = id_or_404(customer_id), id_or_404(user_id)
    # CSRFProtect has already refused a post without a valid token (400).
    form = email_form(user_id, formdata=request.form)
    # The user must be this customer's: the page names one company, the correction may not reach
    # another. One read at identity; the whole overview is fetched only to show the page again.
    user = call(IDENTITY, "GET", f"/api/v1/users/{user_id}", who, scoped=False).body
    if str(user.get("customer_id")) != customer_id:
        abort(404)
    if form.validate_on_submit():
        answer = call(IDENTITY, "PATCH", f"/api/v1/users/{user_id}", who, body={"email": form.email.data.strip()},
                      scoped=False)
        if answer.ok:
            flash(_("The e-mail address was corrected to %(email)s. A message was sent there to verify it.",
                    email=answer.body.get("email") or form.email.data.strip()))
            return redirect(url_for("staff.customer", customer_id=customer_id, _anchor="overview-users"), 303)
        place_errors(answer, form.form_errors, on_fields({"email": form.email}))
    return _overview_page(who, customer_id, _overview(who, customer_id), {user_id: form}, 400)
