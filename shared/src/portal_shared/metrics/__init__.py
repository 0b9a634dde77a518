"""Prometheus metrics: request durations, outbox backlog, dead-letter depth, messaging counters.

Web tiers serve /metrics from their own app; under gunicorn (several workers) prometheus_client's
multiprocess mode sums the workers' figures (PROMETHEUS_MULTIPROC_DIR, set up by the gunicorn
hooks in portal_shared.service.gunicorn). Relays and consumers serve theirs on METRICS_PORT.
Labels carry names and templates only, never ids or business data.

This package's top level is what every web process may import, the gateway included: Flask and
prometheus_client only. What reads a service's own database or broker (the outbox and dead-letter
collectors, `init_service_metrics`) is imported from its module, by the services alone.
"""
from portal_shared.metrics.http import HttpMetrics, MetricsMiddleware, record_route
from portal_shared.metrics.messaging import ConsumerMetrics, RelayMetrics, serve_process_metrics
from portal_shared.metrics.registry import (
    CONTENT_TYPE,
    metrics_registry,
    multiprocess_enabled,
    render,
)

__all__ = [
    "CONTENT_TYPE",
    "ConsumerMetrics",
    "HttpMetrics",
    "MetricsMiddleware",
    "RelayMetrics",
    "metrics_registry",
    "multiprocess_enabled",
    "record_route",
    "render",
    "serve_process_metrics",
]
