"""http_request_duration_seconds, labelled by method, route template and status.

The route is the template the request matched (Flask's url_rule, e.g. /api/v1/invoices/<uuid:id>),
never the raw path: ids in a label would make a new time series per invoice. A request that
matched no route is "unmatched".
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from flask import Flask, request
from prometheus_client import CollectorRegistry, Histogram

UNMATCHED = "unmatched"
ROUTE_KEY = "portal.metrics.route"

StartResponse = Callable[..., object]


class HttpMetrics:
    def __init__(self, registry: CollectorRegistry | None):
        self.duration = Histogram(
            "http_request_duration_seconds",
            "Time until the response started, by method, route template and status.",
            ("method", "route", "status"),
            registry=registry,
        )

    def observe(self, method: str, route: str | None, status: int, seconds: float) -> None:
        self.duration.labels(method, route or UNMATCHED, str(status)).observe(seconds)


def record_route(app: Flask) -> None:
    """Leave the matched rule's template in the WSGI environ for MetricsMiddleware.

    Runs first among the before_request functions: a later one (an auth check) may answer on
    its own, and the request must still be counted under its route."""

    def _route() -> None:
        rule = request.url_rule
        request.environ[ROUTE_KEY] = rule.rule if rule is not None else None

    app.before_request_funcs.setdefault(None, []).insert(0, _route)


class MetricsMiddleware:
    """WSGI middleware around a Flask app: every request is observed, an exception as a 500."""

    def __init__(self, app: Callable, metrics: HttpMetrics):
        self.app = app
        self.metrics = metrics

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        status_seen: list[int] = []

        def recording_start_response(status: str, headers: list, exc_info=None):
            status_seen.append(int(status[:3]))
            return start_response(status, headers, exc_info)

        try:
            return self.app(environ, recording_start_response)
        except BaseException:
            status_seen.append(500)
            raise
        finally:
            self.metrics.observe(
                environ.get("REQUEST_METHOD", "GET"),
                environ.get(ROUTE_KEY),
                status_seen[-1] if status_seen else 500,
                time.perf_counter() - started,
            )
