"""Every form's error paths speak the page's language, in a real browser.

Each kind of person (a customer's admin, billing, device and stock users, the vendor's agent and
operator) signs in, and the crawl collects every page their navigation offers and the pages those
link to. Each form with fields a person fills is then sent back wrong in three ways (left empty,
filled with text that cannot fit, filled with values of the wrong kind), with the browser's own
checks switched off so the services' refusals are what answers. Whatever the portal then says
(notices, messages next to fields, error pages) must be in the page's language: in Spanish no
English words and no field paths of the services' APIs ("items.0.amount", "customer_id:"), in
English no Spanish.
"""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

from desk import assign, create_stock_location, desk_customer, place_device, register_device
from stack import DEMO_PASSWORD, Stack

# Words of the services' English messages that Spanish never uses.
ENGLISH = re.compile(r"\b(the|is|not|must|invalid|missing|field|required|already|valid|shorter|longer|greater|"
                     r"than|cannot|does|this|your|you|please|should|unknown|found|exceeds?|may|with|only)\b", re.I)
SPANISH = re.compile(r"[áéíóúñ¿¡]|\b(el|la|los|las|del|debe|válido|obligatorio|este|esta|su|una|para|ya|"
                     r"escriba|elija|factura|datos?)\b", re.I)
# A service's field as its API names it: a dotted path, or a snake_case name before a colon.
FIELD_PATH = re.compile(r"\b[a-z]+\.\d+(\.[a-z_]+)?\b|\b[a-z]+_[a-z_]+\s*:")
# Where a page says something went wrong.
SAID = ".notice-error, .field-errors, [role=alert], .error-message"
# Forms whose sending is not an error path to check: leaving.
SKIPPED_ACTIONS = ("/logout",)
MAX_PAGES = 40
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts" / "screenshots"

STRATEGIES = {
    # Everything a person types left empty.
    "empty": {"text": "", "number": "", "email": "", "date": "", "password": "", "textarea": "", "select": None,
              "tick": False},
    # Text too long for any field, in every field.
    "too long": {"text": "x" * 400, "number": "9" * 40, "email": "a" * 300 + "@example.com", "date": "x" * 50,
                 "password": "p" * 300, "textarea": "y" * 6000, "select": "x" * 80, "tick": True},
    # Values of the wrong kind: words in numbers, a non-address in an e-mail, an impossible date.
    "wrong kind": {"text": "%%%", "number": "-1.234", "email": "no-es-un-correo", "date": "2026-13-45",
                   "password": "a", "textarea": "?", "select": "no-such-choice", "tick": True},
}


def sign_in(page, base: str, username: str, password: str, language: str) -> None:
    page.goto(f"{base}/login?lang={language}")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def crawl(page, base: str) -> dict[tuple[str, str, str], tuple[str, int]]:
    """Every form with fields to fill on the pages reachable from the navigation, once per kind
    (the same form of another user or device is the same form), by (method, action, field names),
    with the page it is on and its place among the page's forms."""
    page.goto(f"{base}/")
    to_visit = ["/"] + sorted({urlparse(href).path for href in
                               page.locator("nav.mainnav a").evaluate_all("links => links.map(a => a.href)")})
    seen: set[str] = set()
    forms: dict[tuple[str, str, str], tuple[str, int]] = {}
    while to_visit and len(seen) < MAX_PAGES:
        path = to_visit.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = page.goto(base + path)
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        for found in page.locator("main form").evaluate_all(
            """forms => forms.map((f, index) => ({
                   index, method: (f.getAttribute('method') || 'get').toLowerCase(),
                   action: new URL(f.action, location.href).pathname,
                   fields: [...f.elements].filter(e => e.name && e.type !== 'hidden' && e.type !== 'submit'
                                                       && e.type !== 'checkbox' && e.type !== 'radio')
                                          .map(e => e.name)}))"""
        ):
            if found["fields"] and not found["action"].startswith(SKIPPED_ACTIONS):
                kind = (found["method"], UUID.sub(":id", found["action"]),
                        ",".join(sorted({UUID.sub(":id", name) for name in found["fields"]})))
                forms.setdefault(kind, (path, found["index"]))
        # One level of detail pages: a device, an incident, a user, a stock location, a customer.
        for href in page.locator("main a[href^='/']").evaluate_all("links => links.map(a => a.getAttribute('href'))"):
            target = urlparse(href).path
            if (target not in seen and target.count("/") >= 2 and not target.endswith((".pdf", "/pdf"))
                    and "logout" not in target):
                to_visit.append(target)
    return forms


