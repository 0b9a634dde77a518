"""Paying invoices with the keyboard alone, in Spanish: sign in, tick three invoices on Saldos, go
to the bank, give up there with Back, cancel the payment left in transit, and pay them again, to
the page that says they are paid. Every control is reached with Tab or Shift+Tab and used with
Space, Enter or the arrows; each one focused on the way must show its focus (keyboard.py)."""
from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from keyboard import assert_focus_visible, focused, install_focus_probe, tab_to
from stack import DEMO_PASSWORD, Stack

# identity-seed-demo's paying admin and the first account of its customer.
DEMO_ADMIN = "admin@comercializadora-demo.mx"
DEMO_ACCOUNT = "005300"
INVOICES = [("MXN", "1200.00"), ("USD", "100.00"), ("MXN", "35.50")]
# The USD rate of the day every test publishes (TODAY_RATE in tests/conftest.py).
RATE = Decimal("17.5000")
CENT = Decimal("0.01")


def in_mxn(invoice: dict) -> Decimal:
    amount = Decimal(invoice["amount"])
    return amount if invoice["currency"] == "MXN" else (amount * RATE).quantize(CENT, ROUND_HALF_UP)


def sign_in_by_keyboard(page, stack: Stack, username: str, password: str) -> None:
    page.goto(f"{stack.gateway_url}/login?lang=es")
    tab_to(page, "#username")
    page.keyboard.type(username)
    tab_to(page, "#password")
    page.keyboard.type(password)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/$"))


