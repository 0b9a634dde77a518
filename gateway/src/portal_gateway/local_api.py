"""What the gateway answers itself: OpenAPI documents of the services, and health."""
from __future__ import annotations

import redis
import urllib3
from flask import Blueprint, Response, current_app, jsonify, url_for
from portal_shared.web.health import distribution_version
from portal_shared import errors
from portal_shared.web.problems import use_case_problem

from portal_gateway.routing import SERVICES, service_by_key
from portal_gateway.sessions import RedisSessionStore
from portal_gateway.errors import SERVICE_INVALID_RESPONSE
from portal_gateway.upstream import UpstreamError, Upstreams, failure_for

openapi = Blueprint("openapi", __name__, url_prefix="/api/v1")
health = Blueprint("health", __name__)


def _upstreams() -> Upstreams:
    return current_app.extensions["portal_upstreams"]


@openapi.get("/openapi.json")
def openapi_index():
    return jsonify(
        services=[
            {"service": s.name, "name": s.key, "url": url_for("openapi.service_openapi", key=s.key)}
            for s in SERVICES
        ]
    )


@openapi.get("/openapi/<key>.json")
def service_openapi(key: str):
    service = service_by_key(key)
    if service is None:
        return use_case_problem(errors.NOT_FOUND(f"No service named {key!r}."))
    try:
        upstream = _upstreams().request(service, "GET", "/openapi.json", headers={"Accept": "application/json"})
    except UpstreamError as exc:
        return use_case_problem(failure_for(exc, service))
    if upstream.status != 200:
        return use_case_problem(SERVICE_INVALID_RESPONSE(
            f"{service.name} answered {upstream.status} for its OpenAPI document.", service=service.name))
    return Response(upstream.data, status=200, mimetype="application/json")


@health.get("/healthz")
def healthz():
    return jsonify(status="ok", version=distribution_version("portal-gateway"))


def _session_store_check() -> str:
    store = current_app.session_interface
    if not isinstance(store, RedisSessionStore):
        return "ok"
    try:
        store.client.ping()
    except redis.RedisError as exc:
        return f"unreachable: {exc}"
    return "ok"


@health.get("/readyz/session-store")
def session_store_ready():
    """The gateway's own readiness: without its session store no browser can sign in."""
    check = _session_store_check()
    return jsonify(status="ok" if check == "ok" else "unavailable", checks={"session-store": check}), \
        (200 if check == "ok" else 503)


@health.get("/readyz")
def readyz():
    upstreams = _upstreams()
    timeout = urllib3.Timeout(connect=upstreams.timeout.connect_timeout,
                              read=current_app.config["READY_TIMEOUT"])
    checks: dict[str, str] = {}
    for service in SERVICES:
        try:
            answer = upstreams.request(service, "GET", "/healthz", timeout=timeout)
            checks[service.name] = "ok" if answer.status == 200 else f"unhealthy: HTTP {answer.status}"
        except UpstreamError as exc:
            checks[service.name] = failure_for(exc, service).detail
    checks["session-store"] = _session_store_check()
    ready = all(result == "ok" for result in checks.values())
    return jsonify(status="ok" if ready else "unavailable", checks=checks), (200 if ready else 503)
