"""The portal as a person meets it in the browser: signing in, in a language, and the pages their
navigation leads to, for the suites that walk every page (messages' language, accessibility)."""
from __future__ import annotations

import re
from urllib.parse import urlparse

from desk import assign, create_stock_location, desk_customer, open_incident, place_device, register_device
from stack import DEMO_PASSWORD, Stack

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# Pages after the navigation's: a device, an incident, a user, a stock location, a customer.
MAX_PAGES = 40


def sign_in(page, base: str, username: str, password: str, language: str) -> None:
    page.goto(f"{base}/login?lang={language}")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))


def pattern_of(path: str) -> str:
    """The same page of another user or device is the same page: ids become ":id"."""
    return UUID.sub(":id", path)


def reachable_pages(page, base: str) -> list[str]:
    """The navigation's pages and the pages they link to (one of each kind), in the order found."""
    page.goto(f"{base}/")
    to_visit = ["/"] + sorted({urlparse(href).path for href in
                               page.locator("nav.mainnav a, nav.account a").evaluate_all("links => links.map(a => a.href)")})
    found: list[str] = []
    kinds: set[str] = set()
    while to_visit and len(found) < MAX_PAGES:
        path = to_visit.pop(0)
        if pattern_of(path) in kinds:
            continue
        kinds.add(pattern_of(path))
        response = page.goto(base + path)
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        found.append(path)
        for href in page.locator("main a[href^='/']").evaluate_all("links => links.map(a => a.getAttribute('href'))"):
            target = urlparse(href).path
            if target.count("/") >= 2 and not target.endswith(("/pdf", ".pdf", ".xml")) and "logout" not in target:
                to_visit.append(target)
    return found


def people_of_every_role(stack: Stack, api, operator, activated_admin, billing_customer) -> list[tuple[str, str, str]]:
    """(role, user name, password) of each kind of person: a customer's admin with open invoices in
    pesos and dollars; a customer with a user of each role, a device assigned to its device admin
    with an open incident, and a stock location; the vendor's demo agent and operator. The customer's admin comes last:
    its forms include taking roles away and disabling users."""
    paying = billing_customer([("MXN", "1500.00"), ("USD", "120.50")])
    owner = desk_customer(stack, api, activated_admin, roles=("billing", "device_admin", "stock_admin"))
    device = register_device(operator, owner)
    assign(api, owner, device, owner.people["device_admin"])
    location = create_stock_location(api, owner.admin.token,
                                     inventory=[{"toner_item": "GPR-58 K", "quantity": 3, "reorder_point": 1}])
    place_device(api, owner.admin.token, device, location)
    open_incident(api, owner.people["device_admin"].token, device["id"])
    return ([("paying admin", paying.email, paying.password)]
            + [(role, person.email, person.password) for role, person in owner.people.items()]
            + [("agent", "agente@proveedor-demo.mx", DEMO_PASSWORD), ("operator", "operador@proveedor-demo.mx", DEMO_PASSWORD)]
            + [("admin", owner.admin.email, owner.admin.password)])
