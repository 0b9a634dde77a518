"""Per-request correlation id (from the caller or new) and one JSON access-log line."""
from __future__ import annotations

import logging
import time

from flask import Flask, g, request

from portal_shared import correlation
from portal_shared.logging import log_fields

access_log = logging.getLogger("portal.access")
# Probes and scrapes come every few seconds: a line each would bury the requests people make.
_NOT_LOGGED = frozenset({"/healthz", "/readyz", "/metrics"})


def init_request_context(app: Flask, *, access_log_enabled: bool = True) -> None:
    @app.before_request
    def _begin() -> None:
        incoming = correlation.sanitize(request.headers.get(correlation.HEADER))
        g.correlation_id = incoming or correlation.new_correlation_id()
        g.correlation_token = correlation.set_correlation_id(g.correlation_id)
        g.request_started = time.perf_counter()

    @app.after_request
    def _end(response):
        cid = g.get("correlation_id")
        if cid:
            response.headers[correlation.HEADER] = cid
        if access_log_enabled and request.path not in _NOT_LOGGED:
            access_log.info(
                "request",
                extra=log_fields({
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000, 2),
                }),
            )
        return response

    @app.teardown_request
    def _reset(_exc) -> None:
        token = g.pop("correlation_token", None)
        if token is not None:
            correlation.reset_correlation_id(token)