def send_wrong(page, base: str, path: str, index: int, strategy: dict) -> None:
    """Fills the form on its page as the strategy says, with the browser's own checks off, and sends it."""
    page.goto(base + path)
    form = page.locator("main form").nth(index)
    with page.expect_navigation():
        form.evaluate(
            """(f, s) => {
                   for (const e of f.elements) {
                       if (!e.name || ['hidden', 'submit', 'radio', 'button'].includes(e.type)) continue;
                       e.disabled = false;  // an amount is enabled by ticking its invoice
                       if (e.type === 'checkbox') { if (s.tick) e.checked = true; continue; }
                       e.removeAttribute('maxlength');
                       if (e.tagName === 'SELECT') {
                           if (s.select === null) continue;
                           const option = document.createElement('option');
                           option.value = s.select; option.textContent = s.select;
                           e.appendChild(option); e.value = s.select;
                       } else if (e.tagName === 'TEXTAREA') {
                           e.value = s.textarea;
                       } else {
                           const kind = ['number', 'email', 'date', 'password'].includes(e.type) ? e.type
                                      : (e.inputMode === 'decimal' || e.inputMode === 'numeric') ? 'number' : 'text';
                           e.type = 'text';  // the browser would refuse to hold a wrong value in a number or date
                           e.value = s[kind];
                       }
                   }
                   // Sent as is: neither the browser's checks nor the page's script (a confirmation
                   // step) stand before the server; a named button's value goes with it.
                   const button = f.querySelector('button[type=submit][name], input[type=submit][name]');
                   if (button) {
                       const pressed = document.createElement('input');
                       pressed.type = 'hidden'; pressed.name = button.name; pressed.value = button.value;
                       f.appendChild(pressed);
                   }
                   HTMLFormElement.prototype.submit.call(f);
               }""",
            strategy,
        )
    page.wait_for_load_state()


def what_the_page_says(page) -> list[str]:
    return [text.strip() for text in page.locator(SAID).all_inner_texts() if text.strip()]


@pytest.fixture()
def people(stack: Stack, api, operator, activated_admin, billing_customer):
    """A customer with a user of each role, a device assigned to its device admin, a stock
    location; another with open invoices in pesos and dollars (a pay form to refuse); and the
    vendor's demo agent and operator."""
    paying = billing_customer([("MXN", "1500.00"), ("USD", "120.50")])
    owner = desk_customer(stack, api, activated_admin, roles=("billing", "device_admin", "stock_admin"))
    device = register_device(operator, owner)
    assign(api, owner, device, owner.people["device_admin"])
    location = create_stock_location(api, owner.admin.token,
                                     inventory=[{"toner_item": "GPR-58 K", "quantity": 3, "reorder_point": 1}])
    place_device(api, owner.admin.token, device, location)
    customers = [("paying admin", paying.email, paying.password)]
    customers += [(role, person.email, person.password) for role, person in owner.people.items()]
    staff = [("agent", "agente@proveedor-demo.mx", DEMO_PASSWORD), ("operator", "operador@proveedor-demo.mx", DEMO_PASSWORD)]
    # The admin last: its forms include taking roles away and disabling users.
    return customers + staff + [("admin", owner.admin.email, owner.admin.password)]


@pytest.mark.parametrize("language", ["es", "en"])
def test_every_forms_refusals_are_in_the_page_language(stack: Stack, browser, people, language):
    base = stack.gateway_url
    foreign = ENGLISH if language == "es" else SPANISH
    checked: list[str] = []
    wrong: list[str] = []
    for role, username, password in people:
        context = browser.new_context(locale="es-MX" if language == "es" else "en-US")
        page = context.new_page()
        page.set_default_timeout(20000)
        try:
            sign_in(page, base, username, password, language)
            for (method, action, fields), (path, index) in crawl(page, base).items():
                for name, strategy in STRATEGIES.items():
                    send_wrong(page, base, path, index, strategy)
                    said = what_the_page_says(page)
                    checked.append(f"{role} {method} {action} [{fields}] {name}")
                    for text in said:
                        if foreign.search(text) or FIELD_PATH.search(text):
                            wrong.append(f"{role} {action} ({name}): {text!r}")
        except Exception:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"error-language-{language}-{role}.png"), full_page=True)
            raise
        finally:
            context.close()
    assert len({line.split(" ")[2] for line in checked}) >= 15, f"too few forms reached: {checked}"
    assert wrong == [], "\n".join(wrong)
