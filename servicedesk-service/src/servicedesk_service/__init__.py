"""servicedesk-service: devices, incidents and their SLA clocks, meter readings, toner stock, knowledge.

create_app(config=None) builds the WSGI app; nothing happens at import time.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from flask_smorest import Api

from portal_shared.auth import JwksKeySource, StaticKeySource, TokenVerifier
from portal_shared.auth.flask import init_auth
from portal_shared.db import make_engine, make_session_factory
from portal_shared.logging import configure_logging
from portal_shared.web import (
    broker_check,
    database_check,
    health_blueprint,
    init_request_context,
    register_problem_handlers,
)
from servicedesk_service.config import SERVICE_NAME, Config


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app from the environment, with `config` overriding any key.

    Tests (and identity-less local runs) may pass TOKEN_VERIFIER, or JWKS (a key set dict)
    instead of fetching keys from JWKS_URL.
    """
    app = Flask(__name__)
    app.config.from_object(Config())
    app.config.update(config or {})
    if not app.config.get("TESTING"):
        configure_logging(SERVICE_NAME, app.config["LOG_LEVEL"])

    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["servicedesk.engine"] = engine
    app.extensions["servicedesk.session_factory"] = make_session_factory(engine)

    init_request_context(app)
    # Verification is wired before any endpoint needs it, so the service desk endpoints only add views.
    init_auth(app, _token_verifier(app.config))

    api = Api(app)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
    app.register_blueprint(
        health_blueprint({"database": database_check(engine), "broker": broker_check(app.config["AMQP_URL"])})
    )
    # After Api(app): these handlers must win over flask-smorest's own error bodies.
    register_problem_handlers(app)
    return app


def _token_verifier(config: Mapping[str, Any]) -> TokenVerifier:
    if config.get("TOKEN_VERIFIER") is not None:
        return config["TOKEN_VERIFIER"]
    if config.get("JWKS") is not None:
        return TokenVerifier(StaticKeySource(config["JWKS"]))
    return TokenVerifier(JwksKeySource(config["JWKS_URL"]))
