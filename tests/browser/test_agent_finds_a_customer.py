"""An agent on the phone with a customer knows its RFC, never the portal's id: it finds the customer
by RFC, opens the overview and from there the customer's balances; the balances page's own picker
takes the RFC too."""
from __future__ import annotations

import re

from portal_site import sign_in
from stack import DEMO_PASSWORD, Stack

AGENT = "agente@proveedor-demo.mx"


def test_the_agent_finds_a_customer_by_rfc_and_opens_its_balances_from_the_overview(
        stack: Stack, page, billing_customer):
    billed = billing_customer([("MXN", "2345.60")])
    customer, invoice = billed.customer, billed.invoices[0]
    sign_in(page, stack.gateway_url, AGENT, DEMO_PASSWORD, "es")

    page.goto(f"{stack.gateway_url}/staff/customers")
    page.fill("#q", customer["rfc"].lower())  # as it is said on the phone, whatever the case
    page.click("#search-button")
    found = page.locator("#customers-table tbody tr")
    assert found.count() == 1 and found.first.get_attribute("id") == f"customer-{customer['id']}"
    found.first.get_by_role("link", name=customer["name"]).click()
    page.wait_for_url(re.compile(rf"/staff/customers/{customer['id']}"))
    assert page.inner_text("#overview-rfc") == customer["rfc"]

    page.click("#customer-page-billing-balances")
    page.wait_for_url(re.compile(r"/balances\?"))
    shown = page.inner_text("main")
    assert f"Cliente consultado: {customer['name']}, RFC {customer['rfc']}." in shown, shown
    assert invoice["invoice_number"] in page.inner_text("#balances-table")

    # The picker on the page itself: the RFC opens the customer at once.
    page.goto(f"{stack.gateway_url}/balances")
    page.fill("#customer", customer["rfc"])
    page.locator("#customer").press("Enter")
    page.wait_for_url(re.compile(r"/balances\?"))
    assert invoice["invoice_number"] in page.inner_text("#balances-table")
