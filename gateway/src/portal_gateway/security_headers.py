"""The browser-hardening headers on every answer of the gateway: its pages, its own errors, and
whatever the proxy passes on or answers itself (401/403/404/502/503/504 problem+json).

Plain WSGI around everything, because proxied /api/ calls never reach Flask, where an
after_request would run.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

# Every script and style is a file the gateway serves (balances.js, portal.css, the brand's
# generated /brand.css): no inline code to allow.
# No form-action: paying posts to /balances, which redirects to the bank's page, and browsers
# apply form-action to that redirect too.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"


def security_headers(https: bool) -> list[tuple[str, str]]:
    headers = [
        ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "same-origin"),
    ]
    if https:
        # Only where the portal is served over HTTPS (SESSION_COOKIE_SECURE): over plain HTTP
        # the header is meaningless, and a local run would pin browsers to https://127.0.0.1.
        headers.append(("Strict-Transport-Security", HSTS))
    return headers


class SecurityHeaders:
    def __init__(self, app: Callable, *, https: bool):
        self.app = app
        self.headers = security_headers(https)
        self.names = {name.lower() for name, _ in self.headers}

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        def with_headers(status: str, headers: list[tuple[str, str]], exc_info=None):
            kept = [(name, value) for name, value in headers if name.lower() not in self.names]
            return start_response(status, kept + self.headers, exc_info)

        return self.app(environ, with_headers)
