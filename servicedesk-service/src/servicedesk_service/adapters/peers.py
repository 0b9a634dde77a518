"""HTTP clients for the services the staff overview reads: identity, billing and payment.

One pooled requests.Session serves them all. Every call carries the caller's own bearer token
(so each service checks roles and scope itself, as for a direct call) and the correlation id,
has a short timeout, and is never retried: a retry would only double an agent's wait, and
reloading the page asks again anyway.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from portal_shared.correlation import HEADER as CORRELATION_HEADER

# The overview shows the latest payments (the last one first); the full history is payment-service's page.
PAYMENTS_SHOWN = 20


@dataclass(frozen=True)
class Peer:
    name: str  # as named in `unavailable` and in logs
    base_url: str


@dataclass(frozen=True)
class Credentials:
    """What a call made on the caller's behalf sends along."""

    token: str
    correlation_id: str | None


class PeerUnavailable(Exception):
    """The service was down, too slow, failed (5xx) or refused the call; `detail` says which."""

    def __init__(self, peer: Peer, detail: str):
        super().__init__(f"{peer.name}: {detail}")
        self.peer = peer
        self.detail = detail


class PeerNotFound(Exception):
    """The service answered 404: it knows no such thing."""

    def __init__(self, peer: Peer, detail: str):
        super().__init__(f"{peer.name}: {detail}")
        self.peer = peer
        self.detail = detail


def make_http_session(*, pool_size: int = 16) -> requests.Session:
    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=3, pool_maxsize=pool_size, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = "portal-servicedesk-service"
    session.headers["Accept"] = "application/json"
    return session


def _problem_detail(response: requests.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return (body.get("detail") or body.get("title")) if isinstance(body, dict) else None


class PeerClient:
    """GET a JSON object from a peer service; anything but a 2xx object is an exception."""

    def __init__(self, http: requests.Session, *, timeout: float):
        self.http = http
        self.timeout = timeout

    def get_json(self, peer: Peer, path: str, credentials: Credentials,
                 params: dict[str, Any] | None = None) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {credentials.token}"}
        if credentials.correlation_id:
            headers[CORRELATION_HEADER] = credentials.correlation_id
        try:
            response = self.http.get(peer.base_url + path, params=params, headers=headers,
                                     timeout=(self.timeout, self.timeout))
        except requests.Timeout:
            raise PeerUnavailable(peer, f"no answer within {self.timeout:g} s") from None
        except requests.ConnectionError:
            raise PeerUnavailable(peer, "could not be reached") from None
        except requests.RequestException as exc:
            raise PeerUnavailable(peer, f"request failed ({type(exc).__name__})") from None
        if response.status_code == 404:
            raise PeerNotFound(peer, _problem_detail(response) or "not found")
        if response.status_code >= 500:
            raise PeerUnavailable(peer, f"failed (HTTP {response.status_code})")
        if response.status_code >= 400:
            # 401/403/422: the service would not give this caller this part; say what it said.
            reason = _problem_detail(response) or "refused the request"
            raise PeerUnavailable(peer, f"HTTP {response.status_code}: {reason}")
        try:
            body = response.json()
        except ValueError:
            raise PeerUnavailable(peer, "answered something other than JSON") from None
        if not isinstance(body, dict):
            raise PeerUnavailable(peer, f"answered a JSON {type(body).__name__}, not an object")
        return body


def _items(peer: Peer, body: dict[str, Any]) -> list[dict[str, Any]]:
    items = body.get("items")
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise PeerUnavailable(peer, "answered without a list of items")
    return items


class PortalServices:
    """The reads the overview makes, each against the service that owns the data (docs/api.md)."""

    def __init__(self, client: PeerClient, *, identity_url: str, billing_url: str, payment_url: str):
        self.client = client
        self.identity = Peer("identity-service", identity_url.rstrip("/"))
        self.billing = Peer("billing-service", billing_url.rstrip("/"))
        self.payment = Peer("payment-service", payment_url.rstrip("/"))

    def customer(self, customer_id: str, credentials: Credentials) -> dict[str, Any]:
        return self.client.get_json(self.identity, f"/api/v1/customers/{customer_id}", credentials)

    def users(self, customer_id: str, credentials: Credentials) -> list[dict[str, Any]]:
        body = self.client.get_json(self.identity, "/api/v1/users", credentials, {"customer_id": customer_id})
        return _items(self.identity, body)

    def accounts(self, customer_id: str, credentials: Credentials) -> list[dict[str, Any]]:
        body = self.client.get_json(self.billing, "/api/v1/accounts", credentials, {"customer_id": customer_id})
        return _items(self.billing, body)

    def credit_status(self, customer_id: str, credentials: Credentials) -> dict[str, Any]:
        return self.client.get_json(self.billing, "/api/v1/credit-status", credentials, {"customer_id": customer_id})

    def payments(self, customer_id: str, credentials: Credentials) -> list[dict[str, Any]]:
        body = self.client.get_json(self.payment, "/api/v1/payments", credentials,
                                    {"customer_id": customer_id, "page_size": PAYMENTS_SHOWN})
        return _items(self.payment, body)


def portal_services_from(config: Mapping[str, Any]) -> PortalServices:
    """The overview's clients as the settings say (IDENTITY_URL, BILLING_URL, PAYMENT_URL, PEER_TIMEOUT_SECONDS)."""
    client = PeerClient(make_http_session(), timeout=float(config["PEER_TIMEOUT_SECONDS"]))
    return PortalServices(client, identity_url=config["IDENTITY_URL"], billing_url=config["BILLING_URL"],
                          payment_url=config["PAYMENT_URL"])
