"""The payment flow never sends the browser to a host other than the portal's or the configured
bank's, whatever a caller puts in the return page's query, the payment request's body or the
sign-in form.

Where the return address comes from (payment-service's PaymentContext.return_url): the portal's
own PORTAL_BASE_URL plus /payments/return?payment=<id>; nothing a caller sends is used for it.
The bank's page address comes from the bank's answer; the gateway's /payments/return page only
reads the payment named and never redirects elsewhere.
"""
from __future__ import annotations

import re
import uuid
from urllib.parse import urljoin, urlsplit

import requests

from attacks import browser_session, csrf_token
from e2e.test_payments import answer_at_bank, start_payment
from stack import Api, Stack

EVIL = [
    "https://evil.example/", "http://evil.example", "//evil.example", "///evil.example", "/\\evil.example",
    "\\\\evil.example", "https:evil.example", "https:/evil.example", "%2F%2Fevil.example", "https%3A%2F%2Fevil.example",
    "/%5Cevil.example", "%09//evil.example", "https://127.0.0.1@evil.example", "javascript:alert(1)//evil.example",
]
META_REFRESH = re.compile(r"<meta[^>]+http-equiv=\"refresh\"[^>]*>", re.IGNORECASE)


def origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


def assert_stays(response: requests.Response, allowed: set[tuple[str, str]], what: str) -> None:
    """No redirect, refresh or script-free hop to anywhere but `allowed` origins."""
    location = response.headers.get("Location")
    if location is not None:
        # What a browser does with it: relative to the page, with backslashes read as slashes.
        target = urljoin(response.url, location.replace("\\", "/").strip())
        assert origin(target) in allowed, f"{what}: Location {location!r} leads to {target}"
    for tag in META_REFRESH.findall(response.text):
        assert "url=" not in tag.lower() or "evil" not in tag.lower(), f"{what}: {tag}"
    assert "evil.example" not in response.headers.get("Refresh", ""), what


def test_payment_return_page_never_redirects_off_the_portal(stack: Stack, api: Api, billing_customer):
    customer = billing_customer([("MXN", "300.00")])
    portal = origin(stack.gateway_url)
    base = stack.gateway_url
    browser = browser_session(base, customer.email, customer.password)
    anonymous = requests.Session()
    for evil in EVIL:
        for query in (f"payment={evil}", f"payment={uuid.uuid4()}&next={evil}&return_url={evil}&redirect={evil}",
                      f"payment={customer.invoices[0]['id']}&url={evil}"):
            for who, session in (("signed in", browser), ("anonymous", anonymous)):
                response = session.get(f"{base}/payments/return?{query}", allow_redirects=False, timeout=15)
                what = f"{who} /payments/return?{query}: {response.status_code}"
                assert response.status_code < 500, what
                assert_stays(response, {portal}, what)


def test_payment_goes_only_to_the_configured_bank_and_back_to_the_portal(stack: Stack, api: Api, billing_customer):
    customer = billing_customer([("MXN", "500.00"), ("MXN", "700.00")])
    portal = origin(stack.gateway_url)
    for bank, invoice in zip(("citibanamex", "bbva"), customer.invoices):
        items = [{"invoice_id": invoice["id"], "amount": "10.00"}]
        # Fields a caller might add to steer the browser: refused, never used.
        for extra in ({"return_url": "https://evil.example/"}, {"redirect_url": "//evil.example"},
                      {"notify_url": "https://evil.example/hook"}):
            injected = api.post("/api/v1/payments", {"bank": bank, "items": items, **extra}, token=customer.token,
                                headers={"Idempotency-Key": uuid.uuid4().hex})
            assert injected.status_code == 422, f"{bank} {extra}: {injected.status_code} {injected.text[:200]}"

        started = start_payment(api, customer.token, bank, items)
        assert started.status_code == 201, started.text
        paid = started.json()
        assert origin(paid["redirect_url"]) == origin(stack.bank_urls[bank]), paid["redirect_url"]
        stored = stack.scalar("payment", "SELECT redirect_url FROM payments WHERE id = CAST(:p AS uuid)", p=paid["id"])
        assert origin(stored) == origin(stack.bank_urls[bank])

        back = answer_at_bank(paid["redirect_url"], bank, "decline")
        assert back.status_code in (302, 303), back.text[:200]
        assert_stays(back, {portal}, f"{bank}'s page sending the customer back")
        assert urlsplit(back.headers["Location"]).path == "/payments/return"


def test_sign_in_ignores_where_the_query_says_to_go(stack: Stack, api: Api, activated_admin):
    _, email, password, _ = activated_admin()
    base = stack.gateway_url
    portal = origin(base)
    for evil in EVIL:
        session = requests.Session()
        token = csrf_token(session, f"{base}/login?next={evil}")
        signed_in = session.post(f"{base}/login?next={evil}", allow_redirects=False, timeout=15,
                                 data={"csrf_token": token, "username": email, "password": password, "next": evil})
        assert signed_in.status_code in (302, 303), signed_in.text[:200]
        assert_stays(signed_in, {portal}, f"sign-in with next={evil}")
        signed_out = session.post(f"{base}/logout?next={evil}", allow_redirects=False, timeout=15,
                                  data={"csrf_token": csrf_token(session, f"{base}/"), "next": evil})
        assert_stays(signed_out, {portal}, f"sign-out with next={evil}")
