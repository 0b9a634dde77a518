"""The gateway's own /metrics: request durations (proxied and local) and upstream errors.

The gateway is the public front door, so its /metrics answers only a scraper on the same host
(a loopback peer with no X-Forwarded-For, i.e. not a request some reverse proxy passed on) unless
METRICS_PUBLIC=1 says the network in front keeps /metrics private (a pod scraped on its own IP,
an ingress that does not route /metrics). Anyone else gets the plain 404 of an unknown page. The
services' /metrics are never proxied: only /api/v1/… and the JWKS path are.
"""
from __future__ import annotations

import ipaddress

from flask import Blueprint, Response, abort, current_app, request
from portal_shared.metrics import CONTENT_TYPE, HttpMetrics, metrics_registry, render
from prometheus_client import CollectorRegistry, Counter

from portal_gateway.routing import Service

EXTENSION = "portal_metrics"

metrics = Blueprint("metrics", __name__)


class GatewayMetrics:
    def __init__(self) -> None:
        self.registry, register_on = metrics_registry()
        self.http = HttpMetrics(register_on)
        self.upstream_errors = Counter(
            "gateway_upstream_errors_total",
            "Calls to a service that failed: connect_refused, timeout, invalid_response, or a 5xx answer.",
            ("service", "kind"),
            registry=register_on,
        )

    def upstream_error(self, service: Service, kind: str) -> None:
        self.upstream_errors.labels(service.name, kind).inc()


def _scraper_allowed() -> bool:
    if current_app.config["METRICS_PUBLIC"]:
        return True
    if request.headers.get("X-Forwarded-For") or request.headers.get("Forwarded"):
        return False
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


@metrics.get("/metrics")
def scrape():
    if not _scraper_allowed():
        abort(404)
    registry: CollectorRegistry = current_app.extensions[EXTENSION].registry
    return Response(render(registry), status=200, headers={"Content-Type": CONTENT_TYPE})
