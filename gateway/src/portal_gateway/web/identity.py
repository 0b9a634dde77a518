"""The UI's calls to identity-service, through the gateway's pooled client (server side)."""
from __future__ import annotations

from typing import Any

from portal_gateway.routing import IDENTITY
from portal_gateway.web import api
from portal_gateway.web.api import Answer, ServiceUnavailable

__all__ = ["Answer", "IdentityUnavailable", "call"]


class IdentityUnavailable(ServiceUnavailable):
    """identity-service could not be reached or answered garbage; the message says which."""


def call(method: str, path: str, *, body: dict[str, Any] | None = None, token: str | None = None) -> Answer:
    try:
        return api.call(IDENTITY, method, path, body=body, token=token)
    except ServiceUnavailable as exc:
        raise IdentityUnavailable(IDENTITY, str(exc)) from exc