def open_balances_by_keyboard(page) -> None:
    tab_to(page, "nav.mainnav a[href^='/balances']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "Saldos"


def tick_by_keyboard(page, invoices: list[dict]) -> Decimal:
    """Tick the invoices with Tab and Space, in the order the page lists them; the pay bar's total
    follows each one. Returns the total."""
    by_id = {invoice["id"]: invoice for invoice in invoices}
    unticked = ", ".join(f"#pay-{invoice_id}:not(:checked)" for invoice_id in by_id)
    total = Decimal("0.00")
    for count in range(1, len(invoices) + 1):
        tab_to(page, unticked)
        page.keyboard.press("Space")
        box = page.evaluate("() => ({id: document.activeElement.value, checked: document.activeElement.checked})")
        assert box["checked"], f"Space did not tick {focused(page)}"
        total += in_mxn(by_id[box["id"]])
        assert page.inner_text("#total-count") == str(count)
        assert page.inner_text("#total-pay") == f"{total:,.2f}", (count, page.inner_text("#pay-total"))
    return total


def choose_bank_by_keyboard(page, bank: str) -> None:
    """Into the banks' radio group with Tab, then the arrows to the bank, as radio groups work."""
    tab_to(page, "input[name=bank]")
    wanted = f"input[name=bank][value={bank}]:checked"
    for _ in range(page.locator("input[name=bank]").count()):
        if page.evaluate("selector => document.activeElement.matches(selector)", wanted):
            assert_focus_visible(page)
            return
        page.keyboard.press("ArrowRight")
    raise AssertionError(f"the arrows never chose {bank}; focused: {focused(page)}")


def pay_by_keyboard(page, invoices: list[dict], bank: str) -> None:
    total = tick_by_keyboard(page, invoices)
    choose_bank_by_keyboard(page, bank)
    tab_to(page, "#pay-button")
    page.keyboard.press("Enter")
    dialog = page.locator("#pay-dialog")
    dialog.wait_for(state="visible")
    assert page.inner_text("#pay-dialog-total") == f"{total:,.2f}"
    # The dialog holds the focus: its buttons are all Tab reaches.
    assert page.evaluate("() => document.getElementById('pay-dialog').contains(document.activeElement)"), focused(page)
    assert_focus_visible(page)
    tab_to(page, "#pay-confirm", limit=4)
    with page.expect_navigation():
        page.keyboard.press("Space")
    page.wait_for_url(re.compile(r"/pay/"))
    assert f"${total:,.2f} MXN" in page.inner_text("main"), page.inner_text("main")


def test_pay_three_invoices_with_the_keyboard_alone(stack: Stack, page, api, import_invoices):
    token = api.login(DEMO_ADMIN, DEMO_PASSWORD)["access_token"]
    invoices = import_invoices(DEMO_ACCOUNT, token, INVOICES)
    install_focus_probe(page.context)

    sign_in_by_keyboard(page, stack, DEMO_ADMIN, DEMO_PASSWORD)
    open_balances_by_keyboard(page)
    pay_by_keyboard(page, invoices, "citibanamex")

    # The bank's page works by keyboard too: both of its buttons are reached, forwards and back.
    tab_to(page, "#cancel")
    tab_to(page, "form button[type=submit]:not(#cancel)", backwards=True)
    # Left without deciding: Back to the portal, where the invoices wait in transit.
    page.go_back()
    page.wait_for_url(re.compile(r"/balances"))
    transit = page.locator("#in-transit")
    transit.wait_for()
    assert "Citibanamex" in transit.inner_text()
    for invoice in invoices:
        assert page.locator(f"#pay-{invoice['id']}").is_disabled()
        assert "Citibanamex, desde el" in page.inner_text(f"#row-{invoice['id']}")

    reached = tab_to(page, "#in-transit button[type=submit]")
    assert "Cancelar el pago" in reached, reached
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "se canceló. Sus facturas pueden pagarse de nuevo." in page.inner_text("main")
    # Payable again at once, on the page the cancel leads to.
    assert page.locator("#in-transit").count() == 0
    for invoice in invoices:
        assert page.locator(f"#pay-{invoice['id']}").is_enabled()
        assert "desde el" not in page.inner_text(f"#row-{invoice['id']}")

    pay_by_keyboard(page, invoices, "bbva")
    tab_to(page, "#email")
    page.keyboard.type("tesoreria@example.com")
    tab_to(page, "#phone")
    page.keyboard.type("5512345678")
    tab_to(page, "input[name=outcome]")
    assert page.evaluate("() => document.activeElement.value") == "approve", focused(page)
    tab_to(page, "form button[type=submit]:not(#cancel)")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/payments/return"))
    page.wait_for_selector("#payment-status[data-status=confirmed]", timeout=30000)
    assert page.inner_text("#payment-status") == "Su pago fue confirmado."
    # Onwards from there by keyboard too.
    tab_to(page, "main a[href$='/payments']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "Historial de pagos"


def test_the_page_waiting_for_the_bank_keeps_the_focus_where_the_keyboard_left_it(stack: Stack, page, billing_customer):
    customer = billing_customer([("MXN", "275.00")])
    install_focus_probe(page.context)
    sign_in_by_keyboard(page, stack, customer.email, customer.password)
    open_balances_by_keyboard(page)
    pay_by_keyboard(page, customer.invoices, "bbva")
    # Back without deciding; the payment's own page waits for the bank's answer, which never comes.
    page.go_back()
    payment_id = page.locator("#in-transit li").first.get_attribute("id").removeprefix("transit-")
    page.goto(f"{stack.gateway_url}/payments/return?payment={payment_id}")
    page.wait_for_selector("#payment-status[data-status=pending]")
    page.evaluate("() => { window.stillThisPage = true; }")

    tab_to(page, "#cancel-payment")
    # The page asks the bank again twice meanwhile; the focus stays on the button all along.
    for _ in range(2):
        with page.expect_response(lambda response: "/payments/return" in response.url):
            pass
    assert page.evaluate("() => window.stillThisPage === true"), "the page was loaded again"
    assert page.evaluate("() => document.activeElement.id") == "cancel-payment", focused(page)
    assert_focus_visible(page)

    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "se canceló. Sus facturas pueden pagarse de nuevo." in page.inner_text("main")
    assert page.locator(f"#pay-{customer.invoices[0]['id']}").is_enabled()
