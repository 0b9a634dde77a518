"""/metrics on a service's web tier: request durations and its outbox."""
from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask import Flask, Response

from portal_shared.metrics.collectors import OutboxCollector
from portal_shared.metrics.http import HttpMetrics, MetricsMiddleware, record_route
from portal_shared.metrics.registry import CONTENT_TYPE, metrics_registry, render

METRICS_PATH = "/metrics"


def metrics_view(registry) -> Callable[[], Response]:
    def view() -> Response:
        return Response(render(registry), status=200, headers={"Content-Type": CONTENT_TYPE})

    return view


def init_service_metrics(
    app: Flask,
    *,
    service: str,
    engine: sa.Engine,
) -> HttpMetrics:
    """No token needed: the labels hold names and templates only, and services are not public
    (the gateway routes /api/v1/… only, so it never passes a service's /metrics on)."""
    registry, register_on = metrics_registry()
    http = HttpMetrics(register_on)
    registry.register(OutboxCollector(engine, service))
    record_route(app)
    app.add_url_rule(METRICS_PATH, "metrics", metrics_view(registry), methods=["GET"])
    app.wsgi_app = MetricsMiddleware(app.wsgi_app, http)  # type: ignore[method-assign]
    return http
