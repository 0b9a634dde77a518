"""/healthz (the process answers, and with which version) and /readyz (its database and broker can be reached)."""
from __future__ import annotations

import functools
import socket
from collections.abc import Callable, Mapping
from importlib import metadata
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


@functools.cache
def distribution_version(distribution: str) -> str:
    """The installed version of a package: its pyproject.toml's `version` (the CHANGELOG's top entry)."""
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        raise LookupError(f"{distribution} is not installed, so its version is unknown: pip install it") from None


def health_blueprint(checks: Mapping[str, Check], *, version: str) -> Blueprint:
    blueprint = Blueprint("health", __name__)

    @blueprint.get("/healthz")
    def healthz():
        # The version tells which build answers: a rolling update shows both until it is done.
        return jsonify(status="ok", version=version)

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
