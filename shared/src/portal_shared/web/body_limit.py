"""How large a request body may be, route by route: one table for the gateway and the services.

Every request is held to DEFAULT_BODY_LIMIT. The few routes that take more (a bulk import) are
listed in LARGER_BODY_LIMITS by method and path as the gateway's policy writes them ({name} for a
path parameter). The gateway holds a proxied request to body_limit_for(method, its policy rule's
pattern) and the service's view to body_limit_for(method, its Flask rule): both read this table,
so the front door can never refuse what the service accepts, or the reverse.
"""
from __future__ import annotations

import re

from flask import Flask, request

MIB = 1024 * 1024
DEFAULT_BODY_LIMIT = MIB

LARGER_BODY_LIMITS: dict[tuple[str, str], int] = {
    # The contract's 5,000 invoices with fiscal folios are about 1.1 MB of JSON.
    ("POST", "/api/v1/invoices/import"): 1536 * 1024,
}

_FLASK_PARAMETER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def route_pattern(flask_rule: str) -> str:
    """A Flask rule as the policy writes routes: /api/v1/x/<uuid:id> -> /api/v1/x/{id}."""
    return _FLASK_PARAMETER.sub(r"{\1}", flask_rule)


def body_limit_for(method: str, pattern: str | None) -> int:
    if pattern is None:
        return DEFAULT_BODY_LIMIT
    return LARGER_BODY_LIMITS.get((method.upper(), pattern), DEFAULT_BODY_LIMIT)


def init_body_limits(app: Flask) -> None:
    """Holds each request to its route's limit. Must be registered before any before_request
    handler that reads the body (the text check does)."""

    @app.before_request
    def _apply_route_limit():
        rule = request.url_rule
        limit = body_limit_for(request.method, route_pattern(rule.rule) if rule is not None else None)
        if limit != DEFAULT_BODY_LIMIT:
            request.max_content_length = limit
