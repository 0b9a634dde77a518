"""Headless Chromium (Debian's package) driven by Playwright; a screenshot is kept of every failure."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from portal_site import people_of_every_role
from stack import CLIENT_ADDRESS_HEADER, client_address

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts" / "screenshots"


@pytest.fixture(scope="session")
def browser():
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.fail(f"the browser tests need Chromium at {CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.stash.setdefault(_FAILED, False)
        if report.failed:
            item.stash[_FAILED] = True


_FAILED = pytest.StashKey[bool]()


@pytest.fixture()
def page(browser, request):
    # A machine of its own: the per-address sign-in lockout counts each browser apart.
    context = browser.new_context(locale="es-MX", extra_http_headers={CLIENT_ADDRESS_HEADER: client_address()})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    if request.node.stash.get(_FAILED, False):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.fixture()
def people(stack, api, operator, activated_admin, billing_customer) -> list[tuple[str, str, str]]:
    """(role, user name, password) of every kind of person, for the suites that walk every page."""
    return people_of_every_role(stack, api, operator, activated_admin, billing_customer)
