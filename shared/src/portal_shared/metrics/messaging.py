"""Counters of the relay and consumer processes, and their own /metrics listener (METRICS_PORT)."""
from __future__ import annotations

import logging
from functools import cache

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, start_http_server

from portal_shared.config import env_int, env_str
from portal_shared.logging import log_fields

log = logging.getLogger(__name__)


class ConsumerMetrics:
    """messages_consumed_total / _retried_total / _dead_lettered_total by consumer and event type;
    the depth of the service's dead-letter queue and whether the broker is reachable."""

    def __init__(self, registry: CollectorRegistry | None):
        labels = ("consumer", "event_type")
        self.consumed = Counter(
            "messages_consumed_total", "Messages handled and acked (applied, or a duplicate ignored).", labels,
            registry=registry,
        )
        self.duplicates = Counter(
            "messages_duplicate_total", "Messages whose event the inbox had already seen.", labels, registry=registry,
        )
        self.retried = Counter(
            "messages_retried_total", "Messages whose handler failed, sent to a retry queue.", labels,
            registry=registry,
        )
        self.dead_lettered = Counter(
            "messages_dead_lettered_total", "Messages sent to the dead-letter queue.", labels, registry=registry,
        )
        # Read by the consumer on the connection it holds anyway: no web process opens one for a figure.
        self.dead_letter_depth = Gauge(
            "dead_letter_queue_messages", "Messages waiting in the service's dead-letter queue.",
            ("service", "queue"), registry=registry,
        )
        self.broker_up = Gauge(
            "broker_up", "1 while the consumer holds its connection to the broker.", ("service",),
            registry=registry,
        )


class RelayMetrics:
    """relay_published_total and relay_failed_total by service, channel (and reason)."""

    def __init__(self, registry: CollectorRegistry | None):
        self.published = Counter(
            "relay_published_total", "Outbox rows delivered (broker confirm, or mail accepted).",
            ("service", "channel"), registry=registry,
        )
        self.failed = Counter(
            "relay_failed_total",
            "Outbox rows not delivered on an attempt: transport (broker or SMTP unreachable), refused "
            "(the row is retried later), no_subscriber (given up: no queue bound).",
            ("service", "channel", "reason"), registry=registry,
        )


@cache
def default_consumer_metrics() -> ConsumerMetrics:
    """The process registry's consumer counters, created once per process."""
    return ConsumerMetrics(REGISTRY)


@cache
def default_relay_metrics() -> RelayMetrics:
    return RelayMetrics(REGISTRY)


def serve_process_metrics(what: str):
    """Serve this process's registry on METRICS_HOST:METRICS_PORT (127.0.0.1 by default).

    Off when METRICS_PORT is unset or 0: a service runs several such processes (relay, mailer,
    consumer) and each needs a port of its own. Returns the server, to shut down, or None."""
    port = env_int("METRICS_PORT", 0)
    if port <= 0:
        return None
    host = env_str("METRICS_HOST", "127.0.0.1")
    server, _thread = start_http_server(port, addr=host, registry=REGISTRY)
    log.info("metrics served", extra=log_fields({"process": what, "host": host, "port": server.server_port}))
    return server
