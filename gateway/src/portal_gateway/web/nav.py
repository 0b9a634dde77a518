"""The navigation: one entry per page that exists, shown to the roles that may use it."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from portal_shared.auth.roles import ADMIN, AGENT, OPERATOR

from portal_gateway.policy import BILLING_READERS, DESK_USERS, STOCK_READERS


@dataclass(frozen=True)
class NavEntry:
    endpoint: str
    label: object  # a lazy translation
    roles: frozenset[str] | None = None  # None: every signed-in user
    # What concerns the person rather than the company's records sits in the top bar, beside
    # "Sign out": the main navigation then fits one line at 1366 px for every role.
    in_topbar: bool = False


# The billing pages follow the API's role policy (BILLING_READERS): agents read-only,
# for the customer they name.

NAV: tuple[NavEntry, ...] = (
    NavEntry("web.home", _l("My account")),
    NavEntry("billing.balances", _l("Balances"), BILLING_READERS),
    NavEntry("billing.invoices", _l("Invoices"), BILLING_READERS),
    NavEntry("billing.statements", _l("Statements"), BILLING_READERS),
    NavEntry("billing.payments", _l("Payment history"), BILLING_READERS),
    # Devices and incidents: the company's admin, device admins (their assigned devices), agents.
    NavEntry("desk.devices", _l("Devices"), DESK_USERS),
    NavEntry("desk.incidents", _l("Incidents"), DESK_USERS),
    NavEntry("stock.locations", _l("Stock"), STOCK_READERS),
    NavEntry("stock.toner_orders", _l("Toner orders"), STOCK_READERS),
    NavEntry("knowledge.search", _l("Knowledge")),
    NavEntry("users.user_list", _l("Users"), frozenset({ADMIN})),
    # Customer service looks a customer up and sees everything about it on one page.
    NavEntry("staff.customers", _l("Customers"), frozenset({AGENT})),
    # The operator's billing work; agents reach it from the customers page (their line is full).
    NavEntry("billing.payment_receipts", _l("Payment receipts"), frozenset({OPERATOR})),
    NavEntry("web.change_password", _l("Change password"), in_topbar=True),
    # Staff feed and query the services directly; the documents describe those APIs.
    NavEntry("openapi.openapi_index", _l("API documents"), frozenset({AGENT, OPERATOR}), in_topbar=True),
)


def entries_for(roles: frozenset[str]) -> list[NavEntry]:
    return [entry for entry in NAV if entry.roles is None or entry.roles & roles]


# How roles read on the page (the tokens carry the codes).
ROLE_NAMES = {
    "admin": _l("Administrator"),
    "billing": _l("Billing"),
    "device_admin": _l("Device administrator"),
    "stock_admin": _l("Stock administrator"),
    "stock_device_admin": _l("Stock and device administrator"),
    "knowledge_user": _l("Knowledge base"),
    "agent": _l("Customer service agent"),
    "operator": _l("Back office operator"),
}

# How a user's account status reads on the page.
USER_STATUS_NAMES = {
    "pending_activation": _l("Invitation sent"),
    "active": _l("Active"),
    "disabled": _l("Disabled"),
}
