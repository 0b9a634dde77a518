"""What every page that calls a service shares: who is looking, the calls made with that
person's token, reading their answers, and the pages shown when a service refuses or is down.

The role check here only spares a pointless call: the service checks the token's roles and
customer again and has the last word.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from portal_shared.auth.roles import AGENT

from portal_gateway.policy import PAYERS
from portal_gateway.routing import IDENTITY, Service
from portal_gateway.web import api
from portal_gateway.web.api import Answer, ServiceUnavailable
from portal_gateway.web.customer_search import pick
from portal_gateway.web.form_errors import problem_messages
from portal_gateway.web.identity import IdentityUnavailable
from portal_gateway.web.account_pages import me_or_redirect, nav_for

# Ids as the services write them (UUIDs, mostly); anything else never reaches a URL.
ID = re.compile(r"\A[A-Za-z0-9_-]{1,64}\Z")
# What a person may type to find a customer (the customer list's search and the picker).
MAX_CUSTOMER_QUERY = 100
# A picker's query that finds more customers than this lists these and asks for a narrower one.
MAX_PICKED = 10

log = logging.getLogger(__name__)


class Refused(Exception):
    """The signed-in user's roles do not open this page (or the service said so)."""


class SignInAgain(Exception):
    """The service no longer accepts the session's token."""


class NotThere(Exception):
    """The service knows no such thing within the caller's reach (another customer's id included)."""


@dataclass
class CustomerPick:
    """What a staff member typed in the customer picker when it named no single customer: the
    customers it found (each with this page's link for it), or why it found none."""

    query: str
    found: list[dict[str, Any]] = field(default_factory=list)  # {"customer": identity's record, "url": ...}
    more: int = 0  # found beyond those listed
    problem: str | None = None


@dataclass
class Chosen:
    """The staff member's chosen customer as identity's directory names it, or why it cannot."""

    customer: dict[str, Any] | None = None
    problem: str | None = None


@dataclass
class Viewer:
    token: str
    me: dict[str, Any]
    roles: frozenset[str]
    nav: list
    customer_id: str | None  # named by staff only; a customer user's company comes from the token
    pick: CustomerPick | None = None  # the picker's query, when it named no single customer

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

    @cached_property
    def chosen(self) -> Chosen:
        """Who the chosen customer is (name, RFC), for the picker to say: asked of identity only by
        a page that shows it, once. The page's own reads do not depend on it."""
        if not (self.is_staff and self.customer_id):
            return Chosen()
        try:
            answer = api.call(IDENTITY, "GET", f"/api/v1/customers/{self.customer_id}", token=self.token)
        except ServiceUnavailable as exc:
            log.warning("chosen customer not named: %s", exc)
            return Chosen(problem=_("The customer directory is not available right now. "
                                    "Please try again in a few minutes."))
        if answer.ok:
            return Chosen(customer=answer.body)
        if answer.status == 404:
            return Chosen(problem=_("No customer in the directory has this id. "
                                    "Find the customer by RFC, name or account number."))
        return Chosen(problem=" ".join(problem_messages(answer)))


def viewer(allowed: frozenset[str] | None = None) -> Viewer:
    """The signed-in user; Refused when none of `allowed` is held (None: every signed-in user).

    A visitor who is not signed in (or must first set a password) is sent where
    me_or_redirect() says, by ending the request with that redirect.
    """
    token, me = me_or_redirect()
    if token is None:
        abort(me)
    nav = nav_for(me)
    roles = frozenset(me.get("roles") or [])
    if allowed is not None and not roles & allowed:
        raise Refused()
    names_customer = not me.get("customer") and AGENT in roles
    who = Viewer(token, me, roles, nav, clean(request.args.get("customer_id")) if names_customer else None)
    if names_customer and request.method == "GET" and (request.args.get("customer") or "").strip():
        _pick_customer(who, request.args["customer"])
    return who


def customer_directory(who: Viewer) -> tuple[list[dict[str, Any]], Answer]:
    """identity's customers (staff only), asked with the staff member's own token; [] when refused."""
    answer = call(IDENTITY, "GET", "/api/v1/customers", who, scoped=False)
    return (items_of(answer) if answer.ok else []), answer


