"""Prometheus metrics: request durations, outbox backlog, dead-letter depth, messaging counters.

Web tiers serve /metrics from their own app; under gunicorn (several workers) prometheus_client's
multiprocess mode sums the workers' figures (PROMETHEUS_MULTIPROC_DIR, set up by the gunicorn
hooks in portal_shared.service.gunicorn). Relays and consumers serve theirs on METRICS_PORT.
Labels carry names and templates only, never ids or business data.
"""
from portal_shared.metrics.collectors import DeadLetterQueueCollector, OutboxCollector
from portal_shared.metrics.http import HttpMetrics, MetricsMiddleware, record_route
from portal_shared.metrics.messaging import ConsumerMetrics, RelayMetrics, serve_process_metrics
from portal_shared.metrics.registry import (
    CONTENT_TYPE,
    metrics_registry,
    multiprocess_enabled,
    render,
)
from portal_shared.metrics.service import init_service_metrics

__all__ = [
    "CONTENT_TYPE",
    "ConsumerMetrics",
    "DeadLetterQueueCollector",
    "HttpMetrics",
    "MetricsMiddleware",
    "OutboxCollector",
    "RelayMetrics",
    "init_service_metrics",
    "metrics_registry",
    "multiprocess_enabled",
    "record_route",
    "render",
    "serve_process_metrics",
]
