"""Browser-hardening headers on every answer of the gateway (pages, its errors, proxied answers,
refusals, a service that is down) and nosniff on every answer of the services; the session
cookie HttpOnly and SameSite; and templates that need no inline script or style, so the
Content-Security-Policy can forbid them."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from portal_gateway import create_app
from stack import ROOT, Api, Stack, free_port

TEMPLATES = ROOT / "gateway/src/portal_gateway/templates"
REQUIRED = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def assert_hardened(response, what: str, *, https: bool = False) -> None:
    headers = response.headers
    for name, value in REQUIRED.items():
        assert headers.get(name) == value, f"{what}: {name} is {headers.get(name)!r}"
    policy = headers.get("Content-Security-Policy", "")
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert directives.get("default-src") == ["'self'"], f"{what}: CSP {policy!r}"
    assert directives.get("script-src") == ["'self'"], f"{what}: CSP {policy!r}"
    assert directives.get("frame-ancestors") == ["'none'"], f"{what}: CSP {policy!r}"
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy, f"{what}: CSP {policy!r}"
    hsts = headers.get("Strict-Transport-Security")
    if https:
        assert hsts and "max-age=31536000" in hsts, f"{what}: HSTS {hsts!r}"
    else:
        assert hsts is None, f"{what}: HSTS over plain HTTP {hsts!r}"


def test_every_kind_of_gateway_answer_is_hardened(stack: Stack, api: Api, activated_admin):
    token = activated_admin()[3]["access_token"]
    base = stack.gateway_url
    http = api.http
    answers = {
        "HTML page": (http.get(f"{base}/login", timeout=10), 200),
        "HTML 404": (http.get(f"{base}/no-such-page", timeout=10), 404),
        "HTML 405": (http.delete(f"{base}/login", timeout=10), 405),
        "HTML 400 (form without its CSRF token)": (http.post(f"{base}/login", data={"username": "x"}, timeout=10), 400),
        "redirect to sign-in": (http.get(f"{base}/balances", timeout=10, allow_redirects=False), 302),
        "static script": (http.get(f"{base}/static/balances.js", timeout=10), 200),
        "problem 404 (no route)": (http.get(f"{base}/api/v1/no-such-thing", timeout=10), 404),
        "problem 401 (no token)": (http.get(f"{base}/api/v1/me", timeout=10), 401),
        "problem 403 (role)": (api.get("/api/v1/customers", token=token), 403),
        "problem 404 (service's own)": (api.get("/api/v1/invoices/00000000-0000-0000-0000-000000000000", token=token), 404),
        "proxied JSON 200": (api.get("/api/v1/me", token=token), 200),
        "gateway JSON (OpenAPI index)": (http.get(f"{base}/api/v1/openapi.json", timeout=10), 200),
        "health": (http.get(f"{base}/healthz", timeout=10), 200),
    }
    for what, (response, status) in answers.items():
        assert response.status_code == status, f"{what}: {response.status_code}"
        assert_hardened(response, what)

    cookie = answers["HTML page"][0].headers.get("Set-Cookie", "")
    assert cookie.startswith("portal_session="), cookie
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie, cookie


def test_services_answer_nosniff(stack: Stack, api: Api, activated_admin):
    token = activated_admin()[3]["access_token"]
    for service, base in stack.service_urls.items():
        for what, response in {
            "health": api.http.get(f"{base}/healthz", timeout=10),
            "404": api.http.get(f"{base}/api/v1/no-such-thing", timeout=10),
            "401": api.http.get(f"{base}/api/v1/devices", timeout=10),
            "authorized": api.http.get(f"{base}/api/v1/me" if service == "identity" else f"{base}/openapi.json",
                                       headers={"Authorization": f"Bearer {token}"}, timeout=10),
        }.items():
            assert response.headers.get("X-Content-Type-Options") == "nosniff", f"{service} {what}: {response.headers}"


@pytest.mark.parametrize("https", [False, True])
def test_a_service_that_is_down_answers_hardened_502s_and_hsts_follows_secure_cookies(tmp_path: Path, https: bool):
    """In process, with every service on a port nobody listens on."""
    dead = f"http://127.0.0.1:{free_port()}"
    app = create_app({
        "SERVICE_URLS": {key: dead for key in ("identity", "billing", "payment", "servicedesk")},
        "JWKS_URL": f"{dead}/.well-known/jwks.json", "VAR_DIR": str(tmp_path), "SECRET_KEY": "test-only-key",
        "SESSION_COOKIE_SECURE": https, "CONFIGURE_LOGGING": False, "ACCESS_LOG": False,
        "UPSTREAM_CONNECT_TIMEOUT": 0.5,
    })
    client = app.test_client()
    down = client.post("/api/v1/auth/login", json={"username": "x", "password": "y"})
    assert down.status_code in (502, 503), down.status_code
    assert down.headers["Content-Type"].startswith("application/problem+json")
    assert_hardened(down, "502 from a service that is down", https=https)
    page = client.get("/login")
    assert_hardened(page, "HTML page", https=https)
    openapi = client.get("/api/v1/openapi/billing.json")
    assert openapi.status_code in (502, 503)
    assert_hardened(openapi, "gateway's own 502", https=https)
    cookie = page.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie, cookie
    assert ("Secure" in cookie) is https, cookie


def test_templates_need_no_inline_script_or_style():
    """What lets the CSP forbid inline code while every page keeps working."""
    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=|javascript:", re.IGNORECASE)
    found = [f"{path.name}: {match.group(0)}" for path in sorted(TEMPLATES.glob("*.html"))
             for match in inline.finditer(path.read_text())]
    assert not found, found
    assert 'src="{{ url_for(\'static\', filename=\'balances.js\') }}"' in (TEMPLATES / "balances.html").read_text()
