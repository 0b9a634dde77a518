"""Every page of every role, in Spanish and in English, checked by axe-core for WCAG 2.1 A and AA.

axe-core (the npm package, pinned by tests/browser/package-lock.json and installed by
deploy/test-tools) is injected into each page Playwright opens (past the portal's
Content-Security-Policy, which rightly refuses inline scripts); a serious or critical violation
fails the test, naming the page, the rule and the elements. The signed-out pages and a form
showing its errors are checked too, since that is where labels and contrast matter most.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from portal_site import reachable_pages, sign_in
from stack import Stack

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")
SIGNED_OUT = ["/login", "/recover", "/reset-password?token=x", "/verify-email?token=x"]


def violations(page) -> list[dict]:
    if not AXE.exists():
        pytest.fail(f"axe-core is not installed at {AXE}: run deploy/test-tools (npm ci in tests/browser)")
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
                          ".then(result => result.violations)", WCAG_21_AA)
    return [v for v in found if v["impact"] in BLOCKING]


def described(path: str, found: list[dict]) -> list[str]:
    return [f"{path}: {v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(" ".join(node["target"]) for node in v["nodes"][:4]) for v in found]


@pytest.mark.parametrize("language", ["es", "en"])
def test_no_serious_accessibility_violation_on_any_page(stack: Stack, browser, people, language):
    base = stack.gateway_url
    failures: list[str] = []
    checked: list[str] = []
    context = browser.new_context(locale="es-MX" if language == "es" else "en-US", bypass_csp=True)
    page = context.new_page()
    for path in SIGNED_OUT:
        page.goto(f"{base}{path}{'&' if '?' in path else '?'}lang={language}")
        failures += described(path, violations(page))
        checked.append(path)
    # A form showing its errors: wrong password.
    page.goto(f"{base}/login?lang={language}")
    page.fill("#username", "nadie@example.com")
    page.fill("#password", "no-es-la-clave")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    failures += described("/login (refused)", violations(page))
    context.close()

    for role, username, password in people:
        context = browser.new_context(locale="es-MX" if language == "es" else "en-US", bypass_csp=True)
        page = context.new_page()
        page.set_default_timeout(20000)
        try:
            sign_in(page, base, username, password, language)
            for path in reachable_pages(page, base):
                page.goto(base + path)
                failures += described(f"{role} {path}", violations(page))
                checked.append(f"{role} {path}")
        finally:
            context.close()
    assert len(checked) >= 30, checked
    assert failures == [], "\n".join(failures)
