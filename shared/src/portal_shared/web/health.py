"""/healthz (the process answers) and /readyz (its database and broker can be reached)."""
from __future__ import annotations

import socket
from collections.abc import Callable, Mapping
from urllib.parse import urlparse

from flask import Blueprint, jsonify
from sqlalchemy import Engine, text

Check = Callable[[], None]


def database_check(engine: Engine) -> Check:
    def check() -> None:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    return check


def broker_check(amqp_url: str, timeout: float = 1.0) -> Check:
    """A TCP connect to the broker: request handlers never open AMQP connections."""
    parsed = urlparse(amqp_url)
    host = parsed.hostname or "127.0.0.1"
    port = parsed.port or (5671 if parsed.scheme == "amqps" else 5672)

    def check() -> None:
        with socket.create_connection((host, port), timeout=timeout):
            pass

    return check


def health_blueprint(checks: Mapping[str, Check]) -> Blueprint:
    blueprint = Blueprint("health", __name__)

    @blueprint.get("/healthz")
    def healthz():
        return jsonify(status="ok")

    @blueprint.get("/readyz")
    def readyz():
        results: dict[str, str] = {}
        ready = True
        for name, check in checks.items():
            try:
                check()
                results[name] = "ok"
            except Exception as exc:  # noqa: BLE001 - any failure means not ready, and says why
                ready = False
                results[name] = f"unavailable: {type(exc).__name__}: {exc}"[:300]
        return jsonify(status="ok" if ready else "unavailable", checks=results), (200 if ready else 503)

    return blueprint
