"""Saldos fits the screens customers use: a 1366 px laptop without scrolling sideways, a phone with
one card per invoice; the total and the pay button stay in view while the list scrolls. On every
page the content starts clear of the top bar and the navigation."""
from __future__ import annotations

import re

import pytest

from portal_site import reachable_pages
from stack import Stack

INVOICES = [("MXN", "12450.00"), ("USD", "830.25"), ("MXN", "3980.50"), ("USD", "1200.00"), ("MXN", "640.00"),
            ("MXN", "99.90"), ("USD", "15.75"), ("MXN", "18500.00")]


def balances_at(browser, stack: Stack, customer, width: int, height: int):
    context = browser.new_context(locale="es-MX", viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"{stack.gateway_url}/login")
    page.fill("#username", customer.email)
    page.fill("#password", customer.password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    page.goto(f"{stack.gateway_url}/balances")
    return context, page


def sideways(page) -> dict:
    return page.evaluate("""() => ({page: document.documentElement.scrollWidth - innerWidth,
                                    table: document.querySelector('#balances-table').scrollWidth
                                           - document.querySelector('.table-scroll').clientWidth})""")


def pay_bar_in_view(page) -> bool:
    return page.evaluate("""() => { const r = document.querySelector('#pay-panel').getBoundingClientRect();
                                    return r.top >= 0 && r.bottom <= innerHeight + 1; }""")


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (1280, 720)])
def test_saldos_fits_a_laptop_screen_with_the_pay_bar_in_view(stack: Stack, browser, billing_customer, width, height):
    customer = billing_customer(INVOICES)
    context, page = balances_at(browser, stack, customer, width, height)
    try:
        assert sideways(page) == {"page": 0, "table": 0}
        first = customer.invoices[0]["id"]
        # Every column in view, the amount to pay included.
        box = page.locator(f"#amount-{first}").bounding_box()
        assert box and box["x"] + box["width"] <= width
        # Once the list fills the screen the bar is there, and it stays while the list scrolls under it.
        page.locator("#balances-table").evaluate("table => table.scrollIntoView({block: 'start'})")
        assert pay_bar_in_view(page)
        page.mouse.wheel(0, 600)
        assert pay_bar_in_view(page)
    finally:
        context.close()


def test_saldos_on_a_phone_is_one_card_per_invoice(stack: Stack, browser, billing_customer):
    customer = billing_customer(INVOICES)
    context, page = balances_at(browser, stack, customer, 390, 844)
    try:
        assert sideways(page)["page"] == 0
        first = customer.invoices[0]["id"]
        row = page.locator(f"#row-{first}")
        assert row.evaluate("r => getComputedStyle(r).display") == "block"
        # The invoice, its amounts and its checkbox on the card, each fact labelled in Spanish.
        labels = row.locator("td").evaluate_all(
            "cells => cells.map(cell => getComputedStyle(cell, '::before').content === 'none' ? null : cell.dataset.label)")
        for label in ("Fecha de vencimiento", "Importe", "Pendiente", "Importe a pagar"):
            assert label in labels, (label, labels)
        for element in (f"#pay-{first}", f"#amount-{first}"):
            box = page.locator(element).bounding_box()
            assert box and 0 <= box["x"] and box["x"] + box["width"] <= 390, (element, box)
        page.check(f"#pay-{first}")
        assert pay_bar_in_view(page)
    finally:
        context.close()


# Space between the bottom of the top bar or the navigation and the first thing on the page.
CLEARANCE_PX = 16
GAP = """() => Math.round(document.querySelector('main').firstElementChild.getBoundingClientRect().top
                        - Math.max(...[...document.querySelectorAll('body > header, body > nav')]
                                        .map(e => e.getBoundingClientRect().bottom)))"""


def test_every_page_starts_clear_of_the_navigation(stack: Stack, browser, billing_customer):
    customer = billing_customer([("MXN", "100.00")])
    signed_out = browser.new_context(locale="es-MX", viewport={"width": 1366, "height": 900}).new_page()
    gaps = {}
    for path in ("/login", "/recover", "/reset-password?token=x", "/activate?token=x", "/verify-email?token=x"):
        signed_out.goto(stack.gateway_url + path)
        gaps[path] = signed_out.evaluate(GAP)
    context, page = balances_at(browser, stack, customer, 1366, 900)
    try:
        for path in reachable_pages(page, stack.gateway_url):
            page.goto(stack.gateway_url + path)
            gaps[path] = page.evaluate(GAP)
    finally:
        context.close()
        signed_out.context.close()
    assert len(gaps) > 8, gaps
    assert {path: gap for path, gap in gaps.items() if gap < CLEARANCE_PX} == {}, gaps
