"""The UI's server-side calls to the services, through the gateway's pooled client.

The page calls the service with the signed-in user's own access token, so the service
checks roles and customer scoping exactly as for a direct API call.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import urllib3
from flask import current_app, g, request

from portal_gateway.routing import Service
from portal_gateway.upstream import UpstreamError, Upstreams, failure_for


@dataclass
class Answer:
    status: int
    # A JSON object as sent; a JSON array arrives as {"items": [...]}, so pages read one shape.
    body: dict[str, Any] = field(default_factory=dict)
    retry_after: str | None = None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def detail(self) -> str | None:
        return self.body.get("detail") or self.body.get("title")

    @property
    def code(self) -> str | None:
        """The refusal's stable code (portal_shared.errors), what the page may explain it by."""
        return self.body.get("code")

    @property
    def errors(self) -> dict[str, list[str]]:
        """The service's own messages by field: English, for logs and API clients, never a page."""
        errors = self.body.get("errors") or {}
        return {name: (messages if isinstance(messages, list) else [str(messages)])
                for name, messages in errors.items()}

    @property
    def field_codes(self) -> dict[str, list[str]]:
        """Each field's message codes (portal_shared.web.problems); a field without them is
        blamed by the refusal's own code."""
        codes = self.body.get("field_codes") or {}
        own = [self.code] if self.code else ["field.invalid"]
        return {name: (codes[name] if isinstance(codes.get(name), list) and codes[name] else own)
                for name in self.errors}


class ServiceUnavailable(Exception):
    """A service could not be reached or answered garbage; the message says which."""

    def __init__(self, service: Service, message: str):
        super().__init__(message)
        self.service = service


def _headers(token: str | None, extra: dict[str, str] | None) -> dict[str, str]:
    headers = {"Accept": "application/json", "X-Forwarded-For": request.remote_addr or ""}
    cid = g.get("correlation_id")
    if cid:
        headers["X-Correlation-ID"] = cid
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if extra:
        headers.update(extra)
    return headers


def with_query(path: str, params: dict[str, Any] | None) -> str:
    """path?query, leaving out parameters that are None or empty."""
    kept = {key: value for key, value in (params or {}).items() if value not in (None, "")}
    # A list is the parameter repeated (?payment_id=a&payment_id=b).
    return f"{path}?{urlencode(kept, doseq=True)}" if kept else path


def call(service: Service, method: str, path: str, *, body: Any = None, token: str | None = None,
         params: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> Answer:
    """One JSON call. 5xx, refused, timed out or unreadable -> ServiceUnavailable."""
    upstreams: Upstreams = current_app.extensions["portal_upstreams"]
    sent = _headers(token, headers)
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        sent["Content-Type"] = "application/json"
    try:
        response = upstreams.request(service, method, with_query(path, params), body=data, headers=sent)
    except UpstreamError as exc:
        raise ServiceUnavailable(service, failure_for(exc, service).detail) from exc
    parsed: dict[str, Any] = {}
    if response.data:
        try:
            loaded = json.loads(response.data)
        except ValueError as exc:
            raise ServiceUnavailable(service, f"{service.name} sent an invalid response.") from exc
        if isinstance(loaded, dict):
            parsed = loaded
        elif isinstance(loaded, list):
            parsed = {"items": loaded}
    if response.status >= 500:
        raise ServiceUnavailable(service, parsed.get("detail") or f"{service.name} failed (HTTP {response.status}).")
    return Answer(response.status, parsed, response.headers.get("Retry-After"))


def open_stream(service: Service, path: str, *, token: str, params: dict[str, Any] | None = None,
                accept: str = "*/*") -> urllib3.BaseHTTPResponse:
    """A GET whose body is left unread, for passing a document on chunk by chunk.

    The caller must release the connection (StreamedBody does). 5xx and failures ->
    ServiceUnavailable, with the connection already given back.
    """
    upstreams: Upstreams = current_app.extensions["portal_upstreams"]
    try:
        response = upstreams.request(service, "GET", with_query(path, params),
                                     headers=_headers(token, {"Accept": accept}), stream=True)
    except UpstreamError as exc:
        raise ServiceUnavailable(service, failure_for(exc, service).detail) from exc
    if response.status >= 500:
        response.drain_conn()
        response.release_conn()
        raise ServiceUnavailable(service, f"{service.name} failed (HTTP {response.status}).")
    return response
