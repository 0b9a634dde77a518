"""Every form's error paths speak the page's language, in a real browser.

Each kind of person (a customer's admin, billing, device and stock users, the vendor's agent and
operator) signs in, and the crawl collects every form on the pages their navigation offers and the
pages those link to. Each form with fields a person fills is then sent back wrong in three ways (left empty,
filled with text that cannot fit, filled with values of the wrong kind), with the browser's own
checks switched off so the services' refusals are what answers. Whatever the portal then says
(notices, messages next to fields, error pages) must be in the page's language: in Spanish no
English words and no field paths of the services' APIs ("items.0.amount", "customer_id:"), in
English no Spanish.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from portal_site import pattern_of, reachable_pages, sign_in
from stack import Stack

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


def forms_to_refuse(page, base: str, paths: list[str]) -> dict[tuple[str, str, str], tuple[str, int]]:
    """Every form with fields a person fills on these pages, once per kind (the same form of
    another user or device is the same form), by (method, action, field names), with the page it
    is on and its place among the page's forms."""
    forms: dict[tuple[str, str, str], tuple[str, int]] = {}
    for path in paths:
        page.goto(base + path)
        for found in page.locator("main form").evaluate_all(
            """forms => forms.map((f, index) => ({
                   index, method: (f.getAttribute('method') || 'get').toLowerCase(),
                   action: new URL(f.action, location.href).pathname,
                   fields: [...f.elements].filter(e => e.name && e.type !== 'hidden' && e.type !== 'submit'
                                                       && e.type !== 'checkbox' && e.type !== 'radio')
                                          .map(e => e.name)}))"""
        ):
            if found["fields"] and not found["action"].startswith(SKIPPED_ACTIONS):
                kind = (found["method"], pattern_of(found["action"]),
                        ",".join(sorted({pattern_of(name) for name in found["fields"]})))
                forms.setdefault(kind, (path, found["index"]))
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
            for (method, action, fields), (path, index) in forms_to_refuse(page, base, reachable_pages(page, base)).items():
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
