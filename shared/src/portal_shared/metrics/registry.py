"""Which registry a /metrics answer is read from: the workers' files, or this process."""
from __future__ import annotations

import os

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST


def multiprocess_enabled() -> bool:
    """True under gunicorn, whose config points PROMETHEUS_MULTIPROC_DIR at this server's directory.

    prometheus_client reads the variable once, when it is first imported: the gunicorn hook sets
    it in the master before any worker imports the app."""
    return bool(os.environ.get(MULTIPROC_ENV))


def metrics_registry() -> tuple[CollectorRegistry, CollectorRegistry | None]:
    """(registry to render, registry new metrics register on).

    Multiprocess: a registry reading every worker's files; metrics register nowhere (their values
    go to this worker's file). Otherwise one fresh registry per app, so two apps in one process
    (tests) never share figures."""
    registry = CollectorRegistry()
    if multiprocess_enabled():
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
        return registry, None
    return registry, registry


def render(registry: CollectorRegistry) -> bytes:
    return generate_latest(registry)
