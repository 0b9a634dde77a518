"""The role policy: who may call which method on which path, as one table.

The gateway is the first gate only: every service checks roles again and scopes every query
by the token's customer. Anything not in the table is denied (401 without a valid token,
403 with one); a path no service owns is 404 before the policy is consulted.

Who may:
  PUBLIC      no token needed (any token sent along is forwarded unchecked: the service decides)
  ACTIVATION  only the activation token of an RFC first sign-in
  ANY_USER    any access token, whatever its roles
  {roles}     an access token holding at least one of these roles
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from portal_shared.auth.roles import (
    ADMIN,
    AGENT,
    BILLING,
    DEVICE_ADMIN,
    OPERATOR,
    STOCK_ADMIN,
    STOCK_DEVICE_ADMIN,
)

from portal_gateway.routing import API_ROOT, JWKS_PATH, api_prefix


class _Kind(str):
    """A named audience that is not a set of roles."""


PUBLIC = _Kind("PUBLIC")
ACTIVATION = _Kind("ACTIVATION")
ANY_USER = _Kind("ANY_USER")

Who = _Kind | frozenset[str]


def roles(*names: str) -> frozenset[str]:
    return frozenset(names)


# Audiences used more than once, named after what they read or do.
BILLING_READERS = roles(ADMIN, BILLING, AGENT)  # agent reads every customer's billing, never writes
DESK_USERS = roles(ADMIN, DEVICE_ADMIN, STOCK_DEVICE_ADMIN, AGENT)
DEVICE_READERS = roles(ADMIN, DEVICE_ADMIN, STOCK_DEVICE_ADMIN, AGENT, OPERATOR)
DEVICE_EDITORS = roles(ADMIN, DEVICE_ADMIN, STOCK_DEVICE_ADMIN, AGENT)
METER_WRITERS = roles(ADMIN, DEVICE_ADMIN, STOCK_DEVICE_ADMIN)
STOCK_READERS = roles(ADMIN, STOCK_ADMIN, STOCK_DEVICE_ADMIN, AGENT)
STOCK_EDITORS = roles(ADMIN, STOCK_ADMIN, STOCK_DEVICE_ADMIN)
PAYERS = roles(ADMIN, BILLING)
CUSTOMER_STAFF = roles(OPERATOR, AGENT)

# (method, path pattern, who may).  {name} matches one path segment.
POLICY: tuple[tuple[str, str, Who], ...] = (
    # identity-service: keys and sign-in
    ("GET", JWKS_PATH, PUBLIC),
    ("POST", "/api/v1/auth/login", PUBLIC),
    ("POST", "/api/v1/auth/refresh", PUBLIC),
    ("POST", "/api/v1/auth/logout", PUBLIC),
    ("POST", "/api/v1/auth/recover", PUBLIC),
    ("POST", "/api/v1/auth/reset", PUBLIC),
    ("POST", "/api/v1/auth/verify-email", PUBLIC),
    ("POST", "/api/v1/auth/activate", PUBLIC),
    ("POST", "/api/v1/auth/links/check", PUBLIC),  # the token is the secret; nothing changes
    ("POST", "/api/v1/auth/first-login", ACTIVATION),
    ("GET", "/api/v1/me", ANY_USER),
    ("POST", "/api/v1/auth/password", ANY_USER),
    ("POST", "/api/v1/auth/verify-email/resend", ANY_USER),
    # identity-service: a customer's users (agent reads any customer's and corrects e-mails)
    ("GET", "/api/v1/users", roles(ADMIN, AGENT)),
    ("POST", "/api/v1/users", roles(ADMIN)),
    ("GET", "/api/v1/users/{id}", roles(ADMIN, AGENT)),
    ("PATCH", "/api/v1/users/{id}", roles(ADMIN, AGENT)),
    ("DELETE", "/api/v1/users/{id}", roles(ADMIN)),
    ("GET", "/api/v1/audit-log", roles(ADMIN, AGENT)),
    # identity-service: customers (back office)
    ("POST", "/api/v1/customers", roles(OPERATOR)),
    ("GET", "/api/v1/customers", CUSTOMER_STAFF),
    ("GET", "/api/v1/customers/{id}", CUSTOMER_STAFF),
    ("POST", "/api/v1/customers/{id}/activation-link", roles(OPERATOR)),
    # billing-service (docs/api.md): customers' admin and billing people read their own company's
    # billing, agents any customer's (read-only); the operator feeds the ERP's data in.
    # /accounts predates docs/api.md (DESIGN §3) and billing-service serves it to staff as well.
    ("GET", "/api/v1/accounts", roles(ADMIN, BILLING, AGENT, OPERATOR)),
    ("GET", "/api/v1/invoices", BILLING_READERS),
    ("GET", "/api/v1/invoices/{id}", BILLING_READERS),
    ("GET", "/api/v1/invoices/{id}/cfdi.xml", BILLING_READERS),  # the stamped CFDI 4.0 as imported
    ("GET", "/api/v1/invoices/{id}/cfdi.pdf", BILLING_READERS),  # its printed representation
    ("GET", "/api/v1/invoices/cfdi.zip", BILLING_READERS),  # a month's CFDIs, XML and PDF
    # A confirmed payment's fiscal receipt (REP); staff list those not stamped yet, every customer's.
    ("GET", "/api/v1/payment-receipts", BILLING_READERS | roles(OPERATOR)),
    ("GET", "/api/v1/payment-receipts/{id}", BILLING_READERS),
    ("GET", "/api/v1/payment-receipts/{id}.xml", BILLING_READERS),
    ("GET", "/api/v1/payment-receipts/{id}.pdf", BILLING_READERS),
    ("POST", "/api/v1/invoices/import", roles(OPERATOR)),
    ("GET", "/api/v1/balances", BILLING_READERS),
    ("GET", "/api/v1/statements", BILLING_READERS),
    ("GET", "/api/v1/statements/{id}/pdf", BILLING_READERS),
    ("POST", "/api/v1/statements", roles(OPERATOR)),
    ("GET", "/api/v1/exchange-rates/current", BILLING_READERS),
    ("POST", "/api/v1/exchange-rates", roles(OPERATOR)),
    ("POST", "/api/v1/exchange-rates/banxico", roles(OPERATOR)),
    ("GET", "/api/v1/credit-status", CUSTOMER_STAFF),
    # payment-service: only a customer's admin and billing people pay; the bank signs its
    # callbacks (payment-service checks the HMAC), so no user token comes with them.
    ("POST", "/api/v1/payments", PAYERS),
    ("GET", "/api/v1/payments", BILLING_READERS),
    ("GET", "/api/v1/payments/in-transit", PAYERS),
    ("GET", "/api/v1/payments/{id}", BILLING_READERS),
    ("POST", "/api/v1/payments/{id}/status-check", BILLING_READERS),  # asks the bank; settles by its answer
    ("POST", "/api/v1/payments/{id}/cancel", PAYERS),  # asks the bank to cancel; its answer settles it
    ("POST", "/api/v1/payments/callbacks/{bank}", PUBLIC),
    # servicedesk-service: devices, meter readings, incidents
    ("GET", "/api/v1/devices", DEVICE_READERS),
    ("POST", "/api/v1/devices", roles(OPERATOR, AGENT)),
    ("GET", "/api/v1/devices/{id}", DEVICE_READERS),
    ("PATCH", "/api/v1/devices/{id}", DEVICE_EDITORS),  # the location
    ("GET", "/api/v1/devices/{id}/locations", DEVICE_READERS),
    ("PUT", "/api/v1/devices/{id}/assignees", roles(ADMIN)),
    ("POST", "/api/v1/devices/{id}/retirement", roles(AGENT, OPERATOR)),
    ("POST", "/api/v1/devices/{id}/removal", roles(AGENT)),  # off the account, history kept
    ("POST", "/api/v1/devices/{id}/counter-replacements", roles(AGENT)),
    ("GET", "/api/v1/devices/{id}/meter-readings", DESK_USERS),
    # Staff too: readings of an earlier day (an engineer's visit, the ERP's history; servicedesk checks read_on).
    ("POST", "/api/v1/devices/{id}/meter-readings", METER_WRITERS | CUSTOMER_STAFF),
    ("GET", "/api/v1/incident-categories", ANY_USER),  # what an incident may be about
    ("GET", "/api/v1/incidents", DESK_USERS),
    ("POST", "/api/v1/incidents", DESK_USERS),  # agent opens incidents on a customer's behalf
    ("GET", "/api/v1/incidents/{id}", DESK_USERS),
    ("POST", "/api/v1/incidents/{id}/comments", DESK_USERS),
    ("POST", "/api/v1/incidents/{id}/status", DESK_USERS),  # which side may move it: servicedesk decides
    # servicedesk-service: toner stock (e-Maintenance)
    ("GET", "/api/v1/stock-locations", STOCK_READERS),
    ("POST", "/api/v1/stock-locations", STOCK_EDITORS),
    ("GET", "/api/v1/stock-locations/{id}", STOCK_READERS),
    ("PATCH", "/api/v1/stock-locations/{id}", STOCK_EDITORS),
    ("PUT", "/api/v1/devices/{id}/stock-location", STOCK_EDITORS),
    ("POST", "/api/v1/devices/{id}/toner-levels", roles(OPERATOR)),  # the devices' telemetry feed
    # The back office ships the orders, so it reads them too.
    ("GET", "/api/v1/toner-orders", STOCK_READERS | roles(OPERATOR)),
    ("GET", "/api/v1/toner-orders/{id}", STOCK_READERS | roles(OPERATOR)),
    ("POST", "/api/v1/toner-orders/{id}/status", CUSTOMER_STAFF),  # shipped or cancelled
    # servicedesk-service: knowledge for everyone signed in; the staff overview
    ("GET", "/api/v1/knowledge", ANY_USER),
    ("GET", "/api/v1/knowledge/overview", ANY_USER),  # categories and the latest, before a search
    ("GET", "/api/v1/knowledge/{id}", ANY_USER),
    ("POST", "/api/v1/knowledge", roles(OPERATOR)),  # the vendor's back office writes the articles
    ("PATCH", "/api/v1/knowledge/{id}", roles(OPERATOR)),
    ("DELETE", "/api/v1/knowledge/{id}", roles(OPERATOR)),
    ("GET", "/api/v1/staff/customers/{id}/overview", roles(AGENT)),
    ("GET", "/api/v1/staff/audit-log", roles(AGENT)),  # what staff did in servicedesk
)


@dataclass(frozen=True)
class Rule:
    method: str
    pattern: str
    who: Who
    regex: re.Pattern[str]


_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def _compile(pattern: str) -> re.Pattern[str]:
    parts = _PLACEHOLDER.split(pattern)
    return re.compile("".join(re.escape(part) + "[^/]+" for part in parts[:-1]) + re.escape(parts[-1]) + r"/?\Z")


def _bucket(path: str) -> str:
    """Rules are grouped by API prefix so a request is only matched against a handful of them."""
    prefix = api_prefix(path)
    return path if prefix is None else prefix


class Policy:
    """The table compiled once: (method, prefix) -> the few rules to try in order."""

    def __init__(self, table: Iterable[tuple[str, str, Who]] = POLICY):
        self._index: dict[tuple[str, str], list[Rule]] = {}
        for method, pattern, who in table:
            if not (pattern.startswith(API_ROOT) or pattern == JWKS_PATH):
                raise ValueError(f"policy pattern outside the API: {pattern}")
            rule = Rule(method, pattern, who, _compile(pattern))
            self._index.setdefault((method, _bucket(pattern)), []).append(rule)

    def match(self, method: str, path: str) -> Rule | None:
        if method == "HEAD":
            method = "GET"  # HEAD is GET without the body: the same people may ask
        for rule in self._index.get((method, _bucket(path)), ()):
            if rule.regex.match(path):
                return rule
        return None
