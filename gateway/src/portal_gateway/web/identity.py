"""The UI's calls to identity-service, through the gateway's pooled client (server side)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, g, request

from portal_gateway.routing import IDENTITY
from portal_gateway.upstream import UpstreamError, Upstreams, failure_for


@dataclass
class Answer:
    status: int
    body: dict[str, Any] = field(default_factory=dict)
    retry_after: str | None = None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def detail(self) -> str | None:
        return self.body.get("detail") or self.body.get("title")

    @property
    def errors(self) -> dict[str, list[str]]:
        errors = self.body.get("errors") or {}
        return {name: (messages if isinstance(messages, list) else [str(messages)])
                for name, messages in errors.items()}


class IdentityUnavailable(Exception):
    """identity-service could not be reached or answered garbage; the message says which."""


def call(method: str, path: str, *, body: dict[str, Any] | None = None, token: str | None = None) -> Answer:
    upstreams: Upstreams = current_app.extensions["portal_upstreams"]
    headers = {"Accept": "application/json", "X-Forwarded-For": request.remote_addr or ""}
    cid = g.get("correlation_id")
    if cid:
        headers["X-Correlation-ID"] = cid
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    try:
        response = upstreams.request(IDENTITY, method, path, body=data, headers=headers)
    except UpstreamError as exc:
        raise IdentityUnavailable(failure_for(exc, IDENTITY).detail) from exc
    parsed: dict[str, Any] = {}
    if response.data:
        try:
            loaded = json.loads(response.data)
        except ValueError as exc:
            raise IdentityUnavailable(f"{IDENTITY.name} sent an invalid response.") from exc
        if isinstance(loaded, dict):
            parsed = loaded
    if response.status >= 500:
        raise IdentityUnavailable(parsed.get("detail") or f"{IDENTITY.name} failed (HTTP {response.status}).")
    return Answer(response.status, parsed, response.headers.get("Retry-After"))
