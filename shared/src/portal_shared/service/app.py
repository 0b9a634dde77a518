"""The Flask app every service starts from: logging, request context, token verification,
flask-smorest Api with problem+json errors, and /healthz + /readyz on its database and broker.

flask-smorest is needed only by the services (it is in the library's "service" extra).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask_smorest import Api
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from portal_shared.auth import JwksKeySource, StaticKeySource, TokenVerifier
from portal_shared.auth.flask import init_auth
from portal_shared.db import make_engine, make_session_factory
from portal_shared.logging import configure_logging
from portal_shared.service.config import ServiceConfig
from portal_shared.web import (
    broker_check,
    database_check,
    health_blueprint,
    init_request_context,
    register_problem_handlers,
)


@dataclass(frozen=True)
class ServiceApp:
    """The built app and what the service needs to finish it: register blueprints on `api`."""

    app: Flask
    api: Api
    engine: Engine
    session_factory: sessionmaker[Session]


def token_verifier_from(config: Mapping[str, Any]) -> TokenVerifier:
    """TOKEN_VERIFIER or JWKS (a key set dict) let tests and identity-less local runs skip the
    fetch from JWKS_URL."""
    if config.get("TOKEN_VERIFIER") is not None:
        return config["TOKEN_VERIFIER"]
    if config.get("JWKS") is not None:
        return TokenVerifier(StaticKeySource(config["JWKS"]))
    return TokenVerifier(JwksKeySource(config["JWKS_URL"]))


def build_service_app(
    import_name: str,
    config_class: type[ServiceConfig],
    overrides: Mapping[str, Any] | None = None,
    *,
    extension_prefix: str,
    verifier: TokenVerifier | None = None,
) -> ServiceApp:
    """Everything but the service's own endpoints; no connection is opened here.

    Settings are config_class() read from the environment, with `overrides` winning (tests pass
    theirs: TESTING, DATABASE_URL, and TOKEN_VERIFIER or JWKS instead of fetching JWKS_URL).
    The engine and session factory are kept in app.extensions as "<prefix>.engine" and
    "<prefix>.session_factory". Without `verifier` tokens are checked as token_verifier_from says.
    """
    app = Flask(import_name)
    app.config.update(config_class().as_dict())
    app.config.update(overrides or {})
    if not app.config.get("TESTING"):
        configure_logging(config_class.SERVICE_NAME, app.config["LOG_LEVEL"])

    engine = make_engine(app.config["DATABASE_URL"])
    session_factory = make_session_factory(engine)
    app.extensions[f"{extension_prefix}.engine"] = engine
    app.extensions[f"{extension_prefix}.session_factory"] = session_factory

    init_request_context(app)
    # Verification is wired before any endpoint needs it, so a service's endpoints only add views.
    init_auth(app, verifier if verifier is not None else token_verifier_from(app.config))

    api = Api(app)
    app.register_blueprint(
        health_blueprint({"database": database_check(engine), "broker": broker_check(app.config["AMQP_URL"])})
    )
    # After Api(app): these handlers must win over flask-smorest's own error bodies.
    register_problem_handlers(app)
    return ServiceApp(app, api, engine, session_factory)
