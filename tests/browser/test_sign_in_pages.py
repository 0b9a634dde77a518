"""The sign-in pages as a person uses them, in a real browser against the running portal."""
from __future__ import annotations

import re

from stack import Stack, link_token


def test_first_sign_in_language_switch_and_sign_out(stack: Stack, page, register_customer):
    customer = register_customer()
    page.goto(f"{stack.gateway_url}/login")
    assert page.locator("html").get_attribute("lang") == "es"

    page.fill("#username", customer["rfc"])
    page.fill("#password", customer["rfc"])
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/first-login"))

    # The RFC cannot become the password: the form says so and stays.
    page.fill("#email", f"ui.{customer['rfc'].lower()}@example.com")
    page.fill("#new_password", customer["rfc"])
    page.fill("#confirm_password", customer["rfc"])
    page.click("button[type=submit]")
    page.wait_for_selector(".field-errors, .notice-error")
    assert "/first-login" in page.url

    page.fill("#new_password", "Clave-Navegador-2026")
    page.fill("#confirm_password", "Clave-Navegador-2026")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    assert customer["rfc"] in page.content()
    assert customer["account_numbers"][0] in page.content()

    page.goto(f"{stack.gateway_url}/?lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("button", name=re.compile("Sign out", re.I)).click()
    page.wait_for_url(re.compile(r"/login"))
    page.goto(f"{stack.gateway_url}/")
    page.wait_for_url(re.compile(r"/login"))


def test_password_recovery_in_the_browser(stack: Stack, page, activated_admin):
    customer, email, _old, _tokens = activated_admin()
    page.goto(f"{stack.gateway_url}/recover")
    page.fill("#email", email)
    page.click("button[type=submit]")
    page.wait_for_selector(".notice")

    mails = stack.wait_for_mail(email, count=2)
    token = link_token(next(m for m in mails if "/reset-password?token=" in m["text"]), "/reset-password")
    page.goto(f"{stack.gateway_url}/reset-password?token={token}")
    page.fill("#new_password", "Recuperada-En-2026")
    page.fill("#confirm_password", "Recuperada-En-2026")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/login"))

    page.fill("#username", email)
    page.fill("#password", "Recuperada-En-2026")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    assert customer["rfc"] in page.content()