def _pick_customer(who: Viewer, typed: str) -> None:
    """The customer picker's query: an RFC, a company name, an account number (or an id), found as
    the customer list finds it. One customer: this page for it, by a redirect that ends the
    request. Several, or none, or no directory: who.pick says so, and the page names no customer."""
    query = typed.strip()[:MAX_CUSTOMER_QUERY]
    who.customer_id = None
    try:
        directory, answer = customer_directory(who)
    except ServiceUnavailable as exc:
        log.warning("customer picker: %s", exc)
        who.pick = CustomerPick(query, problem=_("The customer directory is not available right now. "
                                                 "Please try again in a few minutes."))
        return
    if not answer.ok:
        who.pick = CustomerPick(query, problem=" ".join(problem_messages(answer)))
        return
    found = [(customer, clean(str(customer.get("id") or ""))) for customer in pick(directory, query)]
    found = [(customer, customer_id) for customer, customer_id in found if customer_id]
    if len(found) == 1:
        abort(redirect(_this_page_for(found[0][1])))
    if not found:
        who.pick = CustomerPick(query, problem=_("No customer matches “%(query)s”. Check the RFC, the company "
                                                 "name or the account number.", query=query))
        return
    who.pick = CustomerPick(query, [{"customer": customer, "url": _this_page_for(customer_id)}
                                    for customer, customer_id in found[:MAX_PICKED]],
                            max(0, len(found) - MAX_PICKED))


def _this_page_for(customer_id: str) -> str:
    """This page for one customer, keeping its other query parameters."""
    args = request.args.to_dict(flat=False)
    for name in ("customer", "customer_id", "lang"):
        args.pop(name, None)
    return url_for(request.endpoint, **(request.view_args or {}), **args, customer_id=customer_id)


def id_or_404(value: str) -> str:
    """An id from the URL, which must look like one before any service is asked about it."""
    if not ID.match(value):
        abort(404)
    return value


def clean(value: str | None, pattern: re.Pattern[str] = ID) -> str | None:
    value = (value or "").strip()
    return value if pattern.match(value) else None


def call(service: Service, method: str, path: str, who: Viewer, *, body: Any = None,
         params: dict[str, Any] | None = None, scoped: bool = True, headers: dict[str, str] | None = None,
         keep_404: bool = False) -> Answer:
    """One call with the viewer's token. 401, 403 and 404 end the page; other answers are the caller's.

    scoped: a list names the staff member's chosen customer; one record, named by its id, needs none.
    keep_404: a 404 is answered like any other refusal, for a page that says itself what is missing.
    """
    scope = who.scope() if scoped else {}
    answer = api.call(service, method, path, token=who.token, body=body, params={**(params or {}), **scope},
                      headers=headers)
    if answer.status == 401:
        raise SignInAgain()
    if answer.status == 403:
        raise Refused()
    if answer.status == 404 and not keep_404:
        raise NotThere()
    return answer


def items_of(answer: Answer) -> list[dict[str, Any]]:
    return [item for item in answer.body.get("items") or [] if isinstance(item, dict)]


def page_arg(value: str | None, most: int) -> int:
    """The ?page= asked for, 1 to most; anything else is the first page."""
    try:
        number = int(value or 1)
    except ValueError:
        return 1
    return min(max(number, 1), most)


def pages_of(body: dict[str, Any], page_size: int = 0) -> dict[str, int] | None:
    """Page, page count and total of a paged list; page_size when the answer does not say its own.
    None when neither says, so the page shows no pagination."""
    size = int(body.get("page_size") or page_size) or page_size
    if size <= 0:
        return None
    total = int(body.get("total") or 0)
    return {"page": int(body.get("page") or 1), "pages": max(1, -(-total // size)), "total": total}


def page(template: str, who: Viewer, http_status: int = 200, /, **context):
    # Positional-only, so a page's own "status" (a toner order's, say) stays template context.
    return render_template(template, who=who, me=who.me, nav=who.nav, **context), http_status


def install_error_pages(blueprint: Blueprint, unavailable: dict[Service, Any]) -> None:
    """Not allowed, not found, sign in again and service unavailable, for one blueprint's pages.

    unavailable: per service, the (lazy) text saying what cannot be shown while it is down.
    """

    @blueprint.errorhandler(Refused)
    def _refused(exc: Refused):
        return render_template("error.html", title=_("Not allowed"),
                               message=_("Your role does not give access to this page."), nav=g.get("nav")), 403

    @blueprint.errorhandler(NotThere)
    def _not_there(exc: NotThere):
        return render_template("error.html", title=_("Page not found"),
                               message=_("The page you asked for does not exist."), nav=g.get("nav")), 404

    @blueprint.errorhandler(SignInAgain)
    def _sign_in_again(exc: SignInAgain):
        return redirect(url_for("web.login"))

    @blueprint.errorhandler(ServiceUnavailable)
    def _unavailable(exc: ServiceUnavailable):
        if isinstance(exc, IdentityUnavailable):  # /me, asked before every page
            message = _("Sign-in is not available right now. Please try again in a few minutes.")
        else:
            message = unavailable.get(exc.service) or _(
                "This information is not available right now. Please try again in a few minutes.")
        log.warning("page not shown: %s", exc)
        return render_template("error.html", title=_("Service unavailable"), message=message, nav=g.get("nav")), 503
