"""Paying invoices as a person does: balances → tick → confirm → the bank's page → back → settled."""
from __future__ import annotations

import re
from decimal import Decimal
from urllib.parse import parse_qs, urlparse

from stack import Stack, wait_until


def sign_in(page, stack: Stack, username: str, password: str) -> None:
    page.goto(f"{stack.gateway_url}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))


def tick_and_pay(page, stack: Stack, invoices: list[dict], bank: str) -> str:
    page.goto(f"{stack.gateway_url}/balances")
    for invoice in invoices:
        page.check(f"#pay-{invoice['id']}")
    page.check(f"#bank-{bank}")
    page.click("#pay-button")
    dialog = page.locator("#pay-dialog")
    dialog.wait_for(state="visible")
    assert "¿Desea continuar con el pago?" in dialog.inner_text()
    assert "Total a pagar" in dialog.inner_text()
    total_shown = page.inner_text("#pay-dialog-total")
    page.click("#pay-confirm")
    return total_shown


def approve_at_bbva(page) -> tuple[str, str]:
    """On BBVA's page: the payer's details, approve, and back at the portal once it is confirmed;
    returns (payment id, bank reference)."""
    page.fill("#email", "tesoreria@example.com")
    page.fill("#phone", "5512345678")
    page.check("input[name=outcome][value=approve]")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/payments/return"))
    payment_id = parse_qs(urlparse(page.url).query)["payment"][0]
    page.wait_for_selector("#payment-status[data-status=confirmed]", timeout=30000)
    return payment_id, page.inner_text("#bank-reference")


def test_pay_three_invoices_one_in_usd_at_bbva(stack: Stack, page, billing_customer):
    customer = billing_customer([("MXN", "1200.00"), ("USD", "100.00"), ("MXN", "35.50")])
    sign_in(page, stack, customer.email, customer.password)

    total_shown = tick_and_pay(page, stack, customer.invoices, "bbva")
    # 1,200.00 + 100 USD × 17.5000 + 35.50 = 2,985.50 MXN
    assert "2,985.50" in total_shown, total_shown

    page.wait_for_url(re.compile(r"/pay/"))
    body = page.inner_text("body")
    assert "2,985.50" in body or "2985.50" in body
    payment_id, bank_reference = approve_at_bbva(page)
    assert bank_reference.startswith("BBVA-MP ")

    def all_paid() -> bool:
        # Billing settles the invoices when payment.confirmed reaches it: reload until then.
        page.goto(f"{stack.gateway_url}/invoices?status=paid")
        return all(page.locator(f"#invoice-{invoice['id']}").count() == 1 for invoice in customer.invoices)

    wait_until(all_paid, what="the three invoices listed as paid")
    page.goto(f"{stack.gateway_url}/payments")
    row = page.locator(f"#payment-{payment_id}")
    assert bank_reference in row.inner_text()


def test_citibanamex_declines_and_the_invoices_are_payable_again(stack: Stack, page, billing_customer):
    customer = billing_customer([("MXN", "640.00"), ("USD", "12.34")])
    sign_in(page, stack, customer.email, customer.password)

    tick_and_pay(page, stack, customer.invoices, "citibanamex")
    page.wait_for_url(re.compile(r"/pay/"))
    page.fill("#client_number", "12345678")
    page.fill("#nip", "1234")
    page.check("input[name=outcome][value=decline]")
    page.click("button[type=submit]")

    page.wait_for_url(re.compile(r"/payments/return"))
    page.wait_for_selector("#payment-status[data-status=failed]", timeout=30000)
    page.click("#back-to-balances")

    def payable_again() -> bool:
        # Billing releases the amounts in transit when payment.failed reaches it: reload until then.
        page.goto(f"{stack.gateway_url}/balances")
        return all(page.locator(f"#pay-{invoice['id']}").is_enabled() for invoice in customer.invoices)

    wait_until(payable_again, what="invoices payable again after the decline")
    pending = [Decimal(page.input_value(f"#amount-{invoice['id']}").replace(",", "")) for invoice in customer.invoices]
    assert pending == [Decimal("640.00"), Decimal("12.34")]


def test_leaving_the_bank_with_cancel_frees_the_invoices_at_once(stack: Stack, page, billing_customer):
    customer = billing_customer([("MXN", "910.00")])
    sign_in(page, stack, customer.email, customer.password)

    tick_and_pay(page, stack, customer.invoices, "bbva")
    page.wait_for_url(re.compile(r"/pay/"))
    page.click("#cancel")  # "Cancelar y regresar al comercio"

    page.wait_for_url(re.compile(r"/payments/return"))
    page.wait_for_selector("#payment-status[data-status=failed]", timeout=30000)
    assert "El pago se canceló antes de que el banco lo completara." in page.inner_text("#failure-reason")

    def payable_again() -> bool:
        page.goto(f"{stack.gateway_url}/balances")
        return page.locator(f"#pay-{customer.invoices[0]['id']}").is_enabled()

    wait_until(payable_again, what="the invoice payable again after the cancel at the bank")


def test_a_payment_left_at_the_bank_is_cancelled_from_balances(stack: Stack, page, billing_customer):
    customer = billing_customer([("MXN", "455.00"), ("USD", "20.00")])
    sign_in(page, stack, customer.email, customer.password)

    tick_and_pay(page, stack, customer.invoices, "citibanamex")
    page.wait_for_url(re.compile(r"/pay/"))
    # Back to the portal without deciding: the invoices are in transit, at Citibanamex, since now.
    page.goto(f"{stack.gateway_url}/balances")
    transit = page.locator("#in-transit")
    transit.wait_for()
    assert "Citibanamex" in transit.inner_text()
    for invoice in customer.invoices:
        assert page.locator(f"#pay-{invoice['id']}").is_disabled()
        assert "Citibanamex, desde el" in page.inner_text(f"#row-{invoice['id']}")

    transit.get_by_role("button", name="Cancelar el pago").click()
    page.wait_for_url(re.compile(r"/balances"))
    assert "se canceló. Sus facturas pueden pagarse de nuevo." in page.inner_text("main")

    def payable_again() -> bool:
        page.goto(f"{stack.gateway_url}/balances")
        return all(page.locator(f"#pay-{invoice['id']}").is_enabled() for invoice in customer.invoices)

    wait_until(payable_again, what="the invoices payable again after the cancel from balances")
    assert page.locator("#in-transit").count() == 0
