"""/metrics on a service's web tier: request durations, its outbox and its dead-letter queue."""
from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask import Flask, Response

from portal_shared.metrics.collectors import DeadLetterQueueCollector, OutboxCollector
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
    amqp_url: str,
    dead_letter_queue: str,
    broker_timeout_seconds: float = 1.0,
    broker_max_age_seconds: float = 10.0,
) -> HttpMetrics:
    """No token needed: the labels hold names and templates only, and services are not public
    (the gateway routes /api/v1/… only, so it never passes a service's /metrics on)."""
    registry, register_on = metrics_registry()
    http = HttpMetrics(register_on)
    registry.register(OutboxCollector(engine, service))
    registry.register(
        DeadLetterQueueCollector(amqp_url, service, dead_letter_queue, timeout_seconds=broker_timeout_seconds,
                                 max_age_seconds=broker_max_age_seconds)
    )
    record_route(app)
    app.add_url_rule(METRICS_PATH, "metrics", metrics_view(registry), methods=["GET"])
    app.wsgi_app = MetricsMiddleware(app.wsgi_app, http)  # type: ignore[method-assign]
    return http
