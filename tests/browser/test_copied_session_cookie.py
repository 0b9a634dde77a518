"""A session cookie copied before sign-out opens nothing afterwards, in a real browser.

Whoever copied the cookie (a shared computer, a stolen backup, malware) replays it in a browser
of their own after its owner signed out: every page and every form of the portal must answer
with the sign-in page, and no form may change anything.
"""
from __future__ import annotations

import re
import uuid
from urllib.parse import urlparse

from stack import CLIENT_ADDRESS_HEADER, Stack, client_address

COOKIE = "portal_session"


def _pages_and_forms(page, base_url: str) -> tuple[list[str], list[dict]]:
    """Every page the main navigation offers, and every POST form found on those pages."""
    page.goto(f"{base_url}/")
    paths = ["/"] + sorted({urlparse(href).path for href in
                            page.locator("nav.mainnav a, nav.account a").evaluate_all("links => links.map(a => a.href)")})
    forms: dict[tuple[str, str], dict] = {}
    for path in paths:
        page.goto(base_url + path)
        for form in page.locator("form[method=post]").evaluate_all(
            """forms => forms.map(f => ({action: new URL(f.action, location.href).pathname,
                                         fields: Object.fromEntries(new FormData(f))}))"""
        ):
            forms.setdefault((form["action"], ",".join(sorted(form["fields"]))), form)
    return paths, list(forms.values())


def _post_in_browser(page, action: str, fields: dict) -> None:
    """Sends a form as the browser sends one (a top-level POST of form fields) and waits for the answer."""
    with page.expect_navigation():
        page.evaluate(
            """([action, fields]) => {
                   const form = document.createElement("form");
                   form.method = "post";
                   form.action = action;
                   for (const [name, value] of Object.entries(fields)) {
                       const input = document.createElement("input");
                       input.type = "hidden"; input.name = name; input.value = value;
                       form.appendChild(input);
                   }
                   document.body.appendChild(form);
                   form.submit();
               }""",
            [action, fields],
        )


def test_a_cookie_copied_before_sign_out_gets_the_sign_in_page_everywhere(stack: Stack, browser, page,
                                                                          activated_admin):
    _customer, email, password, _tokens = activated_admin()
    base = stack.gateway_url
    page.goto(f"{base}/login")
    page.fill("#username", email)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))

    paths, forms = _pages_and_forms(page, base)
    assert len(paths) >= 5, f"the admin's navigation offers only {paths}"
    assert any(form["action"] == "/users" and "email" in form["fields"] for form in forms), \
        f"no invitation form among {[form['action'] for form in forms]}"
    [copied] = [cookie for cookie in page.context.cookies() if cookie["name"] == COOKIE]

    page.get_by_role("button", name=re.compile("Cerrar sesión", re.I)).click()
    page.wait_for_url(re.compile(r"/login"))

    # Another machine: a browser of its own, holding nothing but the copied cookie.
    context = browser.new_context(locale="es-MX", extra_http_headers={CLIENT_ADDRESS_HEADER: client_address()})
    context.add_cookies([copied])
    thief = context.new_page()
    thief.set_default_timeout(15000)
    for path in paths:
        thief.goto(base + path)
        assert urlparse(thief.url).path == "/login", f"{path} opened with the copied cookie: {thief.url}"
        assert thief.locator("#username").count() == 1, f"{path}: no sign-in form"

    invited = f"copia.{uuid.uuid4().hex[:10]}@example.com"
    for form in forms:
        fields = {**form["fields"], **({"email": invited} if "email" in form["fields"] else {})}
        _post_in_browser(thief, form["action"], fields)
        assert urlparse(thief.url).path == "/login", f"POST {form['action']} answered {thief.url}"
        assert thief.locator("#username").count() == 1, f"POST {form['action']}: no sign-in form"
    assert "Su sesión terminó. Inicie sesión de nuevo." in thief.content()
    assert stack.scalar("identity", "SELECT count(*) FROM users WHERE email = :email", email=invited) == 0
    context.close()
